/**
 * Model-based test of the waiting lists (fast-check), against the real use cases and DynamoDB stores on the
 * embedded DynamoDB (docs/waiting-lists.md).
 *
 * A run creates a fresh event and executes random commands one after another: register (with `waitFor`
 * preferences), sign up for a place, join and leave a list, change, cancel (attendee and organiser), capacity
 * changes, an organiser removing an entry or promoting one out of turn, and the scheduled sweep. After every
 * command that frees seats or adds to a queue the promotion walk runs, as the handlers do (through the event's
 * lease, `promoteWithLease`); now and then it is skipped, as when the handler's walk fails, and left to the
 * sweep. Joins are ordered by a stepping clock, so that every command joins at a distinct, later time.
 *
 * After every command:
 *  1. the outcome is the one a small reference model gives (below), and the walk handed exactly the seats the
 *     model's promotion hands, to the same entries, in the same order: greedy over the queue in join order,
 *     the first entry the free seats satisfy (a place: per round the first accepted workshop with a free seat),
 *     starting again from the head after each promotion, a preference releasing the seat it held;
 *  2. the table equals the model: seats, registrations (status, choices, `waitingFor`, version) and the queue;
 *  3. the invariants hold, read straight from the table (test/model/invariants.ts): 0 ≤ taken ≤ capacity,
 *     taken = confirmed holders, one active registration per email with its guard, entries ⟷ `waitingFor`;
 *  4. once a walk has run, no entry is left that the free seats could satisfy;
 *  5. every promotion has its promotion email in the outbox, `MAIL#<registrationId>.promotion.<version>`; at
 *     the end of a run the promotion emails are exactly the model's.
 * The same property must fail against deliberately broken walks and stores (bottom of this file).
 *
 * Runs: WAITING_FC_RUNS=2000 for thousands (the default below takes about 20 s); replay a failure with
 * FC_SEED=<seed> FC_PATH=<path>. MODEL_STATS=1 prints the outcomes seen per command kind and where time went.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoPromotionLease } from '../../lambdas/adapters/dynamodb/promotion-lease.js';
import { DynamoWaitingList } from '../../lambdas/adapters/dynamodb/waiting-list-store.js';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';
import type { Clock, PromotionLease, WaitingListStore } from '../../lambdas/ports.js';
import { cancelRegistration } from '../../lambdas/use-cases/cancel-registration.js';
import { changeChoices } from '../../lambdas/use-cases/change-choices.js';
import {
  type Promotion,
  type PromotionDeps,
  promoteEntryNow,
  promoteWaiting,
  promoteWithLease,
} from '../../lambdas/use-cases/promote-waiting.js';
import { register } from '../../lambdas/use-cases/register.js';
import {
  joinWaitingList,
  leaveWaitingList,
  removeWaitingEntry,
  signUpForPlace,
} from '../../lambdas/use-cases/waiting-list.js';
import type { TestTable } from '../support/dynamo.js';
import {
  batchGetAll,
  type EventState,
  invariantViolations,
  readEventState,
  registrationItemsOfEvent,
  satisfiableEntries,
} from './invariants.js';
import {
  asAttendee,
  attempt as attemptOutcome,
  type Outcome as BaseOutcome,
  type CapacitiesOf,
  expectPropertyFails,
  isCancellation,
  MISSING,
  modelEvent,
  modelTable,
  registered,
  replayParameters,
  sabotagedClient,
  sameSet,
  type TransactItems,
  takenIn,
  weighted,
  withoutSeatRelease,
} from './support.js';

// ---------------------------------------------------------------------------------------------------------
// The event and the people

const EVENT = modelEvent('Wachtlijstmodel', [
  { id: '1', workshops: ['a', 'b', 'c'] },
  { id: '2', workshops: ['d', 'e'] },
]);
const { definition, choicesAreValid, workshopsOf } = EVENT;
const ROUNDS = EVENT.rounds;
const ROUND_IDS: readonly string[] = ROUNDS.map((round) => round.id);
const WORKSHOPS = EVENT.workshops;
type Capacities = CapacitiesOf<typeof ROUNDS>;
const roundOf = (workshopId: string): string | undefined =>
  ROUNDS.find((round) => (round.workshops as readonly string[]).includes(workshopId))?.id;

/** A small pool, so that people are registered, waiting and refused as already registered. */
const PEOPLE = 10;
const emailOf = (person: number) => `wacht${person}@example.nl`;
const EMAILS = Array.from({ length: PEOPLE }, (_, person) => emailOf(person));

/** Every call is one millisecond later than the one before: joins are distinct and in command order. */
function steppingClock(start = Date.parse('2030-01-01T08:00:00.000Z')): Clock {
  let ticks = 0;
  return { now: () => new Date(start + ++ticks) };
}

// ---------------------------------------------------------------------------------------------------------
// The reference model: what the contract says, written as plainly as possible. Seats taken are derived.

type Wants = Record<string, string[]>;
type ModelRegistration = {
  id: string;
  person: number;
  status: 'confirmed' | 'waiting' | 'cancelled';
  choices: Record<string, string>;
  /** Round id → accepted workshops; {} when not waiting. */
  waitingFor: Wants;
  version: number;
};
type ModelEntry = { id: string; registrationId: string; kind: 'preference' | 'place'; wants: Wants };
type Model = {
  capacity: Capacities;
  registrations: ReadonlyMap<string, ModelRegistration>;
  /** In join order: commands run one after another, so the order of the commands that joined. */
  queue: readonly ModelEntry[];
  /** Ids of the promotion emails owed: `<registrationId>.promotion.<version>`. */
  mails: readonly string[];
};
/** A promotion as compared: the entry and the seats it took, round id → workshop id. */
type Handed = {
  entryId: string;
  takes: Record<string, string>;
  /** The model's only (not compared): the seats a promoted preference let go, for the statistics. */
  released?: string[];
};

const freeIn = (model: Model, workshopId: string) =>
  (model.capacity[workshopId as keyof Capacities] ?? 0) - takenIn(model, workshopId);
const activeOf = (model: Model, person: number) =>
  [...model.registrations.values()].find(
    (r) => r.person === person && (r.status === 'confirmed' || r.status === 'waiting'),
  );

function withRegistration(model: Model, registration: ModelRegistration, queue = model.queue): Model {
  return {
    ...model,
    registrations: new Map([...model.registrations, [registration.id, registration]]),
    queue,
  };
}
const withoutRounds = (wants: Wants, roundIds: readonly string[]): Wants =>
  Object.fromEntries(Object.entries(wants).filter(([roundId]) => !roundIds.includes(roundId)));
const entryIdsOf = (registration: ModelRegistration) =>
  registration.status === 'waiting'
    ? [`${registration.id}.event`]
    : Object.keys(registration.waitingFor).map((roundId) => `${registration.id}.${roundId}`);

