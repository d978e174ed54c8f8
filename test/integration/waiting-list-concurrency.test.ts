/**
 * Waiting lists under concurrency, against the embedded DynamoDB, through the use cases and the DynamoDB
 * stores (docs/waiting-lists.md). The invariants are read straight from the table (test/model/invariants.ts).
 *
 *  - A storm: 30 cancellations at once while 60 people wait on three full workshops, every cancellation
 *    followed by a promotion walk (raw walks racing each other, and walks through the event's lease as the
 *    handlers do), plus extra walks as the sweep would. Once settled: within capacity, counters equal holders,
 *    nobody left whom the free seats could satisfy, first come first served per workshop, one promotion email
 *    per promotion, entries and `waitingFor` in agreement.
 *  - A chain: a preference promoted releases its old seat, which promotes the next one waiting for it.
 *  - A cancel racing the promotion of the same registration: exactly one of the two wins.
 *  - A lagging queue index (a deleted entry still listed) never promotes or removes an entry joined since.
 */
import { randomUUID } from 'node:crypto';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoPromotionLease } from '../../lambdas/adapters/dynamodb/promotion-lease.js';
import { DynamoWaitingList } from '../../lambdas/adapters/dynamodb/waiting-list-store.js';
import { cryptoSecrets } from '../../lambdas/adapters/system.js';
import { newOutboxEntry } from '../../lambdas/domain/email.js';
import { RegistrationChanged } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { WaitingEntry } from '../../lambdas/domain/waiting-list.js';
import type { Clock } from '../../lambdas/ports.js';
import { cancelRegistration } from '../../lambdas/use-cases/cancel-registration.js';
import {
  type Promotion,
  type PromotionDeps,
  promoteWaiting,
  promoteWithLease,
} from '../../lambdas/use-cases/promote-waiting.js';
import { register } from '../../lambdas/use-cases/register.js';
import { joinWaitingList, leaveWaitingList, signUpForPlace } from '../../lambdas/use-cases/waiting-list.js';
import {
  type EventState,
  invariantViolations,
  readEventState,
  satisfiableEntries,
} from '../model/invariants.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';

let table: TestTable;
let store: DynamoStore;
let waiting: DynamoWaitingList;
let lease: DynamoPromotionLease;

/** Every call one millisecond later: people join in the order the test makes them join, never at the same time. */
const clock: Clock = (() => {
  let ticks = 0;
  const start = Date.parse('2030-02-01T09:00:00.000Z');
  return { now: () => new Date(start + ++ticks) };
})();

const promotionDeps = (): PromotionDeps => ({
  events: store,
  registrations: store,
  waiting,
  clock,
  secrets: cryptoSecrets,
});
const useCaseDeps = () => ({ events: store, registrations: store, waiting, clock });
/** The walk the handlers and the sweep run: one walker per event, through the event's lease. */
const walkWithLease = (eventId: string) =>
  promoteWithLease(eventId, { ...promotionDeps(), lease, newOwnerId: randomUUID });
const rawWalk = (eventId: string) => promoteWaiting(eventId, promotionDeps());

function definition(rounds: Record<string, Record<string, number>>): EventDefinition {
  return {
    title: 'Wachtlijst onder druk',
    date: '2030-09-01',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: Object.entries(rounds).map(([id, workshops]) => ({
      id,
      title: `Ronde ${id}`,
      workshops: Object.entries(workshops).map(([workshopId, capacity]) => ({
        id: workshopId,
        title: workshopId,
        description: '',
        speakers: [],
        capacity,
      })),
    })),
  };
}

type Person = { id: string; token: string; email: string };
let people = 0;
const details = (eventId: string) => {
  people += 1;
  return {
    eventId,
    name: `Deelnemer ${people}`,
    email: `druk${people}@example.nl`,
    organisation: 'Gemeente',
    locale: 'nl' as const,
  };
};

async function registered(
  eventId: string,
  choices: Record<string, string>,
  waitFor?: Record<string, string>,
): Promise<Person> {
  const person = details(eventId);
  const { registration, manageToken } = await register(
    { ...person, choices, ...(waitFor ? { waitFor } : {}) },
    { events: store, registrations: store, clock, secrets: cryptoSecrets },
  );
  return { id: registration.id, token: manageToken, email: person.email };
}

