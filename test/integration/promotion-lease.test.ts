import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoPromotionLease } from '../../lambdas/adapters/dynamodb/promotion-lease.js';
import type { WaitingListStore } from '../../lambdas/ports.js';
import { promoteWithLease } from '../../lambdas/use-cases/promote-waiting.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';

let table: TestTable;
let lease: DynamoPromotionLease;
const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1, 10, 0, seconds));

beforeAll(async () => {
  table = await startTestTable();
  lease = new DynamoPromotionLease(table.documentClient, table.tableName);
});
afterAll(async () => table.close());

describe('the promotion lease on DynamoDB: one walker per event, no request for a walk lost', () => {
  it('lets one walker in at a time, and a crashed walker only until its lease runs out', async () => {
    await lease.requestWalk('ev1');
    expect(await lease.tryAcquire('ev1', 'first', at(0), at(30))).toBe(1);
    expect(await lease.tryAcquire('ev1', 'second', at(10), at(40))).toBeUndefined();
    // The first walker never came back: after its lease the next one may walk.
    expect(await lease.tryAcquire('ev1', 'second', at(31), at(61))).toBe(1);
    expect(await lease.release('ev1', 'first', 1)).toBeUndefined();
    expect(await lease.tryAcquire('ev1', 'third', at(32), at(62))).toBeUndefined();
  });

  it('keeps the lease and reports the new count when a walk was asked for during the walk', async () => {
    await lease.requestWalk('ev2');
    const seen = await lease.tryAcquire('ev2', 'walker', at(0), at(30));
    await lease.requestWalk('ev2');
    expect(await lease.release('ev2', 'walker', seen ?? -1)).toBe(2);
    expect(await lease.tryAcquire('ev2', 'other', at(1), at(31))).toBeUndefined();
    expect(await lease.release('ev2', 'walker', 2)).toBeUndefined();
    expect(await lease.tryAcquire('ev2', 'other', at(2), at(32))).toBe(2);
    await lease.abandon('ev2', 'other');
    expect(await lease.tryAcquire('ev2', 'again', at(3), at(33))).toBe(2);
  });

  it('walks again for every request that came in while walking, and returns at once without the lease', async () => {
    const walks: string[] = [];
    let extraRequests = 2;
    const deps = {
      events: { getEvent: async () => undefined },
      registrations: { getRegistration: async () => undefined },
      // An empty queue ends each walk; a request arriving during the walk must cause another walk.
      waiting: {
        queue: async () => {
          walks.push('walk');
          if (extraRequests-- > 0) await lease.requestWalk('ev3');
          return [];
        },
      } as unknown as WaitingListStore,
      clock: { now: () => at(0) },
      secrets: { newManageToken: () => 'token' },
    };
    let owners = 0;
    const result = await promoteWithLease('ev3', { ...deps, lease, newOwnerId: () => `owner-${++owners}` });
    expect(result).toEqual([]);
    expect(walks).toHaveLength(3);
    // The lease was given back: the next caller walks.
    await promoteWithLease('ev3', { ...deps, lease, newOwnerId: () => 'later' });
    expect(walks).toHaveLength(4);
  });
});
