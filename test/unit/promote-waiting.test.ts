/**
 * The promotion walk (lambdas/use-cases/promote-waiting.ts, docs/waiting-lists.md "Promotion") against an
 * in-memory event (test/support/fakes.ts InMemoryWaitingList) that keeps seats, registrations and entries and
 * refuses a promotion the way the DynamoDB transaction does.
 */
import { describe, expect, it } from 'vitest';
import { DELIVERY } from '../../lambdas/domain/email.js';
import { AppError, WaitingEntryNotFound, WorkshopFull } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { PromotionInput } from '../../lambdas/ports.js';
import {
  type PromotionDeps,
  type PromotionLimits,
  promoteEntryNow,
  promoteWaiting,
} from '../../lambdas/use-cases/promote-waiting.js';
import { fixedClock, InMemoryWaitingList } from '../support/fakes.js';

const NOW = '2030-02-01T12:00:00.000Z';
type Capacities = { a: number; b: number; c: number; d: number; e: number };

/** Round 1: a, b, c; round 2: d, e. */
function definition(capacities: Capacities): EventDefinition {
  const workshop = (id: keyof Capacities) => ({
    id,
    title: `Workshop ${id.toUpperCase()}`,
    description: '',
    speakers: [],
    capacity: capacities[id],
  });
  return {
    title: 'Wachtdag',
    date: '2030-06-01',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: [
      { id: '1', title: 'Ronde 1', workshops: [workshop('a'), workshop('b'), workshop('c')] },
      { id: '2', title: 'Ronde 2', workshops: [workshop('d'), workshop('e')] },
    ],
  };
}

/** Every manage token a new one. */
function countingSecrets() {
  let n = 0;
  return { newManageToken: () => `manage-token-${++n}-abcdefghijklmnopqrstuvwxyz` };
}

function setup(capacities: Partial<Capacities> = {}) {
  const world = new InMemoryWaitingList('dag', definition({ a: 1, b: 1, c: 1, d: 5, e: 5, ...capacities }));
  const deps: PromotionDeps = {
    events: world,
    registrations: world,
    waiting: world,
    clock: fixedClock(NOW),
    secrets: countingSecrets(),
  };
  const walk = (limits?: PromotionLimits) => promoteWaiting('dag', deps, limits);
  return { world, deps, walk };
}

const ids = (promotions: { entry: { id: string } }[]) => promotions.map((promotion) => promotion.entry.id);

