import { type ChoiceIssue, InvalidChoice, NotFull, WorkshopFull } from '../domain/errors.js';
import { type Choices, type EventWithSeats, ownValue, seatsLeft } from '../domain/registration.js';
import type { EventCatalog } from '../ports.js';
import {
  assertOpen,
  type CreatedRegistration,
  type CreateRegistrationDeps,
  checkChoices,
  createNewRegistration,
  loadDefinition,
  loadEvent,
  type PersonDetails,
} from './registration-steps.js';

export type RegisterCommand = PersonDetails & {
  choices: Choices;
  /** Round id → a full workshop whose waiting list to join, instead of the seat chosen in that round. */
  waitFor?: Choices;
};

export type RegisterDeps = CreateRegistrationDeps & { events: EventCatalog };

export type RegisterResult = CreatedRegistration;

/** Workshops full when the event was read: refused without spending a transaction. */
function workshopsFullNow(event: EventWithSeats, workshopIds: string[]): string[] {
  return workshopIds.filter((id) => seatsLeft(event.seats.get(id)) === 0);
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
 * Registers with seats: one transaction, whose conditions refuse a full workshop (WORKSHOP_FULL names it). The
 * definition may come from the container's cache and the counters are not read first (issue 19: the answer
 * waits for little more than the transaction); only preferences to wait for need the live counters.
 */
export async function register(command: RegisterCommand, deps: RegisterDeps): Promise<RegisterResult> {
  const definition = await loadDefinition(deps.events, command.eventId);

  assertOpen(definition, deps.clock.now());

  const choiceIssues = checkChoices(definition, command.choices);
  if (choiceIssues.length > 0) throw new InvalidChoice(choiceIssues);

  const waitFor = command.waitFor ?? {};
  if (Object.keys(waitFor).length > 0) {
    const event = await loadEvent(deps.events, command.eventId);
    const alreadyFull = workshopsFullNow(event, Object.values(command.choices));
    if (alreadyFull.length > 0) throw new WorkshopFull({ workshopIds: alreadyFull });
    checkWaitFor(event, command.choices, waitFor);
  }

  const waitingFor = Object.fromEntries(
    Object.entries(waitFor).map(([roundId, workshopId]) => [roundId, [workshopId]]),
  );
  return createNewRegistration(
    command,
    { status: 'confirmed', choices: command.choices, waitingFor },
    definition,
    deps,
  );
}
