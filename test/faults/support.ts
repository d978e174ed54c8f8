import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { startEmbeddedDynamo } from '../../local/dynamodb/embedded-dynamodb.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import type { ApiResponse } from '../support/local-stack.js';
import { type ChaosProxy, startChaosProxy } from './chaos-proxy.js';

/** A two-round event; capacities by workshop id (round 1: a, b; round 2: c, d). */
export function faultEvent(capacities: { a: number; b: number; c: number; d: number }): EventDefinition {
  const workshop = (id: keyof typeof capacities) => ({
    id,
    title: `Workshop ${id.toUpperCase()}`,
    description: '',
    speakers: [],
    capacity: capacities[id],
  });
  return {
    title: 'Storingsdag',
    date: '2030-06-01',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: [
      { id: '1', title: 'Ronde 1', workshops: [workshop('a'), workshop('b')] },
      { id: '2', title: 'Ronde 2', workshops: [workshop('c'), workshop('d')] },
    ],
  };
}

export const registrationBody = (n: number, choices: Record<string, string> = { '1': 'a', '2': 'c' }) => ({
  name: `Deelnemer ${n}`,
  email: `deelnemer${n}@example.nl`,
  organisation: 'Gemeente Storing',
  choices,
  consent: true,
});

let counter = 0;
/** A fresh event id per scenario, so that every scenario is checked on its own. */
export const freshEventId = (prefix: string) =>
  `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** The contract's answer when DynamoDB stays busy or unreachable: 503 TRY_AGAIN with Retry-After. */
export function expectTryAgain(response: ApiResponse) {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(response.body.error.code).toBe('TRY_AGAIN');
}

export type StackBehindChaosProxy = {
  proxy: ChaosProxy;
  stack: LocalStack;
  /** A client straight to the embedded DynamoDB, behind the proxy's back, to check the table. */
  direct: DynamoDBDocumentClient;
  store: DynamoStore;
  close(): Promise<void>;
};

/** The local stack whose handlers reach the embedded DynamoDB only through a chaos proxy. */
export async function startStackBehindChaosProxy(name: string): Promise<StackBehindChaosProxy> {
  const dynamo = await startEmbeddedDynamo();
  const proxy = await startChaosProxy(dynamo.endpoint);
  const stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: proxy.endpoint,
    tableName: `vol-${name}-${Math.random().toString(36).slice(2, 8)}`,
    // The scheduled functions (email retries, consistency check) would share the fault queue: off.
    scheduleIntervalMs: 0,
  });
  const direct = createDocumentClient({
    region: 'eu-west-1',
    endpoint: dynamo.endpoint,
    requestTimeoutMs: 30_000,
  });
  return {
    proxy,
    stack,
    direct,
    store: new DynamoStore(direct, stack.tableName),
    close: async () => {
      direct.destroy();
      await stack.close();
      await proxy.close();
      await dynamo.close();
    },
  };
}