describe('promoteWaiting', () => {
  it('follows a chain: a preference promoted releases its seat, which promotes the next person', async () => {
    const { world, walk } = setup({ d: 4 });
    world.register('x', { '1': 'a', '2': 'd' });
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    world.register('z', { '1': 'c', '2': 'd' });
    world.waitFor('z', '1', 'b');
    world.waitForPlace('w', { '1': ['c'], '2': ['e', 'd'] });
    world.cancel('x');

    const promotions = await walk();
    expect(ids(promotions)).toEqual(['y.1', 'z.1', 'w.event']);
    expect(world.registrations.get('y')).toMatchObject({
      status: 'confirmed',
      choices: { '1': 'a', '2': 'd' },
    });
    expect(world.registrations.get('y')?.waitingFor).toBeUndefined();
    expect(world.registrations.get('z')).toMatchObject({ choices: { '1': 'b', '2': 'd' } });
    // The place gets the first workshop in the person's order with a free seat, per round.
    expect(world.registrations.get('w')).toMatchObject({
      status: 'confirmed',
      choices: { '1': 'c', '2': 'e' },
    });
    expect(world.taken()).toEqual({ a: 1, b: 1, c: 1, d: 2, e: 1 });
    expect(world.entries.size).toBe(0);
    expect(world.violations()).toEqual([]);
  });

  it('starts again from the head after each promotion: a seat released later goes to whoever joined first', async () => {
    const { world, walk } = setup({ c: 3 });
    world.register('y', { '1': 'a', '2': 'd' });
    world.waitFor('y', '1', 'b'); // head of the queue; b is full
    world.register('z', { '1': 'b', '2': 'd' });
    world.waitFor('z', '1', 'c'); // c has a free seat
    world.register('u', { '1': 'c', '2': 'd' });
    world.waitFor('u', '1', 'a'); // a frees up only once y has moved
    world.register('v', { '1': 'c', '2': 'e' });
    world.waitFor('v', '1', 'b'); // joined after y, also wants b

    const promotions = await walk();
    // z takes c and releases b; b goes to y (first in line), not v; y releases a, which u gets; u releases c.
    expect(ids(promotions)).toEqual(['z.1', 'y.1', 'u.1']);
    expect(world.registrations.get('y')?.choices['1']).toBe('b');
    expect(world.registrations.get('v')).toMatchObject({ choices: { '1': 'c' }, waitingFor: { '1': ['b'] } });
    expect([...world.entries.keys()]).toEqual(['v.1']);
    expect(world.taken()).toMatchObject({ a: 1, b: 1, c: 2 });
    expect(world.calls.queue).toBe(1);
    expect(world.violations()).toEqual([]);
  });

  it('leaves earlier entries that cannot be satisfied in place and takes nothing beyond capacity', async () => {
    const { world, walk } = setup({ a: 1, d: 1, e: 2 });
    world.register('x', { '1': 'a', '2': 'd' });
    world.waitForPlace('p', { '1': ['a', 'b'], '2': ['d'] }); // round 2: d is full
    world.register('y', { '1': 'c', '2': 'e' });
    world.waitFor('y', '1', 'b');

    expect(ids(await walk())).toEqual(['y.1']);
    expect(world.registrations.get('p')).toMatchObject({ status: 'waiting', choices: {} });
    expect([...world.entries.keys()]).toEqual(['p.event']);
    expect(ids(await walk())).toEqual([]);
    expect(world.violations()).toEqual([]);
  });

  it('reads again after a refused transaction (a cancel moved first) and promotes the next in line', async () => {
    const { world, walk } = setup();
    world.register('x', { '1': 'a', '2': 'd' });
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    world.register('z', { '1': 'c', '2': 'd' });
    world.waitFor('z', '1', 'a');
    world.cancel('x');
    world.beforePromote = (input) => {
      world.beforePromote = undefined;
      expect(input.entry.id).toBe('y.1');
      world.cancel('y'); // y cancels between the walk's read and its transaction
    };

    const promotions = await walk();
    expect(world.calls.refused).toBe(1);
    expect(world.calls.queue).toBe(2);
    expect(ids(promotions)).toEqual(['z.1']);
    expect(world.registrations.get('y')?.status).toBe('cancelled');
    expect(world.taken()).toMatchObject({ a: 1, b: 0, c: 0 });
    expect(world.violations()).toEqual([]);
  });

  it('a competing walk promoting the same entry first: refused, read again, nobody promoted twice', async () => {
    const { world, deps, walk } = setup();
    world.register('x', { '1': 'a', '2': 'd' });
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    world.register('z', { '1': 'c', '2': 'd' });
    world.waitFor('z', '1', 'a');
    world.cancel('x');
    const competing: string[] = [];
    world.beforePromote = async () => {
      world.beforePromote = undefined;
      // The sweep (or the walk of another request) runs to the end between our read and our transaction.
      competing.push(...ids(await promoteWaiting('dag', deps)));
    };

    const promotions = await walk();
    expect(competing).toEqual(['y.1']);
    expect(ids(promotions)).toEqual([]);
    expect(world.calls.refused).toBe(1);
    expect(world.promoted).toEqual(['y.1']);
    // One promotion: one version step, one promotion email.
    expect(world.registrations.get('y')?.version).toBe(3);
    expect(world.outbox.filter((entry) => entry.registrationId === 'y').map((entry) => entry.kind)).toEqual([
      'promotion',
    ]);
    expect([...world.entries.keys()]).toEqual(['z.1']);
    expect(world.violations()).toEqual([]);
  });

  it('a seat taken by a direct registration meanwhile (WorkshopFull): read again, the next usable seat goes on', async () => {
    const { world, walk } = setup({ e: 1 });
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a'); // a is free
    world.waitForPlace('p', { '1': ['c'], '2': ['e'] }); // c and e are free
    world.beforePromote = (input) => {
      world.beforePromote = undefined;
      expect(input.entry.id).toBe('y.1');
      world.takeSeat('a'); // someone registers into a in the same moment
    };

    const promotions = await walk();
    expect(world.calls.refused).toBe(1);
    expect(world.calls.queue).toBe(2);
    expect(ids(promotions)).toEqual(['p.event']);
    expect(world.registrations.get('y')).toMatchObject({ choices: { '1': 'b' }, waitingFor: { '1': ['a'] } });
    expect(world.taken()).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 1 });
  });

  it('concurrent walks on the same free seats promote each entry at most once, first in line first', async () => {
    const { world, walk } = setup({ a: 3, b: 6 });
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      world.register(id, { '1': 'b', '2': 'd' });
      world.waitFor(id, '1', 'a');
    }
    const results = await Promise.all([walk(), walk(), walk()]);
    const all = results.flatMap(ids);
    expect(all.sort()).toEqual(['p1.1', 'p2.1', 'p3.1']);
    expect(world.promoted.sort()).toEqual(['p1.1', 'p2.1', 'p3.1']);
    expect(world.taken()).toMatchObject({ a: 3, b: 2 });
    expect([...world.entries.keys()]).toEqual(['p4.1', 'p5.1']);
    expect(world.violations()).toEqual([]);
  });

  it('drops entries that no longer stand (registration gone, cancelled, anonymised, seat already held)', async () => {
    const { world, walk } = setup({ a: 2, b: 5 });
    const stale = (registrationId: string, joinedAt: string) => {
      world.entries.set(`${registrationId}.1`, {
        id: `${registrationId}.1`,
        eventId: 'dag',
        registrationId,
        kind: 'preference',
        wants: { '1': ['a'] },
        joinedAt,
      });
    };
    stale('ghost', world.tick()); // the registration is gone
    world.register('gone', { '1': 'b', '2': 'd' });
    world.waitFor('gone', '1', 'a');
    world.cancel('gone');
    stale('gone', '2030-01-01T09:00:02.500Z'); // still in the index a moment after the cancel
    world.register('anon', { '1': 'b', '2': 'd' });
    world.waitFor('anon', '1', 'a');
    // Anonymised as the store does it (off every list), its entry still in the index for a moment.
    const { waitingFor: _waits, ...anon } = world.registrations.get('anon') ?? ({} as never);
    world.registrations.set('anon', { ...anon, personalDataRemoved: { at: NOW, reason: 'request' } });
    world.register('holds', { '1': 'a', '2': 'd' }); // changed to a meanwhile; its entry lingers
    stale('holds', world.tick());
    world.register('k', { '1': 'b', '2': 'd' });
    world.waitFor('k', '1', 'a');

    const promotions = await walk();
    expect(ids(promotions)).toEqual(['k.1']);
    expect(world.dropped).toEqual(['ghost.1', 'gone.1', 'anon.1', 'holds.1']);
    expect(world.entries.size).toBe(0);
    expect(world.registrations.get('anon')?.choices['1']).toBe('b');
    // anon still holds b; k moved from b to a; the cancelled one released b.
    expect(world.taken()).toMatchObject({ a: 2, b: 1 });
    expect(world.violations()).toEqual([]);
  });

  it('stops after maxPromotions; the next walk (the sweep) goes on from there', async () => {
    const { world, walk } = setup({ a: 3, d: 5 });
    for (const id of ['p1', 'p2', 'p3', 'p4']) world.waitForPlace(id, { '1': ['a'], '2': ['d'] });

    expect(ids(await walk({ maxPromotions: 2, maxRereads: 10 }))).toEqual(['p1.event', 'p2.event']);
    expect(world.registrations.get('p3')?.status).toBe('waiting');
    expect(ids(await walk())).toEqual(['p3.event']);
    expect(world.registrations.get('p4')?.status).toBe('waiting');
    expect(world.violations()).toEqual([]);
  });

  it('stops after maxRereads when every transaction is refused, promoting nobody', async () => {
    const { world, walk } = setup();
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    world.beforePromote = (input: PromotionInput) => {
      // The registration changes every time just before the transaction.
      const current = world.registrations.get(input.current.id);
      if (current) current.version += 1;
    };

    expect(await walk({ maxPromotions: 10, maxRereads: 2 })).toEqual([]);
    expect(world.calls.queue).toBe(3);
    expect(world.calls.promote).toBe(3);
    expect(world.taken()).toMatchObject({ a: 0, b: 1 });
  });

  it('each promotion: a fresh manage token (only its hash stored), a promotion email at version + 1', async () => {
    const { world, walk } = setup({ a: 2 });
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    world.waitForPlace('p', { '1': ['a'], '2': ['e'] });
    const before = { y: world.registrations.get('y'), p: world.registrations.get('p') };

    const promotions = await walk();
    expect(ids(promotions)).toEqual(['y.1', 'p.event']);
    const tokens = promotions.map((promotion) => promotion.manageToken);
    expect(new Set(tokens).size).toBe(2);
    for (const promotion of promotions) {
      const id = promotion.registration.id as 'y' | 'p';
      const stored = world.registrations.get(id);
      const version = (before[id]?.version ?? 0) + 1;
      expect(stored?.manageTokenHash).toBe(sha256Hex(promotion.manageToken));
      expect(stored?.manageTokenHash).not.toBe(before[id]?.manageTokenHash);
      expect(JSON.stringify(stored)).not.toContain(promotion.manageToken);
      expect(stored).toMatchObject({
        version,
        updatedAt: NOW,
        confirmation: { kind: 'promotion', state: 'pending', attempts: 0 },
      });
      expect(promotion.registration).toEqual(stored);
      expect(promotion.outbox).toEqual({
        id: `${id}.promotion.${version}`,
        registrationId: id,
        eventId: 'dag',
        kind: 'promotion',
        state: 'pending',
        attempts: 0,
        nextAttemptAt: new Date(Date.parse(NOW) + DELIVERY.leaseMs).toISOString(),
        createdAt: NOW,
        // For the link in the email; only the entry holds it, until the sender's first attempt.
        manageToken: promotion.manageToken,
      });
      expect(promotion.event.title).toBe('Wachtdag');
    }
    expect(world.outbox.map((entry) => entry.id)).toEqual(['y.promotion.3', 'p.promotion.2']);
  });

  it('reads nothing more for an empty queue, and promotes nothing for an event that is gone', async () => {
    const { world, deps, walk } = setup();
    expect(await walk()).toEqual([]);
    expect(world.calls.getEvent).toBe(0);
    const entry = world.waitForPlace('p', { '1': ['a'], '2': ['d'] });
    world.entries.set(entry.id, { ...entry, eventId: 'gone' });
    expect(await promoteWaiting('gone', deps)).toEqual([]);
    expect(world.calls.getEvent).toBe(1);
    expect(world.calls.promote).toBe(0);
  });
});

