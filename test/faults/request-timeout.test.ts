/**
 * A DynamoDB request that is never answered: the handlers' DynamoDB client must give up after its request
 * timeout (DYNAMODB_REQUEST_TIMEOUT_MS), let the SDK retry, and answer 503 TRY_AGAIN, well inside the
 * Lambda timeout, with nothing booked.
 *
 * Found by this file: @smithy/node-http-handler 4.x only *logs a warning* when `requestTimeout` passes, unless
 * the request handler is created with `throwOnRequestTimeout: true`; without it a hung request hangs until the
 * Lambda itself times out (API Gateway then answers 502/504, not the contract's 503). client.ts sets it, and
 * these tests hold it to that.
 * The wait for an answer is bounded (a liveness check with a wide margin, not a performance assertion).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import type { LocalStack } from '../../local/stack.js';
import { assertEventConsistent } from '../model/invariants.js';
import { type ApiResponse, api } from '../support/local-stack.js';
import type { ChaosProxy } from './chaos-proxy.js';
import {
  faultEvent,
  freshEventId,
  registrationBody,
  type StackBehindChaosProxy,
  startStackBehindChaosProxy,
} from './support.js';

const REQUEST_TIMEOUT_MS = 1_000;
const SDK_ATTEMPTS = 3;
/** Far beyond attempts × timeout + backoff: without an enforced timeout the answer would never come. */
const ANSWER_DEADLINE_MS = SDK_ATTEMPTS * REQUEST_TIMEOUT_MS * 3 + 3_000;

let proxy: ChaosProxy;
let stack: LocalStack;
let store: DynamoStore;
let direct: DynamoDBDocumentClient;
let behindProxy: StackBehindChaosProxy;

beforeAll(async () => {
  // Read by the handlers' configuration at their first import, which starting the stack does.
  process.env.DYNAMODB_REQUEST_TIMEOUT_MS = String(REQUEST_TIMEOUT_MS);
  behindProxy = await startStackBehindChaosProxy('timeout');
  ({ proxy, stack, store, direct } = behindProxy);
});
afterAll(async () => behindProxy?.close());
afterEach(() => proxy.clear());

async function answerWithin(request: Promise<ApiResponse>): Promise<ApiResponse> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `no answer within ${ANSWER_DEADLINE_MS} ms: the DynamoDB client does not enforce its requestTimeout ` +
              '(set throwOnRequestTimeout: true in lambdas/adapters/dynamodb/client.ts)',
          ),
        ),
      ANSWER_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([request, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function newEvent() {
  const eventId = freshEventId('timeout');
  await store.putEventDefinition(eventId, faultEvent({ a: 5, b: 5, c: 5, d: 5 }));
  return eventId;
}

describe('a DynamoDB request that is never answered', () => {
  it('on every attempt of the transaction: 503 TRY_AGAIN, nothing booked', async () => {
    const eventId = await newEvent();
    proxy.failNext('TransactWriteItems', 'hang', SDK_ATTEMPTS);
    const response = await answerWithin(
      api(stack, 'POST', `/events/${eventId}/registrations`, registrationBody(1)),
    );
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('TRY_AGAIN');
    const state = await assertEventConsistent(direct, stack.tableName, eventId);
    expect(state.registrations).toEqual([]);
  });

  it('once, on reading the seat counters: the SDK retries, 201', async () => {
    const eventId = await newEvent();
    proxy.failNext('BatchGetItem', 'hang', 1);
    const response = await answerWithin(
      api(stack, 'POST', `/events/${eventId}/registrations`, registrationBody(1)),
    );
    expect(response.status).toBe(201);
    const state = await assertEventConsistent(direct, stack.tableName, eventId);
    expect(state.registrations).toHaveLength(1);
  });
});