/** Per round, the first accepted workshop with a free seat; undefined when some round has none. */
function seatsFor(model: Model, wants: Wants): Record<string, string> | undefined {
  const takes: Record<string, string> = {};
  for (const [roundId, accepted] of Object.entries(wants)) {
    const workshopId = accepted.find((id) => freeIn(model, id) > 0);
    if (!workshopId) return undefined;
    takes[roundId] = workshopId;
  }
  return Object.keys(takes).length > 0 ? takes : undefined;
}

/** One promotion: the seats taken, a preference's old seat released (choices replaced), the entry gone. */
function promote(model: Model, entry: ModelEntry, takes: Record<string, string>): Model {
  const registration = model.registrations.get(entry.registrationId);
  if (!registration) throw new Error(`model: no registration for ${entry.id}`);
  const version = registration.version + 1;
  const next = withRegistration(
    model,
    {
      ...registration,
      status: 'confirmed',
      choices: { ...registration.choices, ...takes },
      waitingFor: entry.kind === 'place' ? {} : withoutRounds(registration.waitingFor, Object.keys(takes)),
      version,
    },
    model.queue.filter((other) => other.id !== entry.id),
  );
  return { ...next, mails: [...model.mails, `${registration.id}.promotion.${version}`] };
}

/** The walk: the first entry in line the free seats satisfy, then again from the head, until none. */
function settle(model: Model): { model: Model; handed: Handed[] } {
  const handed: Handed[] = [];
  for (;;) {
    const next = model.queue
      .map((entry) => ({ entry, takes: seatsFor(model, entry.wants) }))
      .find((candidate) => candidate.takes !== undefined);
    if (!next?.takes) return { model, handed };
    const held = model.registrations.get(next.entry.registrationId)?.choices ?? {};
    model = promote(model, next.entry, next.takes);
    handed.push({
      entryId: next.entry.id,
      takes: next.takes,
      released: Object.keys(next.takes).flatMap((roundId) => (held[roundId] ? [held[roundId]] : [])),
    });
  }
}

const satisfiable = (model: Model) =>
  model.queue.filter((entry) => seatsFor(model, entry.wants)).map((entry) => entry.id);

/** Cancelled: the seats and every waiting entry let go. */
function cancel(model: Model, registration: ModelRegistration): Model {
  const gone = new Set(entryIdsOf(registration));
  return withRegistration(
    model,
    { ...registration, status: 'cancelled', waitingFor: {}, version: registration.version + 1 },
    model.queue.filter((entry) => !gone.has(entry.id)),
  );
}

/** Leaves the waiting lists of `roundIds`, or (waiting for a place) the list altogether: cancelled. */
function leave(model: Model, registration: ModelRegistration, roundIds: readonly string[]): Model {
  if (registration.status === 'waiting') return cancel(model, registration);
  const gone = new Set(roundIds.map((roundId) => `${registration.id}.${roundId}`));
  return withRegistration(
    model,
    {
      ...registration,
      waitingFor: withoutRounds(registration.waitingFor, roundIds),
      version: registration.version + 1,
    },
    model.queue.filter((entry) => !gone.has(entry.id)),
  );
}

// ---------------------------------------------------------------------------------------------------------
// The commands. Each is generated as raw random picks and resolved against the model when it runs (so that
// most commands fit the state: cancel someone holding seats, wait for a workshop that is full, ...; some do
// not, to reach the refusals), then run through the real use case and checked against `expect` on the model.

type Outcome = BaseOutcome & {
  /** Promotions the command itself made (an organiser promoting out of turn). */
  promotions?: Promotion[];
};
/** What the model says a command gives: the code (refusals name the workshops), the next state. */
type Expected = { code: string; workshopIds?: string[]; noop?: boolean; model: Model; handed?: Handed[] };

type Sut = {
  store: DynamoStore;
  waiting: WaitingListStore;
  eventId: string;
  clock: Clock;
  /** Manage tokens as the emails would carry them (a promotion sends a fresh one). */
  tokens: Map<string, string>;
  /** The promotion walk (the real one, or a broken one to show the property fails). */
  walk: (eventId: string, deps: PromotionDeps) => Promise<Promotion[]>;
};

type CommandSpec<Raw, Resolved> = {
  weight: number;
  arbitrary: fc.Arbitrary<Raw>;
  /** The concrete command, from the random picks and the model's state when it runs. */
  resolve(model: Model, raw: Raw): Resolved;
  run(sut: Sut, command: Resolved): Promise<Outcome>;
  expect(model: Model, command: Resolved, outcome: Outcome): Expected;
  /** Whether the handler runs the promotion walk after this outcome (the sweep is a walk). */
  walks(outcome: Outcome, command: Resolved): boolean;
};
// biome-ignore lint/suspicious/noExplicitAny: the table holds commands of different shapes
type AnySpec = CommandSpec<any, any>;
const spec = <Raw, Resolved>(command: CommandSpec<Raw, Resolved>): AnySpec => command;

/** A generated command: its kind, its random picks, and whether the handler's walk after it fails. */
type Command = { kind: string; raw: unknown; skipWalk: boolean };

const MISSING_ENTRY = 'no-such-registration-000.1';

/** Who a command acts on: mostly someone it fits, sometimes anyone, now and then nobody that exists. */
type Who = { who: 'fitting' | 'any' | 'missing'; n: number };
const whoArb: fc.Arbitrary<Who> = fc.record({
  who: fc.oneof(
    { arbitrary: fc.constant('fitting' as const), weight: 14 },
    { arbitrary: fc.constant('any' as const), weight: 3 },
    { arbitrary: fc.constant('missing' as const), weight: 1 },
  ),
  n: fc.nat({ max: 999 }),
});
const pickFrom = <T>(list: readonly T[], n: number): T | undefined => list[n % Math.max(1, list.length)];
function registrationFor(model: Model, { who, n }: Who, fits: (r: ModelRegistration) => boolean): string {
  if (who === 'missing') return MISSING;
  const all = [...model.registrations.values()];
  const fitting = all.filter(fits);
  return pickFrom(who === 'fitting' && fitting.length > 0 ? fitting : all, n)?.id ?? MISSING;
}
function entryFor(model: Model, { who, n }: Who): string {
  if (who === 'missing') return MISSING_ENTRY;
  return pickFrom(model.queue, n)?.id ?? MISSING_ENTRY;
}
const freeOf = (model: Model, roundId: string) => workshopsOf(roundId).filter((id) => freeIn(model, id) > 0);
/** The workshops somebody in the queue would accept. */
const wantedWorkshops = (model: Model) =>
  new Set(model.queue.flatMap((entry) => Object.values(entry.wants).flat()));
const orElse = <T>(list: readonly T[], fallback: readonly T[]) => (list.length > 0 ? list : fallback);

