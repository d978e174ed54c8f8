/**
 * Fault injection at the SDK boundary (aws-sdk-client-mock), through the real POST handler: what a client
 * sees when DynamoDB conflicts, throttles, times out or drops the connection, and that nothing is booked
 * when the transaction never ran. The SDK's own retries are not in play here (the mock replaces `send`);
 * test/faults/embedded-faults.test.ts and network-faults.test.ts run the same failures for real.
 */
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  TransactionInProgressException,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultRetryPolicy } from '../../lambdas/adapters/dynamodb/transactions.js';
import { handler } from '../../lambdas/handlers/register.js';
import { proxyEvent } from '../support/api-events.js';
import { sampleDefinition } from '../support/fakes.js';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);

const body = {
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  organisation: 'Gemeente Utrecht',
  choices: { '1': 'a', '2': 'c' },
  consent: true,
};

const post = (sent: Record<string, unknown> = body) =>
  handler(
    proxyEvent({
      httpMethod: 'POST',
      resource: '/events/{eventId}/registrations',
      pathParameters: { eventId: 'testdag' },
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(sent),
    }),
  );

const conflict = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: {},
    CancellationReasons: [
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      { Code: 'None' },
      { Code: 'None' },
      { Code: 'None' },
    ],
  });

const meta = { $metadata: {} };
/** What the SDK surfaces, once its own retries are spent, for each kind of trouble. */
const busyErrors: [string, () => Error][] = [
  [
    'ProvisionedThroughputExceededException',
    () => new ProvisionedThroughputExceededException({ message: 'throughput exceeded', ...meta }),
  ],
  ['ThrottlingException', () => new ThrottlingException({ message: 'Rate of requests exceeds', ...meta })],
  ['RequestLimitExceeded', () => new RequestLimitExceeded({ message: 'account limit', ...meta })],
  ['InternalServerError', () => new InternalServerError({ message: 'internal', ...meta })],
  [
    // A replay (after an SDK retry) while the first attempt with the same token still runs: outcome unknown.
    'TransactionInProgressException',
    () => new TransactionInProgressException({ message: 'already in progress', ...meta }),
  ],
  [
    'TimeoutError (request timeout)',
    () => Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' }),
  ],
  ['ECONNRESET', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  [
    'ECONNREFUSED',
    () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }),
  ],
  ['EPIPE', () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })],
  ['ETIMEDOUT', () => Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
];

const sleeps: number[] = [];

function expectTryAgain(result: Awaited<ReturnType<typeof post>>) {
  expect(result.statusCode).toBe(503);
  expect(result.headers?.['Retry-After']).toBe('1');
  const parsed = JSON.parse(result.body);
  expect(parsed.error.code).toBe('TRY_AGAIN');
  expect(typeof parsed.error.message).toBe('string');
  // Nothing of the cause reaches the client.
  expect(result.body).not.toMatch(/ECONN|EPIPE|ETIMEDOUT|Throttl|Throughput|Timeout|Internal|socket|limit/i);
}

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'message-1' });
  sleeps.length = 0;
  vi.spyOn(defaultRetryPolicy, 'sleep').mockImplementation(async (ms) => {
    sleeps.push(ms);
  });
  ddb.on(GetCommand).resolves({ Item: { definition: sampleDefinition() } });
  ddb.on(BatchGetCommand).resolves({
    Responses: {
      'vol-is-vol-test': [
        { workshopId: 'a', capacity: 2, taken: 0 },
        { workshopId: 'b', capacity: 1, taken: 0 },
        { workshopId: 'c', capacity: 5, taken: 0 },
      ],
    },
  });
});
afterEach(() => vi.restoreAllMocks());

/** The registration's own transactions (the email outbox is settled by another one after the commit). */
const registrationTransactions = () =>
  ddb
    .commandCalls(TransactWriteCommand)
    .filter((call) =>
      call.args[0].input.TransactItems?.some((item) => item.Put?.Item?.type === 'registration'),
    );
const tokens = () => registrationTransactions().map((call) => call.args[0].input.ClientRequestToken);

