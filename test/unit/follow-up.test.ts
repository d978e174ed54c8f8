/**
 * What follows a commit (lambdas/use-cases/follow-up.ts), against the in-memory event of test/support/fakes.ts:
 * the walk right after joining a list shows the promoted registration, and a walk that fails never fails the
 * request that called it.
 */
import { describe, expect, it } from 'vitest';
import {
  type FollowUpDeps,
  inLine,
  promoteAndNotify,
  promoteRightAway,
} from '../../lambdas/use-cases/follow-up.js';
import type { Promotion } from '../../lambdas/use-cases/promote-waiting.js';
import { fixedClock, InMemoryWaitingList, loneWalkerLease, sampleDefinition } from '../support/fakes.js';

function setup() {
  const definition = sampleDefinition();
  const world = new InMemoryWaitingList('dag', definition);
  const [first, second] = definition.rounds;
  const workshopOf = (round: typeof first) => round?.workshops[0]?.id ?? '';
  const log = {
    promotions: [] as Promotion[],
    leftToSweep: [] as { eventId: string; error: unknown }[],
  };
  const clock = fixedClock('2030-01-01T10:00:00.000Z');
  const deps: FollowUpDeps = {
    events: world,
    registrations: world,
    waiting: world,
    clock,
    secrets: { newManageToken: () => 'manage-token-abcdefghijklmnopqrstuvwxyz' },
    lease: loneWalkerLease(),
    newOwnerId: () => 'owner-1',
    log: {
      promotion: (promotion) => log.promotions.push(promotion),
      promotionLeftToSweep: (eventId, error) => log.leftToSweep.push({ eventId, error }),
    },
  };
  return { world, deps, log, seats: { first: workshopOf(first), second: workshopOf(second) } };
}

describe('the follow-up of a commit', () => {
  it('shows a signup promoted by the walk right after it joined, its email owed with its link', async () => {
    const { world, deps, log, seats } = setup();
    for (let n = 0; n < (world.seats.get(seats.first)?.capacity ?? 0); n++) {
      world.register(`holder-${n}`, { '1': seats.first, '2': seats.second });
    }
    world.waitForPlace('waiter', { '1': [seats.first], '2': [seats.second] });
    const waiter = world.registrations.get('waiter');
    if (!waiter) throw new Error('the signup is missing');
    const joined = await inLine(waiter, deps);
    expect(joined.waitingPositions).toEqual({ [seats.first]: 1, [seats.second]: 1 });

    // Full: the walk promotes nobody, and the signup is shown as it was.
    expect(await promoteRightAway(joined, deps)).toBe(joined);

    world.cancel('holder-0');
    const shown = await promoteRightAway(joined, deps);
    expect(shown.registration).toMatchObject({ id: 'waiter', status: 'confirmed' });
    expect(shown.waitingPositions).toBeUndefined();
    expect(log.promotions.map((promotion) => promotion.registration.id)).toEqual(['waiter']);
    // The email is not sent here: it was committed with the promotion, with the token of its link.
    expect(log.promotions[0]?.outbox).toMatchObject({
      kind: 'promotion',
      state: 'pending',
      manageToken: 'manage-token-abcdefghijklmnopqrstuvwxyz',
    });
  });

  it('never fails the request when the walk fails: the sweep is told to repeat it', async () => {
    const { deps, log } = setup();
    const refused = new Error('throttled');
    deps.lease.requestWalk = async () => {
      throw refused;
    };
    await expect(promoteAndNotify('dag', deps)).resolves.toEqual([]);
    expect(log.leftToSweep).toEqual([{ eventId: 'dag', error: refused }]);
  });
});