const personArb = fc.integer({ min: 0, max: PEOPLE - 1 });
const picksArb = fc.array(fc.nat({ max: 999 }), { minLength: 4, maxLength: 4 });
const rarely = weighted([false, 15], [true, 1]);
/** Small, so that workshops fill up and people wait; now and then 0 (a closed workshop). */
const capacityArb = weighted([1, 8], [2, 4], [3, 1], [0, 1]);
/** Round 1 fills first (three small workshops), so that people wait there for a preference or a place. */
const capacitiesArb: fc.Arbitrary<Capacities> = fc.record({
  a: capacityArb,
  b: capacityArb,
  c: capacityArb,
  d: capacityArb.map((n) => n + 2),
  e: capacityArb.map((n) => n + 1),
});

/** The outcome of a use case; an unexpected error's message with its stack. */
const attempt = (work: () => Promise<Outcome>): Promise<Outcome> => attemptOutcome(work, { stack: true });
/** Registering and signing up for a place: no waiting-list store. */
const registerDeps = (sut: Sut) => ({
  events: sut.store,
  registrations: sut.store,
  clock: sut.clock,
  secrets: cryptoSecrets,
});
const useCaseDeps = (sut: Sut) => ({
  events: sut.store,
  registrations: sut.store,
  waiting: sut.waiting,
  clock: sut.clock,
});
const promotionDeps = (sut: Sut): PromotionDeps => ({ ...useCaseDeps(sut), secrets: cryptoSecrets });
const personDetails = (sut: Sut, n: number) => ({
  eventId: sut.eventId,
  name: `Persoon ${n}`,
  email: emailOf(n),
  organisation: 'Modelgemeente',
  locale: 'nl' as const,
});
const ok = (outcome: Outcome) => outcome.code === 'OK' && !outcome.noop;
const refused = (model: Model, code: string, workshopIds?: string[]): Expected => ({
  code,
  model,
  ...(workshopIds ? { workshopIds } : {}),
});
/** The refusal when the person already has an active registration (one per email, waiting or not). */
function alreadyActive(model: Model, person: number): Expected | undefined {
  const active = activeOf(model, person);
  if (active) return refused(model, active.status === 'waiting' ? 'ALREADY_WAITING' : 'ALREADY_REGISTERED');
}
/** A command on a waiting entry: mostly one in the queue, now and then one that does not exist. */
const onEntry = {
  arbitrary: whoArb,
  resolve: (model: Model, who: Who) => ({ entryId: entryFor(model, who) }),
};
const entryOf = (model: Model, entryId: string) => model.queue.find((candidate) => candidate.id === entryId);
const NOT_MADE = 'the-registration-that-was-not-made';

