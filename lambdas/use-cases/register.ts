import { type ChoiceIssue, InvalidChoice, NotFull, WorkshopFull } from '../domain/errors.js';
import type { EventDefinition } from '../domain/event-definition.js';
import {
  type Alternatives,
  type Choices,
  type EventWithSeats,
  ownValue,
  seatsLeft,
} from '../domain/registration.js';
import type { EventCatalog } from '../ports.js';
import {
  assertOpen,
  type CreatedRegistration,
  type CreateRegistrationDeps,
  checkChoices,
  createNewRegistration,
  loadDefinition,
  loadEvent,
  notInRound,
  type PersonDetails,
} from './registration-steps.js';

export type RegisterCommand = PersonDetails & {
  choices: Choices;
  /** Round id → workshops of that round to take instead when the one chosen is full, in order of preference. */
  alternatives?: Alternatives;
  /** Round id → a full workshop whose waiting list to join, instead of the seat chosen in that round. */
  waitFor?: Choices;
};

export type RegisterDeps = CreateRegistrationDeps & { events: EventCatalog };

export type RegisterResult = CreatedRegistration;

/**
 * The rounds with no seat when the event was read, among the choice and its alternatives: refused without
 * spending a transaction, naming every full workshop of those rounds.
 */
function fullRoundsNow(event: EventWithSeats, choices: Choices, alternatives: Alternatives): string[] {
  return Object.entries(choices).flatMap(([roundId, workshopId]) => {
    const options = [workshopId, ...(ownValue(alternatives, roundId) ?? [])];
    return options.some((id) => seatsLeft(event.seats.get(id)) > 0) ? [] : options;
  });
}

/**
 * Alternatives must be workshops of a round of the event, of the round they are given for. The order is kept;
 * a repeat, the round's own choice and the workshop waited for there (full, so never a seat) are dropped.
 */
function checkAlternatives(
  definition: EventDefinition,
  choices: Choices,
  alternatives: Alternatives,
  waitFor: Choices,
): { issues: ChoiceIssue[]; alternatives: Alternatives } {
  const issues: ChoiceIssue[] = [];
  const kept: Record<string, string[]> = {};
  for (const [roundId, workshopIds] of Object.entries(alternatives)) {
    const round = definition.rounds.find((candidate) => candidate.id === roundId);
    if (!round) {
      issues.push({ roundId, reason: 'unknown-round' });
      continue;
    }
    const skip = new Set([ownValue(choices, roundId), ownValue(waitFor, roundId)]);
    const inRound = new Set<string>();
    for (const workshopId of workshopIds) {
      if (round.workshops.some((workshop) => workshop.id === workshopId)) {
        if (!skip.has(workshopId)) inRound.add(workshopId);
        continue;
      }
      issues.push(notInRound(definition, roundId, workshopId));
    }
    if (inRound.size > 0) kept[roundId] = [...inRound];
  }
  return { issues, alternatives: kept };
}

/**
 * Preferences to wait for, given with a registration: each a workshop of that round, not the one chosen there,
 * and full (a free seat should simply be chosen).
 */
function checkWaitFor(event: EventWithSeats, choices: Choices, waitFor: Choices): void {
  const issues: ChoiceIssue[] = [];
  for (const [roundId, workshopId] of Object.entries(waitFor)) {
    const round = event.definition.rounds.find((candidate) => candidate.id === roundId);
    if (!round) issues.push({ roundId, workshopId, reason: 'unknown-round' });
    else if (!round.workshops.some((workshop) => workshop.id === workshopId))
      issues.push({ roundId, workshopId, reason: 'unknown-workshop' });
    else if (ownValue(choices, roundId) === workshopId)
      issues.push({ roundId, workshopId, reason: 'already-held' });
  }
  if (issues.length > 0) throw new InvalidChoice(issues);
  const notFull = Object.values(waitFor).filter((workshopId) => seatsLeft(event.seats.get(workshopId)) > 0);
  if (notFull.length > 0) throw new NotFull({ workshopIds: notFull });
}

/**
 * Registers with seats: one transaction, whose conditions refuse a full workshop (WORKSHOP_FULL names it; in a
 * round with alternatives the first of them with a free seat is taken instead, in the same request). The
 * definition may come from the container's cache and the counters are not read first (issue 19: the answer
 * waits for little more than the transaction); only preferences to wait for need the live counters.
 */
export async function register(command: RegisterCommand, deps: RegisterDeps): Promise<RegisterResult> {
  const definition = await loadDefinition(deps.events, command.eventId);

  assertOpen(definition, deps.clock.now());

  const waitFor = command.waitFor ?? {};
  const { issues: alternativeIssues, alternatives } = checkAlternatives(
    definition,
    command.choices,
    command.alternatives ?? {},
    waitFor,
  );
  const choiceIssues = [...checkChoices(definition, command.choices), ...alternativeIssues];
  if (choiceIssues.length > 0) throw new InvalidChoice(choiceIssues);

  if (Object.keys(waitFor).length > 0) {
    const event = await loadEvent(deps.events, command.eventId);
    const alreadyFull = fullRoundsNow(event, command.choices, alternatives);
    if (alreadyFull.length > 0) throw new WorkshopFull({ workshopIds: alreadyFull });
    checkWaitFor(event, command.choices, waitFor);
  }

  const waitingFor = Object.fromEntries(
    Object.entries(waitFor).map(([roundId, workshopId]) => [roundId, [workshopId]]),
  );
  return createNewRegistration(
    command,
    { status: 'confirmed', choices: command.choices, alternatives, waitingFor },
    definition,
    deps,
  );
}