async function signedUp(eventId: string, accepts: Record<string, string[]>): Promise<Person> {
  const person = details(eventId);
  const { registration, manageToken } = await signUpForPlace(
    { ...person, accepts },
    { events: store, registrations: store, clock, secrets: cryptoSecrets },
  );
  expect(registration.status).toBe('waiting');
  return { id: registration.id, token: manageToken, email: person.email };
}

async function joined(person: Person, workshopId: string): Promise<void> {
  await joinWaitingList({ registrationId: person.id, manageToken: person.token, workshopId }, useCaseDeps());
}

async function stateOf(eventId: string): Promise<EventState> {
  return readEventState(table.documentClient, table.tableName, eventId);
}

/** The event is consistent: within capacity, counters equal holders, entries ⟷ waitingFor, one guard each. */
async function expectConsistent(eventId: string): Promise<EventState> {
  const state = await stateOf(eventId);
  expect(invariantViolations(state), `invariants of ${eventId}`).toEqual([]);
  return state;
}

const takenOf = (state: EventState) =>
  Object.fromEntries([...state.workshops.values()].map((workshop) => [workshop.id, workshop.taken]));
const registrationIn = (state: EventState, id: string) => state.registrations.find((r) => r.id === id);

/** The ids of the promotion emails in the outbox for these registrations (every version they reached). */
async function promotionMails(state: EventState): Promise<string[]> {
  const keys = state.registrations.flatMap((r) =>
    Array.from({ length: r.version ?? 1 }, (_, v) => ({ pk: `MAIL#${r.id}.promotion.${v + 1}`, sk: 'META' })),
  );
  const found: string[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + 100);
    while (pending.length > 0) {
      const result = await table.documentClient.send(
        new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[table.tableName] ?? []) {
        expect(item).toMatchObject({ kind: 'promotion', eventId: state.eventId });
        found.push(String(item.id));
      }
      pending = result.UnprocessedKeys?.[table.tableName]?.Keys ?? [];
    }
  }
  return found.sort();
}

const mailIdOf = (promotion: Promotion) =>
  `${promotion.registration.id}.promotion.${promotion.registration.version}`;