const commands: Record<string, AnySpec> = {
  register: spec({
    weight: 5,
    arbitrary: fc.record({
      person: personArb,
      picks: picksArb,
      seats: weighted(['free', 12], ['any', 3], ['broken', 1]),
      waits: weighted(['none', 6], ['1', 4], ['2', 2], ['both', 1]),
      waitMode: weighted(['full', 12], ['any', 2], ['broken', 1]),
    }),
    resolve(model, raw) {
      const [p1 = 0, p2 = 0, p3 = 0, p4 = 0] = raw.picks;
      const choices: Record<string, string> = {};
      for (const [roundId, pick] of [
        ['1', p1],
        ['2', p2],
      ] as const) {
        const candidates =
          raw.seats === 'free' ? orElse(freeOf(model, roundId), workshopsOf(roundId)) : workshopsOf(roundId);
        choices[roundId] = pickFrom(candidates, pick) ?? '';
      }
      if (raw.seats === 'broken') {
        if (p3 % 3 === 0) delete choices['1'];
        else choices['1'] = p3 % 3 === 1 ? 'd' : 'zz';
      }
      const waitFor: Record<string, string> = {};
      const waitRounds = raw.waits === 'none' ? [] : raw.waits === 'both' ? ['1', '2'] : [raw.waits];
      for (const roundId of waitRounds) {
        const others = workshopsOf(roundId).filter((id) => id !== choices[roundId]);
        const full = others.filter((id) => freeIn(model, id) <= 0);
        // Waiting for a workshop with a free seat is refused (NOT_FULL): mostly, only full ones are waited for.
        const workshopId = pickFrom(raw.waitMode === 'full' ? full : others, roundId === '1' ? p3 : p4);
        if (workshopId) waitFor[roundId] = workshopId;
      }
      if (raw.waitMode === 'broken') {
        if (p4 % 2 === 0) waitFor['1'] = choices['1'] ?? 'a';
        else waitFor['9'] = 'a';
      }
      return { person: raw.person as number, choices, waitFor };
    },
    run: (sut, command) =>
      attempt(async () =>
        registered(
          sut,
          await register(
            {
              ...personDetails(sut, command.person),
              choices: command.choices,
              ...(Object.keys(command.waitFor).length > 0 ? { waitFor: command.waitFor } : {}),
            },
            registerDeps(sut),
          ),
        ),
      ),
    expect(model, command, outcome) {
      if (!choicesAreValid(command.choices)) return refused(model, 'INVALID_CHOICE');
      const full = Object.values(command.choices).filter((id) => freeIn(model, id) <= 0);
      if (full.length > 0) return refused(model, 'WORKSHOP_FULL', full);
      const waits = Object.entries(command.waitFor).sort(([a], [b]) => (a < b ? -1 : 1));
      if (waits.some(([roundId, id]) => roundOf(id) !== roundId || command.choices[roundId] === id))
        return refused(model, 'INVALID_CHOICE');
      const notFull = waits.map(([, id]) => id).filter((id) => freeIn(model, id) > 0);
      if (notFull.length > 0) return refused(model, 'NOT_FULL', notFull);
      const active = alreadyActive(model, command.person);
      if (active) return active;
      const id = outcome.id ?? NOT_MADE;
      return {
        code: 'OK',
        model: withRegistration(
          model,
          {
            id,
            person: command.person,
            status: 'confirmed',
            choices: command.choices,
            waitingFor: Object.fromEntries(waits.map(([roundId, workshopId]) => [roundId, [workshopId]])),
            version: 1,
          },
          // Joined at the same moment: the entry id (the round) breaks the tie.
          [
            ...model.queue,
            ...waits.map(([roundId, workshopId]) => ({
              id: `${id}.${roundId}`,
              registrationId: id,
              kind: 'preference' as const,
              wants: { [roundId]: [workshopId] },
            })),
          ],
        ),
      };
    },
    // A list joined with the registration: the handler walks (a seat may have come free meanwhile).
    walks: (outcome, command) => ok(outcome) && Object.keys(command.waitFor).length > 0,
  }),

  signUp: spec({
    weight: 4,
    arbitrary: fc.record({
      person: personArb,
      orders: fc.tuple(
        fc.shuffledSubarray([...workshopsOf('1')], { minLength: 3 }),
        fc.shuffledSubarray([...workshopsOf('2')], { minLength: 2 }),
      ),
      sizes: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
      mode: weighted(['wait', 12], ['any', 3], ['broken', 1]),
    }),
    resolve(model, raw) {
      const accepts: Wants = {};
      ROUND_IDS.forEach((roundId, index) => {
        const order = raw.orders[index] as string[];
        // To wait, a round needs all it accepts full: the full workshops first (mostly).
        const ranked =
          raw.mode === 'wait'
            ? [...order].sort((a, b) => Number(freeIn(model, a) > 0) - Number(freeIn(model, b) > 0))
            : order;
        accepts[roundId] = ranked.slice(0, raw.sizes[index]);
      });
      if (raw.mode === 'broken') {
        const variant = (raw.sizes[0] as number) % 3;
        if (variant === 0) delete accepts['2'];
        else if (variant === 1) accepts['1'] = [...(accepts['1'] ?? []), 'd'];
        else accepts['9'] = ['a'];
      }
      return { person: raw.person as number, accepts };
    },
    run: (sut, command) =>
      attempt(async () =>
        registered(
          sut,
          await signUpForPlace(
            { ...personDetails(sut, command.person), accepts: command.accepts },
            registerDeps(sut),
          ),
        ),
      ),
    expect(model, command, outcome) {
      const accepts = command.accepts as Wants;
      const unknownRound = Object.keys(accepts).some((roundId) => !ROUND_IDS.includes(roundId));
      const wrong = ROUND_IDS.some((roundId) => {
        const accepted = accepts[roundId] ?? [];
        return accepted.length === 0 || accepted.some((id) => roundOf(id) !== roundId);
      });
      if (unknownRound || wrong) return refused(model, 'INVALID_CHOICE');
      const wants = Object.fromEntries(ROUND_IDS.map((roundId) => [roundId, accepts[roundId] ?? []]));
      const seatsNow = seatsFor(model, wants);
      if (seatsNow) return refused(model, 'NOT_FULL', Object.values(seatsNow));
      const active = alreadyActive(model, command.person);
      if (active) return active;
      const id = outcome.id ?? NOT_MADE;
      return {
        code: 'OK',
        model: withRegistration(
          model,
          { id, person: command.person, status: 'waiting', choices: {}, waitingFor: wants, version: 1 },
          [...model.queue, { id: `${id}.event`, registrationId: id, kind: 'place', wants }],
        ),
      };
    },
    walks: ok,
  }),

  join: spec({
    weight: 8,
    arbitrary: fc.record({
      who: whoArb,
      pick: fc.nat({ max: 999 }),
      mode: weighted(['full', 14], ['any', 3], ['unknown', 1]),
      wrongToken: rarely,
    }),
    resolve(model, raw) {
      const target = registrationFor(
        model,
        raw.who,
        (r) => r.status === 'confirmed' && Object.keys(r.waitingFor).length < ROUNDS.length,
      );
      const current = model.registrations.get(target);
      const candidates = ROUNDS.flatMap((round) =>
        round.workshops.filter(
          (id) =>
            current?.choices[round.id] !== id &&
            !current?.waitingFor[round.id] &&
            (raw.mode !== 'full' || freeIn(model, id) <= 0),
        ),
      );
      const workshopId =
        raw.mode === 'unknown'
          ? 'zz'
          : (pickFrom(raw.mode === 'full' ? orElse(candidates, WORKSHOPS) : WORKSHOPS, raw.pick) ?? 'zz');
      return { target, workshopId, wrongToken: raw.wrongToken as boolean };
    },
    run: (sut, command) =>
      attempt(async () => {
        await joinWaitingList(
          { ...asAttendee(sut, command.target, command.wrongToken), workshopId: command.workshopId },
          useCaseDeps(sut),
        );
        return { code: 'OK' };
      }),
    expect(model, command) {
      const current = model.registrations.get(command.target);
      if (!current || command.wrongToken) return refused(model, 'REGISTRATION_NOT_FOUND');
      if (current.status === 'cancelled') return refused(model, 'REGISTRATION_CANCELLED');
      if (current.status === 'waiting') return refused(model, 'ALREADY_WAITING');
      const roundId = roundOf(command.workshopId);
      if (!roundId || current.choices[roundId] === command.workshopId)
        return refused(model, 'INVALID_CHOICE');
      if (current.waitingFor[roundId]) return refused(model, 'ALREADY_WAITING');
      if (freeIn(model, command.workshopId) > 0) return refused(model, 'NOT_FULL', [command.workshopId]);
      return {
        code: 'OK',
        model: withRegistration(
          model,
          {
            ...current,
            waitingFor: { ...current.waitingFor, [roundId]: [command.workshopId] },
            version: current.version + 1,
          },
          [
            ...model.queue,
            {
              id: `${current.id}.${roundId}`,
              registrationId: current.id,
              kind: 'preference',
              wants: { [roundId]: [command.workshopId] },
            },
          ],
        ),
      };
    },
    walks: ok,
  }),

  leave: spec({
    weight: 1,
    arbitrary: fc.record({ who: whoArb, pick: fc.nat({ max: 999 }), wrongToken: rarely }),
    resolve(model, raw) {
      const target = registrationFor(model, raw.who, (r) => Object.keys(r.waitingFor).length > 0);
      const waits = Object.keys(model.registrations.get(target)?.waitingFor ?? {});
      const roundId = pickFrom(orElse(waits, ROUND_IDS), raw.pick) ?? '1';
      return { target, roundId, wrongToken: raw.wrongToken as boolean };
    },
    run: (sut, command) =>
      attempt(async () => {
        const { leftEntryIds } = await leaveWaitingList(
          { ...asAttendee(sut, command.target, command.wrongToken), roundId: command.roundId },
          useCaseDeps(sut),
        );
        return { code: 'OK', noop: leftEntryIds.length === 0 };
      }),
    expect(model, command) {
      const current = model.registrations.get(command.target);
      if (!current || command.wrongToken) return refused(model, 'REGISTRATION_NOT_FOUND');
      if (current.status === 'waiting') return { code: 'OK', model: leave(model, current, []) };
      if (current.status !== 'confirmed' || !current.waitingFor[command.roundId])
        return { code: 'OK', noop: true, model };
      return { code: 'OK', model: leave(model, current, [command.roundId]) };
    },
    // Leaving frees no seat: the handler does not walk.
    walks: () => false,
  }),

  change: spec({
    weight: 3,
    arbitrary: fc.record({
      who: whoArb,
      picks: picksArb,
      rounds: weighted(['1', 4], ['2', 2], ['both', 2], ['none', 1]),
      mode: weighted(['free', 10], ['waited', 4], ['any', 3], ['broken', 1]),
      wrongToken: rarely,
    }),
    resolve(model, raw) {
      const wanted = wantedWorkshops(model);
      const confirmed = [...model.registrations.values()].filter((r) => r.status === 'confirmed');
      const holdsWanted = (r: ModelRegistration) => Object.values(r.choices).some((id) => wanted.has(id));
      const target = registrationFor(model, raw.who, (r) =>
        confirmed.some(holdsWanted) && raw.mode === 'free'
          ? confirmed.includes(r) && holdsWanted(r)
          : confirmed.includes(r),
      );
      const current = model.registrations.get(target);
      const [p1 = 0, p2 = 0] = raw.picks;
      const patch: Record<string, string> = {};
      const rounds = raw.rounds === 'none' ? [] : raw.rounds === 'both' ? ['1', '2'] : [raw.rounds];
      for (const roundId of rounds) {
        const pick = roundId === '1' ? p1 : p2;
        const free = freeOf(model, roundId).filter((id) => id !== current?.choices[roundId]);
        const waited = current?.waitingFor[roundId] ?? [];
        const candidates =
          raw.mode === 'free'
            ? orElse(free, workshopsOf(roundId))
            : raw.mode === 'waited'
              ? orElse(waited, orElse(free, workshopsOf(roundId)))
              : raw.mode === 'broken'
                ? ['zz', roundId === '1' ? 'd' : 'a']
                : workshopsOf(roundId);
        patch[roundId] = pickFrom(candidates, pick) ?? 'zz';
      }
      return { target, patch, wrongToken: raw.wrongToken as boolean };
    },
    run: (sut, command) =>
      attempt(async () => {
        const { outbox } = await changeChoices(
          { ...asAttendee(sut, command.target, command.wrongToken), choices: command.patch },
          useCaseDeps(sut),
        );
        return { code: 'OK', noop: !outbox };
      }),
    expect(model, command) {
      const current = model.registrations.get(command.target);
      if (!current || command.wrongToken) return refused(model, 'REGISTRATION_NOT_FOUND');
      if (current.status === 'waiting') return refused(model, 'REGISTRATION_WAITING');
      if (current.status === 'cancelled') return refused(model, 'REGISTRATION_CANCELLED');
      const merged: Record<string, string> = { ...current.choices, ...command.patch };
      if (!choicesAreValid(merged)) return refused(model, 'INVALID_CHOICE');
      const moves = Object.entries(merged).filter(([roundId, id]) => current.choices[roundId] !== id);
      const full = moves.map(([, id]) => id).filter((id) => freeIn(model, id) <= 0);
      if (full.length > 0) return refused(model, 'WORKSHOP_FULL', full);
      if (moves.length === 0) return { code: 'OK', noop: true, model };
      // Choosing the workshop waited for ends that wait.
      const ended = moves
        .filter(([roundId, id]) => current.waitingFor[roundId]?.includes(id))
        .map(([roundId]) => roundId);
      return {
        code: 'OK',
        model: withRegistration(
          model,
          {
            ...current,
            choices: merged,
            waitingFor: withoutRounds(current.waitingFor, ended),
            version: current.version + 1,
          },
          model.queue.filter((entry) => !ended.some((roundId) => entry.id === `${current.id}.${roundId}`)),
        ),
      };
    },
    walks: ok,
  }),

  cancel: spec({
    weight: 5,
    arbitrary: fc.record({
      who: whoArb,
      wanted: weighted([true, 3], [false, 1]),
      by: fc.constantFrom('attendee' as const, 'organiser' as const),
      wrongToken: rarely,
    }),
    resolve(model, raw) {
      // Mostly someone holding a seat that somebody waits for: the seat goes to the next in line.
      const wanted = wantedWorkshops(model);
      const holdsWanted = (r: ModelRegistration) =>
        r.status === 'confirmed' && Object.values(r.choices).some((id) => wanted.has(id));
      const target = registrationFor(model, raw.who, (r) =>
        raw.wanted && [...model.registrations.values()].some(holdsWanted)
          ? holdsWanted(r)
          : r.status !== 'cancelled',
      );
      return { target, by: raw.by as 'attendee' | 'organiser', wrongToken: raw.wrongToken as boolean };
    },
    run: (sut, command) =>
      attempt(async () => {
        const { cancelledNow } = await cancelRegistration(
          command.by === 'attendee'
            ? { ...asAttendee(sut, command.target, command.wrongToken), by: 'attendee' }
            : { registrationId: command.target, by: 'organiser', eventId: sut.eventId },
          { registrations: sut.store, clock: sut.clock },
        );
        return { code: 'OK', noop: !cancelledNow };
      }),
    expect(model, command) {
      const current = model.registrations.get(command.target);
      if (!current || (command.by === 'attendee' && command.wrongToken))
        return refused(model, 'REGISTRATION_NOT_FOUND');
      if (current.status === 'cancelled') return { code: 'OK', noop: true, model };
      return { code: 'OK', model: cancel(model, current) };
    },
    walks: ok,
  }),

  remove: spec({
    weight: 1,
    ...onEntry,
    run: (sut, command) =>
      attempt(async () => {
        const { leftEntryIds } = await removeWaitingEntry(
          { eventId: sut.eventId, entryId: command.entryId },
          useCaseDeps(sut),
        );
        return { code: 'OK', noop: leftEntryIds.length === 0 };
      }),
    expect(model, command) {
      const entry = entryOf(model, command.entryId);
      const current = entry && model.registrations.get(entry.registrationId);
      if (!entry || !current) return refused(model, 'WAITING_ENTRY_NOT_FOUND');
      return { code: 'OK', model: leave(model, current, Object.keys(entry.wants)) };
    },
    walks: () => false,
  }),

  promoteNow: spec({
    weight: 1,
    ...onEntry,
    run: (sut, command) =>
      attempt(async () => {
        const promotion = await promoteEntryNow(
          { eventId: sut.eventId, entryId: command.entryId },
          promotionDeps(sut),
        );
        return { code: 'OK', promotions: [promotion] };
      }),
    expect(model, command) {
      const entry = entryOf(model, command.entryId);
      if (!entry) return refused(model, 'WAITING_ENTRY_NOT_FOUND');
      const takes = seatsFor(model, entry.wants);
      if (!takes) return refused(model, 'WORKSHOP_FULL', [...new Set(Object.values(entry.wants).flat())]);
      return { code: 'OK', model: promote(model, entry, takes), handed: [{ entryId: entry.id, takes }] };
    },
    // A preference's seat was released: the handler walks for the next in line.
    walks: ok,
  }),

  setCapacities: spec({
    weight: 2,
    arbitrary: fc.record({
      adjust: weighted([true, 5], [false, 1]),
      deltas: fc.array(fc.integer({ min: -1, max: 2 }), {
        minLength: WORKSHOPS.length,
        maxLength: WORKSHOPS.length,
      }),
      capacities: capacitiesArb,
    }),
    resolve(model, raw) {
      if (!raw.adjust) return { capacities: raw.capacities as Capacities };
      const deltas = raw.deltas as number[];
      const wanted = wantedWorkshops(model);
      return {
        capacities: Object.fromEntries(
          WORKSHOPS.map((id, index) => {
            const delta = deltas[index] ?? 0;
            // A workshop people wait for is not made smaller here (that is refused or changes nothing).
            return [id, Math.max(0, model.capacity[id] + (wanted.has(id) ? Math.abs(delta) : delta))];
          }),
        ) as Capacities,
      };
    },
    run: (sut, command) =>
      attempt(async () => {
        await sut.store.putEventDefinition(sut.eventId, definition(command.capacities));
        return { code: 'OK' };
      }),
    expect(model, command) {
      const capacities = command.capacities as Capacities;
      const below = WORKSHOPS.filter((id) => takenIn(model, id) > capacities[id]);
      if (below.length > 0) return refused(model, 'CAPACITY_BELOW_TAKEN', below);
      return { code: 'OK', model: { ...model, capacity: { ...capacities } } };
    },
    // Capacity raised: the organiser's handler walks.
    walks: ok,
  }),

  sweep: spec({
    weight: 1,
    arbitrary: fc.constant({}),
    resolve: () => ({}),
    run: async () => ({ code: 'OK' }),
    expect: (model) => ({ code: 'OK', model }),
    walks: () => true,
  }),
};

