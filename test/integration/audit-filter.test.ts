import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminQueries } from '../../lambdas/adapters/dynamodb/admin-queries.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import type { AuditAction, AuditEntry } from '../../lambdas/ports.js';
import type { LocalStack } from '../../local/stack.js';
import { type ApiResponse, api, startTestStack } from '../support/local-stack.js';

/**
 * `GET /admin/events/{eventId}/audit?registrationId=` over HTTP on the local stack: only that registration's
 * entries, newest first, paged with the cursor, none lost, also when its entries lie far apart in the index
 * (DynamoDB's Limit counts the entries read before the filter, so the adapter must read on).
 */

let stack: LocalStack;
let auth: Record<string, string>;

const EVENT = 'logboek-filter';
const PERSON = 'Ab3dEf6hIj9kLm2nOp5qRs';
const OTHERS = ['Zy1xWv4uTs7rQp0oNm3lKj', 'Hg6fEd9cBa2zYx5wVu8tSr'];
const ACTIONS: AuditAction[] = [
  'registration.cancelled',
  'registration.confirmation-resent',
  'waiting-list.promoted',
];

/** Newest first: the index (0 = newest) of each of PERSON's entries among TOTAL entries. */
const TOTAL = 620;
const PERSON_AT = new Set([0, 1, 2, 40, 41, 250, 505, 506, 560, 619]);

const admin = (method: string, path: string, body?: unknown) => api(stack, method, path, body, auth);

/** The ids of PERSON's entries, newest first. */
const expectedIds = [...PERSON_AT].sort((a, b) => a - b).map((n) => `entry-${n}`);

async function filteredPages(registrationId: string, limit: number) {
  const pages: ApiResponse[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ registrationId, limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    const page = await admin('GET', `/admin/events/${EVENT}/audit?${query}`);
    expect(page.status).toBe(200);
    pages.push(page);
    cursor = page.body.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return { pages, items: pages.flatMap((page) => page.body.items as AuditEntry[]) };
}

beforeAll(async () => {
  stack = await startTestStack();
  auth = { Authorization: `Bearer ${stack.adminToken}` };
  const created = await admin('PUT', `/admin/events/${EVENT}`, {
    title: 'Logboek filter',
    date: '2030-10-01',
    timezone: 'Europe/Amsterdam',
    registration: {},
    rounds: [
      {
        id: '1',
        title: 'Ronde 1',
        workshops: [{ id: 'zaal', title: 'Zaal', description: '', speakers: [], capacity: 10 }],
      },
    ],
  });
  expect(created.status).toBeLessThan(300);
  // Written with the adapter the use cases append through; the newest (index 0) is the latest `at`.
  const log = new DynamoAdminQueries(
    createDocumentClient({ region: 'eu-west-1', endpoint: stack.dynamodbEndpoint, requestTimeoutMs: 60_000 }),
    stack.tableName,
  );
  const base = Date.parse('2030-01-01T00:00:00.000Z');
  const entries: AuditEntry[] = Array.from({ length: TOTAL }, (_, n) => ({
    id: `entry-${n}`,
    at: new Date(base + (TOTAL - n) * 1000).toISOString(),
    actor: { sub: 'organiser-sub', username: 'organisator' },
    action: ACTIONS[n % ACTIONS.length] as AuditAction,
    eventId: EVENT,
    registrationId: PERSON_AT.has(n) ? PERSON : OTHERS[n % OTHERS.length],
    details: {},
  }));
  for (let start = 0; start < entries.length; start += 25) {
    await Promise.all(entries.slice(start, start + 25).map((entry) => log.append(entry)));
  }
}, 120_000);
afterAll(async () => stack?.close());

describe('the audit log of one registration (?registrationId=)', () => {
  it('pages through only that registration’s entries, newest first, none lost or repeated', async () => {
    const { pages, items } = await filteredPages(PERSON, 3);
    expect(pages.length).toBe(4);
    expect(pages.slice(0, -1).every((page) => page.body.items.length === 3)).toBe(true);
    expect(items.map((item) => item.id)).toEqual(expectedIds);
    expect(items.every((item) => item.registrationId === PERSON)).toBe(true);
    const ats = items.map((item) => item.at);
    expect(ats).toEqual([...ats].sort().reverse());
  });

  it('finds entries beyond the first Limit-sized chunk of the index in one full page', async () => {
    // limit=500 reads 501 index entries first; PERSON's three oldest lie beyond them.
    const page = await admin('GET', `/admin/events/${EVENT}/audit?registrationId=${PERSON}&limit=500`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((item: AuditEntry) => item.id)).toEqual(expectedIds);
    expect(page.body.nextCursor).toBeNull();
  });

  it('pages one by one across long stretches of other registrations’ entries', async () => {
    const { pages, items } = await filteredPages(PERSON, 1);
    expect(pages.length).toBe(expectedIds.length);
    expect(items.map((item) => item.id)).toEqual(expectedIds);
  });

  it('lists every entry of the other registrations too, and the unfiltered log stays whole', async () => {
    const other = await filteredPages(OTHERS[0] as string, 200);
    const wanted = Array.from({ length: TOTAL }, (_, n) => n)
      .filter((n) => !PERSON_AT.has(n) && n % OTHERS.length === 0)
      .map((n) => `entry-${n}`);
    expect(other.items.map((item) => item.id)).toEqual(wanted);
    const all = await admin('GET', `/admin/events/${EVENT}/audit?limit=500`);
    expect(all.body.items).toHaveLength(500);
    expect(new Set(all.body.items.map((item: AuditEntry) => item.registrationId)).size).toBeGreaterThan(2);
  });

  it('gives an empty list for an unknown registration', async () => {
    const page = await admin('GET', `/admin/events/${EVENT}/audit?registrationId=OnbekendeAanmelding000`);
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a malformed registrationId with 400 VALIDATION_FAILED', async () => {
    for (const bad of ['a%20b', 'x'.repeat(65), '%3Cscript%3E', 'abc.def']) {
      const page = await admin('GET', `/admin/events/${EVENT}/audit?registrationId=${bad}`);
      expect(page.status).toBe(400);
      expect(page.body.error.code).toBe('VALIDATION_FAILED');
      expect(page.body.error.details[0].path).toBe('registrationId');
    }
  });
});