/** A small deterministic shuffle (mulberry32), so that a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  table = await startTestTable();
  store = new DynamoStore(table.documentClient, table.tableName);
  waiting = new DynamoWaitingList(table.documentClient, table.tableName);
  lease = new DynamoPromotionLease(table.documentClient, table.tableName);
});
afterAll(async () => table?.close());

// ---------------------------------------------------------------------------------------------------------

const FULL = ['a', 'b', 'c'] as const;
const next = (workshopId: string) => FULL[(FULL.indexOf(workshopId as (typeof FULL)[number]) + 1) % 3] ?? 'a';

describe.each([
  ['walks racing each other (promoteWaiting after every cancel)', rawWalk, 1],
  ['one walker per event (promoteWithLease, as the handlers do)', walkWithLease, 2],
])('a storm of cancellations: %s', (_name, walk, seed) => {
  it('hands every freed seat to the first in line who can use it, once, within capacity', async () => {
    const eventId = `storm-${seed}`;
    // A, B and C are full; H holds the seats of people who would rather have A, B or C; X has room for all.
    await store.putEventDefinition(
      eventId,
      definition({ '1': { a: 14, b: 13, c: 13, h: 100 }, '2': { x: 500 } }),
    );

    // 30 seat holders who will cancel, 10 per workshop; 6 of them also wait for the next workshop.
    const cancellers: { person: Person; holds: string; waits: boolean }[] = [];
    for (let i = 0; i < 30; i++) {
      const holds = FULL[i % 3] ?? 'a';
      cancellers.push({ person: await registered(eventId, { '1': holds, '2': 'x' }), holds, waits: i < 6 });
    }
    // 10 more seat holders of A, B and C who would rather have another of the three (chains).
    const chainHolders: { person: Person; holds: string }[] = [];
    for (const holds of ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c']) {
      chainHolders.push({ person: await registered(eventId, { '1': holds, '2': 'x' }), holds });
    }
    // 14 people in H who would rather have A, B or C.
    const inH: Person[] = [];
    for (let i = 0; i < 14; i++) inH.push(await registered(eventId, { '1': 'h', '2': 'x' }));
    expect(takenOf(await stateOf(eventId))).toMatchObject({ a: 14, b: 13, c: 13 });

    // 60 people join, in a shuffled order: 6 cancellers, 10 chain holders and 14 from H with a preference,
    // 30 sign up for a place (15 accept one workshop in round 1, 15 accept two, in their order).
    const joins: (() => Promise<unknown>)[] = [
      ...cancellers.filter((c) => c.waits).map((c) => () => joined(c.person, next(c.holds))),
      ...chainHolders.map(
        (c, i) => () => joined(c.person, i % 2 === 0 ? next(c.holds) : next(next(c.holds))),
      ),
      ...inH.map((person, i) => () => joined(person, FULL[i % 3] ?? 'a')),
      ...Array.from({ length: 30 }, (_, i) => () => {
        const first = FULL[i % 3] ?? 'a';
        const accepts = i < 15 ? [first] : [first, i % 2 === 0 ? next(first) : next(next(first))];
        return signedUp(eventId, { '1': accepts, '2': ['x'] });
      }),
    ];
    for (const join of shuffled(joins, seed)) await join();
    const before = await expectConsistent(eventId);
    expect(before.waiting).toHaveLength(60);
    const initial = new Map(before.waiting.map((entry, position) => [entry.id, { entry, position }]));

    // The storm: every cancellation followed by a walk, as the handlers do, and five walks of the sweep.
    const cancels = shuffled(cancellers, seed + 7).map(async ({ person, waits }, i) => {
      await sleep(i % 5);
      // Whoever waits may be promoted meanwhile, and the promotion email replaces the manage link: the
      // organiser cancels those (no token); the others cancel themselves.
      const { cancelledNow } = await cancelRegistration(
        waits
          ? { registrationId: person.id, by: 'organiser', eventId }
          : { registrationId: person.id, manageToken: person.token, by: 'attendee' },
        { registrations: store, clock },
      );
      expect(cancelledNow).toBe(true);
      return walk(eventId);
    });
    const sweeps = Array.from({ length: 5 }, async (_, i) => {
      await sleep(3 * i);
      return walk(eventId);
    });
    const outcomes = await Promise.allSettled([...cancels, ...sweeps]);
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(failures).toEqual([]);
    const promotions = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));
    // The sweep after the storm (a walk left work for the sweep, e.g. after its rereads ran out).
    promotions.push(...(await rawWalk(eventId)));

    const after = await expectConsistent(eventId);
    // Every freed seat went to someone waiting who could use it.
    expect(satisfiableEntries(after), 'entries the free seats could satisfy').toEqual([]);
    // 30 seats came free and more than 30 people wait without holding any of A, B, C: all three full again.
    expect(takenOf(after)).toMatchObject({ a: 14, b: 13, c: 13 });
    for (const { person } of cancellers) {
      expect(registrationIn(after, person.id)).toMatchObject({ status: 'cancelled' });
      expect(registrationIn(after, person.id)?.waitingFor).toBeUndefined();
    }

    // Every promotion was of an entry that was waiting, once, with its email; and no email without one.
    const promotedEntries = promotions.map((promotion) => promotion.entry.id);
    expect(new Set(promotedEntries).size, 'an entry promoted twice').toBe(promotedEntries.length);
    for (const id of promotedEntries) expect(initial.has(id), `${id} was waiting`).toBe(true);
    expect(await promotionMails(after)).toEqual(promotions.map(mailIdOf).sort());
    expect(promotions.length).toBeGreaterThanOrEqual(30);

    // Every entry that was waiting is still waiting, was promoted, or went with its cancelled registration.
    const remaining = new Map(after.waiting.map((entry) => [entry.id, entry]));
    for (const [id, { entry }] of initial) {
      const promoted = promotedEntries.includes(id);
      const cancelled = registrationIn(after, entry.registrationId)?.status === 'cancelled';
      expect(
        [remaining.has(id), promoted, cancelled && !promoted].filter(Boolean),
        `what became of entry ${id}`,
      ).toHaveLength(1);
      if (remaining.has(id)) expect(remaining.get(id)).toEqual(entry);
    }

    // First come, first served, per workshop. Everyone joined before the storm and nobody joined again, so an
    // entry still waiting now was waiting at the moment of every promotion. Round 2 (X) always has room, so one
    // seat of W satisfies any entry that accepts W in round 1: a preference for W, or a place accepting W. A
    // promotion into W therefore skipped every entry that joined earlier, accepts W and still waits. (A seat a
    // promoted preference releases is simply a free seat again: whoever gets it is checked the same way, as a
    // promotion into that workshop.)
    const skips: string[] = [];
    for (const promotion of promotions) {
      const workshopId = promotion.registration.choices['1'] ?? '';
      const position = initial.get(promotion.entry.id)?.position ?? -1;
      for (const entry of remaining.values()) {
        const earlier = (initial.get(entry.id)?.position ?? Number.POSITIVE_INFINITY) < position;
        if (earlier && (entry.wants['1'] ?? []).includes(workshopId))
          skips.push(
            `${promotion.entry.id} got ${workshopId}, ${entry.id} (earlier, wants ${entry.wants['1']}) waits`,
          );
      }
    }
    expect(skips).toEqual([]);

    // The promoted registrations hold what they waited for, no longer wait there, or were cancelled since.
    for (const promotion of promotions) {
      const registration = registrationIn(after, promotion.registration.id);
      const wants = promotion.entry.wants['1'] ?? [];
      expect(wants).toContain(promotion.registration.choices['1']);
      if (registration?.status === 'confirmed') {
        expect(registration.choices['1']).toBe(promotion.registration.choices['1']);
        expect(registration.waitingFor?.['1']).toBeUndefined();
      } else {
        // Only a canceller can be promoted and then cancelled, the cancel having lost the race and retried.
        expect(cancellers.some((c) => c.person.id === promotion.registration.id)).toBe(true);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('a chain of promotions', () => {
  it('a promoted preference releases its seat to the next in line, and so on, in one walk', async () => {
    const eventId = 'chain';
    await store.putEventDefinition(eventId, definition({ '1': { a: 1, b: 1, c: 1, d: 1 }, '2': { x: 10 } }));
    const holder = await registered(eventId, { '1': 'a', '2': 'x' });
    const inB = await registered(eventId, { '1': 'b', '2': 'x' });
    const inC = await registered(eventId, { '1': 'c', '2': 'x' });
    const inD = await registered(eventId, { '1': 'd', '2': 'x' });
    // Joined in this order: D for C, C for B, B for A; a place for D last.
    await joined(inD, 'c');
    await joined(inC, 'b');
    await joined(inB, 'a');
    const place = await signedUp(eventId, { '1': ['d'], '2': ['x'] });

    await cancelRegistration(
      { registrationId: holder.id, manageToken: holder.token, by: 'attendee' },
      { registrations: store, clock },
    );
    const promotions = await walkWithLease(eventId);
    expect(promotions.map((p) => [p.registration.id, p.registration.choices['1']])).toEqual([
      [inB.id, 'a'],
      [inC.id, 'b'],
      [inD.id, 'c'],
      [place.id, 'd'],
    ]);
    const after = await expectConsistent(eventId);
    expect(takenOf(after)).toEqual({ a: 1, b: 1, c: 1, d: 1, x: 4 });
    expect(after.waiting).toEqual([]);
    expect(registrationIn(after, place.id)).toMatchObject({
      status: 'confirmed',
      choices: { '1': 'd', '2': 'x' },
    });
    expect(await promotionMails(after)).toEqual(promotions.map(mailIdOf).sort());
    expect(await walkWithLease(eventId)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('a cancel racing the promotion of the same registration', () => {
  /** R holds B and waits for A; A's seat has just come free; Q holds C and waits for B. */
  async function raceSetup(eventId: string) {
    await store.putEventDefinition(eventId, definition({ '1': { a: 1, b: 1, c: 1 }, '2': { x: 10 } }));
    const holder = await registered(eventId, { '1': 'a', '2': 'x' });
    const racer = await registered(eventId, { '1': 'b', '2': 'x' }, { '1': 'a' });
    const next = await registered(eventId, { '1': 'c', '2': 'x' }, { '1': 'b' });
    await cancelRegistration(
      { registrationId: holder.id, by: 'organiser', eventId },
      { registrations: store, clock },
    );
    return { racer, next };
  }

  it('exactly one of the two transactions commits; the counters stay equal to the holders', async () => {
    const winners = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const eventId = `race-${round}`;
      const { racer, next } = await raceSetup(eventId);
      const current = await store.getRegistration(racer.id);
      const [entry] = (await waiting.queue(eventId)).filter(
        (candidate) => candidate.registrationId === racer.id,
      );
      if (!current || !entry) throw new Error('setup');
      const at = clock.now();
      const cancel = () =>
        store.cancelRegistration(
          current,
          at.toISOString(),
          'organiser',
          newOutboxEntry(current.id, eventId, 'cancellation', current.version + 1, at),
        );
      const promote = () =>
        waiting.promote({
          entry,
          current,
          takes: { '1': 'a' },
          at: at.toISOString(),
          manageTokenHash: sha256Hex('a-new-token'),
          outbox: newOutboxEntry(current.id, eventId, 'promotion', current.version + 1, at),
        });
      // Alternate who starts first, so that both orders are seen.
      const [first, second] = round % 2 === 0 ? [cancel, promote] : [promote, cancel];
      const outcomes = await Promise.allSettled([first(), second()]);
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      for (const outcome of outcomes)
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(RegistrationChanged);

      const state = await expectConsistent(eventId);
      const racerNow = registrationIn(state, racer.id);
      if (racerNow?.status === 'cancelled') {
        winners.add('cancel');
        // The seat in B came free, A stays free: nobody waits for A any more.
        expect(takenOf(state)).toEqual({ a: 0, b: 0, c: 1, x: 1 });
      } else {
        winners.add('promotion');
        expect(racerNow).toMatchObject({ status: 'confirmed', choices: { '1': 'a', '2': 'x' } });
        expect(takenOf(state)).toEqual({ a: 1, b: 0, c: 1, x: 2 });
      }
      expect(state.waiting.map((e) => e.id)).toEqual([`${next.id}.1`]);
      // The walk afterwards hands B to the next in line, whoever won.
      expect((await walkWithLease(eventId)).map((p) => p.registration.id)).toEqual([next.id]);
      await expectConsistent(eventId);
    }
    expect([...winners].sort()).toEqual(['cancel', 'promotion']);
  });

  it('through the use cases: the attendee cancel and the walk settle to one consistent outcome', async () => {
    for (let round = 0; round < 6; round++) {
      const eventId = `race-use-case-${round}`;
      const { racer, next } = await raceSetup(eventId);
      const [cancelled, walked] = await Promise.allSettled([
        cancelRegistration(
          { registrationId: racer.id, manageToken: racer.token, by: 'attendee' },
          { registrations: store, clock },
        ),
        walkWithLease(eventId),
      ]);
      if (walked.status === 'rejected') throw walked.reason;
      const promotedRacer = walked.value.some((p) => p.registration.id === racer.id);
      const state = await expectConsistent(eventId);
      if (cancelled.status === 'fulfilled') {
        // The cancel came first (or the walk had not reached the racer yet): cancelled, not promoted.
        expect(promotedRacer).toBe(false);
        expect(registrationIn(state, racer.id)?.status).toBe('cancelled');
      } else {
        // The promotion came first: its email carries a fresh link, and the old one stopped working.
        expect(cancelled.reason).toMatchObject({ code: 'REGISTRATION_NOT_FOUND' });
        expect(promotedRacer).toBe(true);
        expect(registrationIn(state, racer.id)).toMatchObject({ status: 'confirmed', choices: { '1': 'a' } });
      }
      await walkWithLease(eventId);
      const settled = await expectConsistent(eventId);
      expect(satisfiableEntries(settled)).toEqual([]);
      expect(registrationIn(settled, next.id)?.choices['1']).toBe('b');
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('a lagging queue index', () => {
  /** The waiting store, whose first queue read returns an earlier snapshot (as a lagging index can). */
  function lagging(snapshot: WaitingEntry[]): DynamoWaitingList {
    const lagged: DynamoWaitingList = Object.create(waiting);
    let first = true;
    lagged.queue = async (eventId) => {
      if (!first) return waiting.queue(eventId);
      first = false;
      return snapshot;
    };
    return lagged;
  }

  it('does not promote a left-and-joined-again preference by what it wanted before', async () => {
    const eventId = 'lag-rejoin';
    await store.putEventDefinition(eventId, definition({ '1': { a: 1, b: 5, c: 1 }, '2': { x: 10 } }));
    const holder = await registered(eventId, { '1': 'a', '2': 'x' });
    await registered(eventId, { '1': 'c', '2': 'x' });
    const mover = await registered(eventId, { '1': 'b', '2': 'x' }, { '1': 'a' });
    const stale = await waiting.queue(eventId);
    // The mover now waits for C instead of A; then A's seat comes free.
    await leaveWaitingList(
      { registrationId: mover.id, manageToken: mover.token, roundId: '1' },
      useCaseDeps(),
    );
    await joined(mover, 'c');
    await cancelRegistration(
      { registrationId: holder.id, manageToken: holder.token, by: 'attendee' },
      { registrations: store, clock },
    );

    await promoteWaiting(eventId, { ...promotionDeps(), waiting: lagging(stale) });
    const state = await expectConsistent(eventId);
    expect(registrationIn(state, mover.id)).toMatchObject({
      choices: { '1': 'b' },
      waitingFor: { '1': ['c'] },
    });
    expect(takenOf(state)).toMatchObject({ a: 0 });
  });

  it('does not let a preference left and joined again keep its old place in line', async () => {
    const eventId = 'lag-same';
    await store.putEventDefinition(eventId, definition({ '1': { a: 1, b: 5 }, '2': { x: 10 } }));
    const holder = await registered(eventId, { '1': 'a', '2': 'x' });
    const mover = await registered(eventId, { '1': 'b', '2': 'x' }, { '1': 'a' });
    const stale = await waiting.queue(eventId);
    // Someone joins after the mover; the mover leaves and joins again for the same workshop: now behind them.
    const patient = await registered(eventId, { '1': 'b', '2': 'x' }, { '1': 'a' });
    await leaveWaitingList(
      { registrationId: mover.id, manageToken: mover.token, roundId: '1' },
      useCaseDeps(),
    );
    await joined(mover, 'a');
    await cancelRegistration(
      { registrationId: holder.id, manageToken: holder.token, by: 'attendee' },
      { registrations: store, clock },
    );

    const promotions = await promoteWaiting(eventId, { ...promotionDeps(), waiting: lagging(stale) });
    expect(promotions.map((p) => p.registration.id)).toEqual([patient.id]);
    const state = await expectConsistent(eventId);
    expect(state.waiting.map((entry) => entry.id)).toEqual([`${mover.id}.1`]);
  });

  it('does not remove an entry joined again since under the same id', async () => {
    const eventId = 'lag-drop';
    await store.putEventDefinition(eventId, definition({ '1': { a: 2, b: 5, c: 1 }, '2': { x: 10 } }));
    const first = await registered(eventId, { '1': 'a', '2': 'x' });
    const second = await registered(eventId, { '1': 'a', '2': 'x' });
    await registered(eventId, { '1': 'c', '2': 'x' });
    const mover = await registered(eventId, { '1': 'b', '2': 'x' }, { '1': 'a' });
    const stale = await waiting.queue(eventId);
    // A seat in A comes free and goes to the mover, who then waits for C (a new entry under the same id).
    await cancelRegistration(
      { registrationId: first.id, manageToken: first.token, by: 'attendee' },
      { registrations: store, clock },
    );
    const [promotion] = await walkWithLease(eventId);
    expect(promotion?.registration.id).toBe(mover.id);
    await joined({ ...mover, token: promotion?.manageToken ?? '' }, 'c');
    // Another seat in A comes free; a walk still sees the mover's old entry for A.
    await cancelRegistration(
      { registrationId: second.id, manageToken: second.token, by: 'attendee' },
      { registrations: store, clock },
    );

    await promoteWaiting(eventId, { ...promotionDeps(), waiting: lagging(stale) });
    const state = await expectConsistent(eventId);
    expect(registrationIn(state, mover.id)).toMatchObject({
      choices: { '1': 'a' },
      waitingFor: { '1': ['c'] },
    });
    expect(state.waiting.map((entry) => entry.id)).toEqual([`${mover.id}.1`]);
  });
});