const commandArb: fc.Arbitrary<Command> = fc
  .tuple(
    fc.oneof(
      ...Object.entries(commands).map(([kind, command]) => ({
        arbitrary: command.arbitrary.map((raw) => ({ kind, raw })),
        weight: command.weight,
      })),
    ),
    weighted([false, 8], [true, 1]),
  )
  .map(([command, skipWalk]) => ({ ...command, skipWalk: command.kind !== 'sweep' && skipWalk }));

// ---------------------------------------------------------------------------------------------------------
// Comparing the model with the table

const sortedEntries = <T>(record: Record<string, T>) =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b));

function projectModel(model: Model): string {
  return JSON.stringify({
    workshops: WORKSHOPS.map((id) => [id, model.capacity[id], takenIn(model, id)]),
    registrations: [...model.registrations.values()]
      .map((r) => [
        r.id,
        emailOf(r.person),
        r.status,
        sortedEntries(r.choices),
        sortedEntries(r.waitingFor),
        r.version,
      ])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
    queue: model.queue.map((entry) => [
      entry.id,
      entry.registrationId,
      entry.kind,
      sortedEntries(entry.wants),
    ]),
  });
}

function projectTable(state: EventState): string {
  return JSON.stringify({
    workshops: WORKSHOPS.map((id) => [id, state.workshops.get(id)?.capacity, state.workshops.get(id)?.taken]),
    registrations: state.registrations
      .map((r) => [
        r.id,
        r.email,
        r.status,
        sortedEntries(r.choices),
        sortedEntries(r.waitingFor ?? {}),
        r.version,
      ])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
    queue: state.waiting.map((entry) => [
      entry.id,
      entry.registrationId,
      entry.kind,
      sortedEntries(entry.wants),
    ]),
  });
}