describe('promoteEntryNow (an organiser, out of turn)', () => {
  it('promotes the entry chosen, ahead of earlier ones, within capacity', async () => {
    const { world, deps } = setup();
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    world.register('z', { '1': 'c', '2': 'd' });
    world.waitFor('z', '1', 'a');

    const promotion = await promoteEntryNow({ eventId: 'dag', entryId: 'z.1' }, deps);
    expect(promotion.entry.id).toBe('z.1');
    expect(promotion.registration).toMatchObject({ status: 'confirmed', choices: { '1': 'a', '2': 'd' } });
    expect(promotion.registration.manageTokenHash).toBe(sha256Hex(promotion.manageToken));
    expect(promotion.outbox).toMatchObject({ kind: 'promotion', id: 'z.promotion.3' });
    expect(world.registrations.get('y')).toMatchObject({ choices: { '1': 'b' }, waitingFor: { '1': ['a'] } });
    expect(world.taken()).toMatchObject({ a: 1, b: 1, c: 0 });
    expect(world.violations()).toEqual([]);
  });

  it('promotes a place: per round the first accepted workshop with a free seat', async () => {
    const { world, deps } = setup({ a: 0 });
    world.waitForPlace('p', { '1': ['a', 'c', 'b'], '2': ['e', 'd'] });
    const promotion = await promoteEntryNow({ eventId: 'dag', entryId: 'p.event' }, deps);
    expect(promotion.registration).toMatchObject({ status: 'confirmed', choices: { '1': 'c', '2': 'e' } });
    expect(promotion.registration.waitingFor).toBeUndefined();
  });

  it('WorkshopFull without a free seat in what the entry accepts; nothing changes', async () => {
    const { world, deps } = setup({ d: 1, e: 0 });
    world.register('x', { '1': 'a', '2': 'd' });
    world.register('y', { '1': 'b' });
    world.waitFor('y', '1', 'a');
    world.waitForPlace('p', { '1': ['c'], '2': ['d', 'e'] }); // c free, but no seat in round 2

    const preference = promoteEntryNow({ eventId: 'dag', entryId: 'y.1' }, deps);
    await expect(preference).rejects.toBeInstanceOf(WorkshopFull);
    await expect(preference).rejects.toMatchObject({ details: { workshopIds: ['a'] } });
    const place = promoteEntryNow({ eventId: 'dag', entryId: 'p.event' }, deps);
    await expect(place).rejects.toBeInstanceOf(WorkshopFull);
    await expect(place).rejects.toMatchObject({ details: { workshopIds: ['c', 'd', 'e'] } });
    expect(world.calls.promote).toBe(0);
    expect(world.entries.size).toBe(2);
  });

  it('WaitingEntryNotFound for an unknown entry, one of another event, or one that no longer stands', async () => {
    const { world, deps } = setup({ a: 3 });
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    await expect(promoteEntryNow({ eventId: 'dag', entryId: 'nobody.1' }, deps)).rejects.toBeInstanceOf(
      WaitingEntryNotFound,
    );
    await expect(promoteEntryNow({ eventId: 'other', entryId: 'y.1' }, deps)).rejects.toBeInstanceOf(
      WaitingEntryNotFound,
    );
    // y cancelled, but the entry is still there (as a reader of the index might see it).
    const entry = world.entries.get('y.1');
    if (!entry) throw new Error('no entry');
    world.cancel('y');
    world.entries.set(entry.id, entry);
    await expect(promoteEntryNow({ eventId: 'dag', entryId: 'y.1' }, deps)).rejects.toBeInstanceOf(
      WaitingEntryNotFound,
    );
    // Already holding the workshop it waited for.
    world.register('h', { '1': 'a', '2': 'd' });
    world.entries.set('h.1', { ...entry, id: 'h.1', registrationId: 'h' });
    await expect(promoteEntryNow({ eventId: 'dag', entryId: 'h.1' }, deps)).rejects.toBeInstanceOf(
      WaitingEntryNotFound,
    );
    expect(world.calls.promote).toBe(0);
  });

  it('a seat taken between the read and the transaction: WorkshopFull, never beyond capacity', async () => {
    const { world, deps } = setup();
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    world.beforePromote = () => world.takeSeat('a');
    await expect(promoteEntryNow({ eventId: 'dag', entryId: 'y.1' }, deps)).rejects.toBeInstanceOf(
      WorkshopFull,
    );
    expect(world.taken()).toMatchObject({ a: 1, b: 1 });
    expect(world.registrations.get('y')?.status).toBe('confirmed');
    expect(world.entries.has('y.1')).toBe(true);
  });

  // Regression (c62b38d): promoteEntryNow let the store's RegistrationChanged through when the walk promoted
  // the entry between the organiser's read and the transaction (a seat still free, so the take succeeded and
  // the version/entry conditions failed). It is no AppError, so the admin route answered 500 INTERNAL_ERROR.
  // Since 50ff0b6 it reads again (withRetryOnChange) and finds the entry gone.
  it('the entry promoted by the walk meanwhile: a contract answer (e.g. WAITING_ENTRY_NOT_FOUND), not a 500', async () => {
    const { world, deps } = setup({ a: 2 });
    world.register('y', { '1': 'b', '2': 'd' });
    world.waitFor('y', '1', 'a');
    world.beforePromote = async () => {
      world.beforePromote = undefined;
      await promoteWaiting('dag', deps);
    };
    const attempt = promoteEntryNow({ eventId: 'dag', entryId: 'y.1' }, deps);
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toBeInstanceOf(WaitingEntryNotFound);
    expect(world.promoted).toEqual(['y.1']);
    expect(world.taken()).toMatchObject({ a: 1, b: 0 });
  });
});