describe('TransactionConflict (not retried by the SDK): the store retries', () => {
  it('succeeds after two conflicts: three attempts, one ClientRequestToken (the registration id), jittered sleeps', async () => {
    const randoms = [0.9, 0.1];
    vi.spyOn(defaultRetryPolicy, 'random').mockImplementation(() => randoms.shift() ?? 0.5);
    vi.spyOn(defaultRetryPolicy, 'now').mockReturnValue(0);
    ddb.on(TransactWriteCommand).rejectsOnce(conflict()).rejectsOnce(conflict()).resolves({});

    const result = await post();
    expect(result.statusCode).toBe(201);
    const { registration } = JSON.parse(result.body);
    expect(tokens()).toEqual([registration.id, registration.id, registration.id]);
    // Between half the ceiling and the ceiling, which halves for every halvingMs of trying (the policy's clock
    // stands still here, so both ceilings are the first): round(c / 2 + random × c / 2).
    const { firstDelayMs } = defaultRetryPolicy;
    expect(sleeps).toEqual([Math.round(0.95 * firstDelayMs), Math.round(0.55 * firstDelayMs)]);
    // The same transaction every time: the token alone would not protect against a changed request.
    const inputs = registrationTransactions().map((call) => JSON.stringify(call.args[0].input));
    expect(new Set(inputs).size).toBe(1);
  });

  it('gives up with 503 TRY_AGAIN and Retry-After when the time budget is spent, waits shrinking', async () => {
    vi.spyOn(defaultRetryPolicy, 'random').mockReturnValue(1);
    let clock = 0;
    vi.spyOn(defaultRetryPolicy, 'now').mockImplementation(() => clock);
    vi.spyOn(defaultRetryPolicy, 'sleep').mockImplementation(async (ms) => {
      sleeps.push(ms);
      clock += ms;
    });
    ddb.on(TransactWriteCommand).rejects(conflict());
    const result = await post();
    expectTryAgain(result);
    expect(new Set(tokens()).size).toBe(1);
    expect(tokens()).toHaveLength(sleeps.length + 1);
    // Ceilings halve for every halvingMs of trying and never go below the minimum; together they fill the budget.
    const { firstDelayMs, halvingMs, minDelayMs, budgetMs } = defaultRetryPolicy;
    let elapsed = 0;
    const expected = sleeps.map(() => {
      const wait = Math.round(Math.max(minDelayMs, firstDelayMs / 2 ** (elapsed / halvingMs)));
      elapsed += wait;
      return wait;
    });
    expect(sleeps).toEqual(expected);
    expect(sleeps[0]).toBe(firstDelayMs);
    expect(sleeps.at(-1)).toBe(minDelayMs);
    const waited = sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(budgetMs);
    expect(waited + minDelayMs).toBeGreaterThan(budgetMs);
  });
});

describe.each(busyErrors)('%s', (_name, makeError) => {
  it('on the transaction: 503 TRY_AGAIN, one attempt (the SDK already retried), no store-level pile-on', async () => {
    ddb.on(TransactWriteCommand).rejects(makeError());
    expectTryAgain(await post());
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('on reading the event: 503 TRY_AGAIN and no transaction is sent (nothing booked)', async () => {
    ddb.on(GetCommand).rejects(makeError());
    expectTryAgain(await post());
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  // Only a registration that also waits for a full workshop reads the counters first (the others leave seats
  // to the transaction's conditions).
  it('on reading the seat counters: 503 TRY_AGAIN and no transaction is sent (nothing booked)', async () => {
    ddb.on(BatchGetCommand).rejects(makeError());
    expectTryAgain(await post({ ...body, waitFor: { '1': 'b' } }));
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('a conflict followed by throttling', () => {
  it('is 503 TRY_AGAIN after the second attempt, with the same token', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(conflict())
      .rejects(new ThrottlingException({ message: 'slow down', ...meta }));
    expectTryAgain(await post());
    expect(tokens()).toHaveLength(2);
    expect(new Set(tokens()).size).toBe(1);
  });
});

describe('an error that is not about load', () => {
  it('is a 500 INTERNAL_ERROR that reveals nothing, never a 503 that invites retrying a bug', async () => {
    ddb.on(TransactWriteCommand).rejects(
      Object.assign(new Error('One or more parameter values were invalid: table/secret'), {
        name: 'ValidationException',
      }),
    );
    const result = await post();
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).error.code).toBe('INTERNAL_ERROR');
    expect(result.body).not.toMatch(/secret|ValidationException|parameter/);
  });
});

describe('SES down right after the commit', () => {
  it.each([
    [
      'ServiceUnavailable',
      () => Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' }),
    ],
    ['Throttling', () => Object.assign(new Error('Maximum sending rate exceeded'), { name: 'Throttling' })],
    ['ECONNRESET', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])(
    '%s: still 201 (the registration is committed with its email owed); the request never calls SES',
    async (_name, makeError) => {
      ses.on(SendEmailCommand).rejects(makeError());
      const result = await post();
      expect(result.statusCode).toBe(201);
      expect(tokens()).toHaveLength(1);
      // Delivery is off the request path: the outbox entry is committed with the registration, pending for
      // the stream-fed sender (and the retry); the request neither sends nor settles it.
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
      const [registration, ...others] = ddb.commandCalls(TransactWriteCommand);
      expect(others).toEqual([]);
      const outbox = registration?.args[0].input.TransactItems?.find(
        (item) => item.Put?.Item?.type === 'outbox',
      );
      expect(outbox?.Put?.Item).toMatchObject({ kind: 'confirmation', state: 'pending', attempts: 0 });
    },
  );
});