/** What a real promotion handed: its entry and, per round it waited in, the workshop it holds now. */
const handedBy = (promotion: Promotion): Handed => ({
  entryId: promotion.entry.id,
  takes: Object.fromEntries(
    Object.keys(promotion.entry.wants).map((roundId) => [
      roundId,
      promotion.registration.choices[roundId] ?? '',
    ]),
  ),
});
const describeHanded = (handed: readonly Handed[]) =>
  handed.map((h) => `${h.entryId} → ${JSON.stringify(sortedEntries(h.takes))}`);

async function promotionMailsOf(table: TestTable, model: Model): Promise<string[]> {
  const ids = [...model.registrations.values()].flatMap((r) =>
    Array.from({ length: r.version + 1 }, (_, version) => `${r.id}.promotion.${version + 1}`),
  );
  const keys = ids.map((id) => ({ pk: `MAIL#${id}`, sk: 'META' }));
  return (await batchGetAll(table.documentClient, table.tableName, keys))
    .map((item) => String(item.id))
    .sort();
}

// ---------------------------------------------------------------------------------------------------------
// The property

const timing = { run: 0, walk: 0, read: 0 };
const rig = modelTable(() => console.info(JSON.stringify(timing)));
const count = rig.count;

/**
 * Commands per run: a few registrations first (the workshops fill), then any commands, long enough for lists
 * to form, seats to free and chains to run.
 */
const commandsArb: fc.Arbitrary<Command[]> = fc
  .tuple(
    fc.array(
      (commands.register as AnySpec).arbitrary.map(
        (raw): Command => ({ kind: 'register', raw, skipWalk: false }),
      ),
      { minLength: 2, maxLength: 6 },
    ),
    fc.array(commandArb, { minLength: 6, maxLength: 24, size: 'max' }),
  )
  .map(([first, then]) => [...first, ...then]);

type SutParts = Pick<Sut, 'store' | 'waiting' | 'walk'>;
/** As the handlers and the sweep walk: one walker per event, through the event's lease. */
const walkWithLease =
  (lease: PromotionLease) =>
  (eventId: string, deps: PromotionDeps): Promise<Promotion[]> =>
    promoteWithLease(eventId, { ...deps, lease, newOwnerId: randomUUID });
const realParts = (t: TestTable): SutParts => {
  const waiting = new DynamoWaitingList(t.documentClient, t.tableName);
  const lease = new DynamoPromotionLease(t.documentClient, t.tableName);
  return { store: new DynamoStore(t.documentClient, t.tableName), waiting, walk: walkWithLease(lease) };
};

/** A fresh event with the initial capacities, on the parts `makeParts` builds, and its joins' stepping clock. */
async function startRun(makeParts: (table: TestTable) => SutParts, prefix: string, initial: Capacities) {
  const sut: Sut = {
    ...makeParts(rig.table),
    eventId: rig.eventId(prefix),
    clock: steppingClock(),
    tokens: new Map(),
  };
  await sut.store.putEventDefinition(sut.eventId, definition(initial));
  return sut;
}
/** Promoted: the fresh manage tokens the promotion emails carry. */
const keepTokens = (sut: Sut, promotions: readonly Promotion[]) => {
  for (const promotion of promotions) sut.tokens.set(promotion.registration.id, promotion.manageToken);
};

