import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { seatShardKey } from '../../lambdas/adapters/dynamodb/keys.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { ALERT_LOG_MESSAGES, logger } from '../../lambdas/observability.js';
import { scheduledFunctionSpecs } from '../../lambdas/routes.js';
import type { SeatCounterReport } from '../../lambdas/use-cases/admin/check-seat-counters.js';
import type { LocalStack } from '../../local/stack.js';
import { api, startTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let check: () => Promise<SeatCounterReport>;
const EVENT = 'consistentie-dag';

const definition: EventDefinition = {
  title: 'Consistentiedag',
  date: '2030-10-01',
  timezone: 'Europe/Amsterdam',
  registration: {},
  rounds: [
    {
      id: 'ochtend',
      title: 'Ochtend',
      workshops: [
        { id: 'een', title: 'Een', description: '', speakers: [], capacity: 10 },
        { id: 'twee', title: 'Twee', description: '', speakers: [], capacity: 10 },
      ],
    },
  ],
};

beforeAll(async () => {
  // Read once when the stack imports the handler: no pause before looking again at a drift.
  process.env.CONSISTENCY_RECHECK_DELAY_MS = '0';
  stack = await startTestStack();
  // The scheduled function as the local stack runs it (EventBridge in AWS).
  check = () => stack.runScheduled('consistencyCheck') as Promise<SeatCounterReport>;
  const auth = { Authorization: `Bearer ${stack.adminToken}` };
  expect((await api(stack, 'PUT', `/admin/events/${EVENT}`, definition, auth)).status).toBe(201);
  for (let n = 0; n < 6; n++) {
    const response = await api(stack, 'POST', `/events/${EVENT}/registrations`, {
      name: `Persoon ${n}`,
      email: `persoon${n}@example.nl`,
      organisation: 'Gemeente Oss',
      choices: { ochtend: n % 3 === 0 ? 'een' : 'twee' },
      consent: true,
    });
    expect(response.status).toBe(201);
  }
});
afterAll(async () => stack?.close());

describe('the scheduled seat counter check', () => {
  it('runs every 15 minutes with read-only access', () => {
    expect(scheduledFunctionSpecs.consistencyCheck).toMatchObject({
      entry: 'lambdas/handlers/consistency-check.ts',
      everyMinutes: 15,
      tableAccess: { writeKeyPrefixes: [], queryIndexPartitions: ['EVENT#*#REGS#*'] },
    });
  });

  it('logs nothing for a consistent event', async () => {
    const errors = vi.spyOn(logger, 'error');
    try {
      const report = await check();
      expect(report.drifts).toEqual([]);
      expect(report.eventsChecked).toBeGreaterThanOrEqual(1);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });

  it('detects a counter corrupted in the table, and logs ids and counts only', async () => {
    const client = createDocumentClient({
      region: 'eu-west-1',
      endpoint: stack.dynamodbEndpoint,
      requestTimeoutMs: 30_000,
    });
    await client.send(
      new UpdateCommand({
        TableName: stack.tableName,
        // One of the workshop's seat shards (issue 21): the check sums them all.
        Key: seatShardKey(EVENT, 'twee', 5),
        UpdateExpression: 'SET taken = taken + :two',
        ExpressionAttributeValues: { ':two': 2 },
      }),
    );
    client.destroy();

    const errors = vi.spyOn(logger, 'error');
    try {
      const report = await check();
      expect(report.drifts).toEqual([{ eventId: EVENT, workshopId: 'twee', taken: 6, holders: 4 }]);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(errors).toHaveBeenCalledWith(ALERT_LOG_MESSAGES.seatCounterDrift, {
        eventId: EVENT,
        workshopId: 'twee',
        taken: 6,
        holders: 4,
      });
      expect(JSON.stringify(errors.mock.calls)).not.toMatch(/Persoon|example\.nl|Gemeente/);
    } finally {
      errors.mockRestore();
    }

    const summary = await api(stack, 'GET', `/admin/events/${EVENT}/summary`, undefined, {
      Authorization: `Bearer ${stack.adminToken}`,
    });
    expect(summary.body.consistent).toBe(false);
    expect(summary.body.workshops).toEqual([
      expect.objectContaining({ workshopId: 'een', taken: 2, holders: 2, consistent: true }),
      expect.objectContaining({ workshopId: 'twee', taken: 6, holders: 4, seatsLeft: 4, consistent: false }),
    ]);
  });
});