function waitingListProperty(makeParts: (table: TestTable) => SutParts) {
  return fc.asyncProperty(capacitiesArb, commandsArb, async (initial, list) => {
    const { table } = rig;
    const sut = await startRun(makeParts, 'wl-model', initial);
    let model: Model = { capacity: { ...initial }, registrations: new Map(), queue: [], mails: [] };
    /** False after a handler's walk was skipped, until the next walk: seats may be free for someone waiting. */
    let settled = true;
    const log: string[] = [];

    for (const [index, command] of list.entries()) {
      const spec = commands[command.kind] as AnySpec;
      const resolved = spec.resolve(model, command.raw);
      let t0 = performance.now();
      const outcome = await spec.run(sut, resolved);
      timing.run += performance.now() - t0;
      const expected = spec.expect(model, resolved, outcome);
      const handed: Handed[] = [...(expected.handed ?? [])];
      const promotions = [...(outcome.promotions ?? [])];
      model = expected.model;
      let walked = false;
      if (spec.walks(outcome, resolved)) {
        if (command.skipWalk) settled = false;
        else {
          t0 = performance.now();
          promotions.push(...(await sut.walk(sut.eventId, promotionDeps(sut))));
          timing.walk += performance.now() - t0;
          const after = settle(model);
          model = after.model;
          handed.push(...after.handed);
          settled = true;
          walked = true;
        }
      }
      keepTokens(sut, promotions);
      for (const promotion of promotions) count(`  promoted: ${promotion.entry.kind}`);
      const chained = handed.some((h, i) =>
        handed
          .slice(i + 1)
          .some((later) => Object.values(later.takes).some((id) => h.released?.includes(id))),
      );
      if (chained) count('  a seat released by a promotion went to the next in line');
      count(
        `${command.kind} → ${outcome.code}${outcome.noop ? ' (no-op)' : ''}${
          promotions.length > 0 ? ` + ${promotions.length > 1 ? 'several promotions' : 'a promotion'}` : ''
        }`,
      );

      log.push(
        `${index + 1}. ${command.kind}${command.skipWalk ? ' (its walk fails)' : ''} ${JSON.stringify(resolved)} → ${JSON.stringify(
          {
            ...outcome,
            promotions: undefined,
          },
        )}${walked ? ` walk: ${describeHanded(promotions.map(handedBy)).join('; ') || 'nothing'}` : ''}`,
      );
      const fail = (what: string) =>
        new Error(`${what}\nafter command ${index + 1} of event ${sut.eventId}:\n  ${log.join('\n  ')}`);

      if (outcome.code === 'UNEXPECTED') throw fail(`unexpected error ${outcome.message}`);
      if (
        outcome.code !== expected.code ||
        Boolean(outcome.noop) !== Boolean(expected.noop) ||
        (expected.workshopIds && !sameSet(outcome.workshopIds, expected.workshopIds))
      )
        throw fail(
          `the model expected ${JSON.stringify({ code: expected.code, noop: expected.noop, workshopIds: expected.workshopIds })}`,
        );
      const real = describeHanded(promotions.map(handedBy));
      const reference = describeHanded(handed);
      if (JSON.stringify(real) !== JSON.stringify(reference))
        throw fail(
          `promotions ${JSON.stringify(real)}, the reference model hands ${JSON.stringify(reference)}`,
        );

      // A refusal the model expected changed nothing: the table is read again after the next change.
      const refusal = expected.code !== 'OK' || (expected.noop && promotions.length === 0);
      if (refusal && index < list.length - 1) continue;
      t0 = performance.now();
      const state = await readEventState(table.documentClient, table.tableName, sut.eventId, {
        candidateEmails: EMAILS,
        registrationIds: [...new Set([...model.registrations.keys(), ...(outcome.id ? [outcome.id] : [])])],
      });
      timing.read += performance.now() - t0;
      const problems = invariantViolations(state);
      if (problems.length > 0) throw fail(`invariants broken:\n  ${problems.join('\n  ')}`);
      const stuck = satisfiableEntries(state);
      if (settled && stuck.length > 0)
        throw fail(`after the walk, free seats could still satisfy ${stuck.join(', ')}`);
      if (!sameSet(stuck, satisfiable(model)))
        throw fail(
          `satisfiable entries ${stuck.join(', ')}, the model says ${satisfiable(model).join(', ')}`,
        );
      const observed = projectTable(state);
      if (observed !== projectModel(model))
        throw fail(
          `the table differs from the model:\n  model: ${projectModel(model)}\n  table: ${observed}`,
        );
      for (const promotion of promotions) {
        const id = `${promotion.registration.id}.promotion.${promotion.registration.version}`;
        const { Item } = await table.documentClient.send(
          new GetCommand({
            TableName: table.tableName,
            Key: { pk: `MAIL#${id}`, sk: 'META' },
            ConsistentRead: true,
          }),
        );
        if (Item?.kind !== 'promotion' || Item.registrationId !== promotion.registration.id)
          throw fail(`no promotion email ${id} in the outbox`);
      }
    }
    // Registrations were read by the ids the model knows: the event's index must list exactly those.
    const listed = (await registrationItemsOfEvent(table.documentClient, table.tableName, sut.eventId)).map(
      (item) => String(item.id),
    );
    if (!sameSet(listed, [...model.registrations.keys()]))
      throw new Error(
        `the index lists registrations ${listed.join(', ')}, the model has ${[...model.registrations.keys()].join(', ')}`,
      );
    const mails = await promotionMailsOf(table, model);
    if (!sameSet(mails, [...model.mails]))
      throw new Error(
        `promotion emails ${mails.join(', ')}, the model owes ${model.mails.join(', ')}, event ${sut.eventId}`,
      );
  });
}

// ---------------------------------------------------------------------------------------------------------
// The same commands concurrently. Under concurrency there is no single expected outcome, so the commands of a
// batch are resolved against the state read from the table when the batch starts, run side by side (each
// followed by its handler's walk), and after every batch and a sweep the invariants must hold: within capacity,
// counters equal holders, entries ⟷ waitingFor, nobody left whom the free seats could satisfy, and every
// promotion with its one promotion email.

/** The model as the table has it (for resolving commands; it predicts nothing under concurrency). */
function modelOf(state: EventState): Model {
  return {
    capacity: Object.fromEntries(
      WORKSHOPS.map((id) => [id, state.workshops.get(id)?.capacity ?? 0]),
    ) as Capacities,
    registrations: new Map(
      state.registrations.map((r) => [
        r.id,
        {
          id: r.id,
          person: EMAILS.indexOf(r.email),
          status: r.status as ModelRegistration['status'],
          choices: r.choices,
          waitingFor: r.waitingFor ?? {},
          version: r.version ?? 1,
        },
      ]),
    ),
    queue: state.waiting.map((entry) => ({
      id: entry.id,
      registrationId: entry.registrationId,
      kind: entry.kind as ModelEntry['kind'],
      wants: entry.wants,
    })),
    mails: [],
  };
}

const batchesArb = fc.tuple(
  fc.array(
    (commands.register as AnySpec).arbitrary.map(
      (raw): Command => ({ kind: 'register', raw, skipWalk: false }),
    ),
    { minLength: 3, maxLength: 6 },
  ),
  fc.array(fc.array(commandArb, { minLength: 2, maxLength: 6 }), { minLength: 2, maxLength: 6 }),
);

function concurrentProperty(makeParts: (table: TestTable) => SutParts) {
  return fc.asyncProperty(capacitiesArb, batchesArb, async (initial, [first, batches]) => {
    const { table } = rig;
    const sut = await startRun(makeParts, 'wl-concurrent', initial);
    const read = () =>
      readEventState(table.documentClient, table.tableName, sut.eventId, { candidateEmails: EMAILS });
    const promoted: Promotion[] = [];
    const log: string[] = [];
    for (const [index, batch] of [...first.map((command) => [command]), ...batches].entries()) {
      const model = modelOf(await read());
      const resolved = batch.map((command) => ({
        command,
        spec: commands[command.kind] as AnySpec,
        resolved: (commands[command.kind] as AnySpec).resolve(model, command.raw),
      }));
      const outcomes = await Promise.all(
        resolved.map(async ({ command, spec, resolved }) => {
          const outcome = await spec.run(sut, resolved);
          const promotions = [...(outcome.promotions ?? [])];
          if (spec.walks(outcome, resolved) && !command.skipWalk)
            promotions.push(...(await sut.walk(sut.eventId, promotionDeps(sut))));
          keepTokens(sut, promotions);
          promoted.push(...promotions);
          count(`concurrent ${command.kind} → ${outcome.code}`);
          if (promotions.length > 0) count(`  concurrent: promotions after ${command.kind}`);
          return { outcome, promotions };
        }),
      );
      const sweep = await promoteWaiting(sut.eventId, promotionDeps(sut));
      if (sweep.length > 0) count('  concurrent: promotions left to the sweep');
      promoted.push(...sweep);
      keepTokens(sut, sweep);
      log.push(
        `batch ${index + 1}: ${resolved
          .map(
            ({ command, resolved }, i) =>
              `${command.kind} ${JSON.stringify(resolved)} → ${outcomes[i]?.outcome.code} ${describeHanded(
                outcomes[i]?.promotions.map(handedBy) ?? [],
              ).join('; ')}`,
          )
          .join(
            '\n    ',
          )}${sweep.length > 0 ? `\n    sweep: ${describeHanded(sweep.map(handedBy)).join('; ')}` : ''}`,
      );
      const fail = (what: string) => new Error(`${what}\nevent ${sut.eventId}:\n  ${log.join('\n  ')}`);
      const unexpected = outcomes.find(({ outcome }) => outcome.code === 'UNEXPECTED');
      if (unexpected) throw fail(`unexpected error ${unexpected.outcome.message}`);
      const state = await read();
      const problems = invariantViolations(state);
      if (problems.length > 0) throw fail(`invariants broken:\n  ${problems.join('\n  ')}`);
      const stuck = satisfiableEntries(state);
      if (stuck.length > 0) throw fail(`after the sweep, free seats could still satisfy ${stuck.join(', ')}`);
    }
    // Every promotion, in whichever walk, has exactly one promotion email, and there is no other.
    const state = await read();
    const ids = promoted.map((p) => `${p.registration.id}.promotion.${p.registration.version}`).sort();
    const mails = await promotionMailsOf(table, modelOf(state));
    if (JSON.stringify(mails) !== JSON.stringify(ids))
      throw new Error(
        `promotion emails ${mails.join(', ')}, promotions ${ids.join(', ')}, event ${sut.eventId}`,
      );
  });
}

const DEFAULT_RUNS = 40;
const DEFAULT_CONCURRENT_RUNS = 15;
const concurrentRuns = () => Number(process.env.WAITING_FC_CONCURRENT_RUNS) || DEFAULT_CONCURRENT_RUNS;
/** Room for slow machines, and for many more runs than the default. */
const timeoutFor = (runs: number, msPerRun: number) => Math.max(120_000, runs * msPerRun);
const runParameters = () =>
  replayParameters<[Capacities, Command[]]>(Number(process.env.WAITING_FC_RUNS) || DEFAULT_RUNS);

describe('waiting lists (model-based)', () => {
  it(
    'promote exactly as the reference model, keeping seats, entries and waitingFor consistent',
    async () => {
      await fc.assert(waitingListProperty(realParts), runParameters());
    },
    timeoutFor(runParameters().numRuns ?? DEFAULT_RUNS, 2_000),
  );

  it(
    'keep seats, entries and waitingFor consistent under concurrent commands and walks',
    async () => {
      await fc.assert(concurrentProperty(realParts), replayParameters(concurrentRuns()));
    },
    timeoutFor(concurrentRuns(), 3_000),
  );
});

// ---------------------------------------------------------------------------------------------------------
// The property can fail: against broken walks and stores it must report a failure.

/** The real stores on a client whose transactions are rewritten by `sabotage` on their way to DynamoDB. */
function sabotaged(t: TestTable, sabotage: (items: TransactItems) => TransactItems): SutParts {
  const client = sabotagedClient(t.documentClient, sabotage);
  const waiting = new DynamoWaitingList(client, t.tableName);
  const lease = new DynamoPromotionLease(client, t.tableName);
  return { store: new DynamoStore(client, t.tableName), waiting, walk: walkWithLease(lease) };
}
/** A promotion's transaction: the one that owes a promotion email. */
const isPromotion = (items: TransactItems) => items.some((item) => item.Put?.Item?.kind === 'promotion');
/** The transaction without its deletes of waiting entries. */
const withoutEntryDeletes = (items: TransactItems) =>
  items.filter((item) => !String(item.Delete?.Key?.pk).startsWith('WAIT#'));

const brokenVariants: [string, (t: TestTable) => SutParts][] = [
  [
    'a walk that skips the head of the queue',
    (t) => {
      const parts = realParts(t);
      const waiting: SutParts['waiting'] = Object.create(parts.waiting);
      waiting.queue = async (eventId) => (await parts.waiting.queue(eventId)).slice(1);
      // The walk (through the real lease) reads the queue through this store, which the deps carry.
      return { ...parts, waiting };
    },
  ],
  [
    'a walk that stops after one promotion (no new start from the head)',
    (t) => ({
      ...realParts(t),
      walk: (eventId, deps) => promoteWaiting(eventId, deps, { maxPromotions: 1, maxRereads: 10 }),
    }),
  ],
  [
    'a promotion that does not release the seat a preference held',
    (t) => sabotaged(t, (items) => (isPromotion(items) ? withoutSeatRelease(items) : items)),
  ],
  [
    'a promotion that leaves its waiting entry behind',
    (t) => sabotaged(t, (items) => (isPromotion(items) ? withoutEntryDeletes(items) : items)),
  ],
  [
    'a cancellation that leaves the waiting entries behind',
    (t) => sabotaged(t, (items) => (isCancellation(items) ? withoutEntryDeletes(items) : items)),
  ],
];

describe('the waiting-list property catches broken walks and stores', () => {
  it.each(brokenVariants)('%s', async (_name, makeParts) => {
    const result = await expectPropertyFails(waitingListProperty(makeParts), 200);
    expect(String(result.errorInstance)).not.toMatch(/unexpected error/);
  });
});
