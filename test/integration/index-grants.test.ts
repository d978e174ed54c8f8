import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { outboxPut } from '../../lambdas/adapters/dynamodb/transaction-items.js';
import { MESSAGE_TAG } from '../../lambdas/adapters/ses/mailer.js';
import { dependencies } from '../../lambdas/composition.js';
import {
  type Route,
  routes,
  type ScheduledFunctionName,
  scheduledFunctionSpecs,
  type TableAccess,
} from '../../lambdas/routes.js';
import type { LocalStack } from '../../local/stack.js';
import { sampleDefinition } from '../support/fakes.js';
import { tableAccessOf as accessOf } from '../support/grants.js';
import { iamStringLike } from '../support/iam.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, manageLink } from '../support/mail.js';
import { daysAfter, zoneWhereRemindersAreDue } from '../support/reminders.js';
import { bounceRecord, snsEvent } from '../support/ses-events.js';

/**
 * The stream-fed sender runs beside the requests (the local stack feeds it the change feed), so its table access
 * cannot be told apart by time: the real handler, as the local stack imports it, runs inside an async context
 * that names it, and the recorder counts what it does as the sender's.
 */
const { AsyncLocalStorage } = await vi.hoisted(() => import('node:async_hooks'));
const senderRuns = vi.hoisted(() => ({ context: undefined as unknown as { getStore(): unknown } }));
vi.mock('../../lambdas/handlers/send-new-emails.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../lambdas/handlers/send-new-emails.js')>();
  const context = new AsyncLocalStorage<true>();
  senderRuns.context = context;
  return {
    ...original,
    handler: (...args: Parameters<typeof original.handler>) =>
      context.run(true, () => original.handler(...args)),
  };
});

/**
 * The grants of lambdas/routes.ts against what the functions really do: every request and scheduled run below
 * goes through the real handlers on the embedded DynamoDB, one at a time, while a middleware on the functions'
 * document client (which the idempotency store uses too) records each index query and
 * each item read or written. The stream-fed email sender runs as the local stack feeds it; the SES feedback
 * function is handed a bounce as SNS would. A query or an item outside its function's grant would be denied in AWS;
 * a granted index partition no query uses, or (for the background functions) a granted item kind no call uses, is
 * access the function should not have.
 */

type RecordedQuery = { partition: string; attributes?: string[] };

const used = new Map<string, RecordedQuery[]>();
let recording: RecordedQuery[] = [];
const touched = new Map<string, TableTouch[]>();
let touching: TableTouch[] = [];
/** The stream-fed sender's index queries and item access over the whole run. */
const senderQueries: RecordedQuery[] = [];
const senderTouches: TableTouch[] = [];
const bySender = () => senderRuns.context?.getStore() === true;

let stack: LocalStack;
const admin = () => ({ Authorization: `Bearer ${stack.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const EVENT = 'index-grants';

/**
 * Workshop b has one seat: its holder's cancellation hands it to the people waiting for it. The event is
 * tomorrow where it is past 09:00, so the reminder schedule has reminders to write.
 */
const reminderZone = zoneWhereRemindersAreDue();
const definition = sampleDefinition({
  date: daysAfter(reminderZone.today, 1),
  timezone: reminderZone.timezone,
  reminders: { daysBefore: [1] },
});

/** Plain strings from the document client, `{ S }` once marshalled. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : String(value);
}

/** One base-table partition a call reads or writes, as IAM authorises it (`dynamodb:LeadingKeys`). */
type TableTouch = { kind: 'read' | 'write'; action: string; partition: string };

type KeyHolder = { Key?: Record<string, unknown>; Item?: Record<string, unknown> };
const partitionOf = (holder: KeyHolder | undefined) => text((holder?.Key ?? holder?.Item)?.pk);

/**
 * The base-table partitions one call touches: reads (GetItem, BatchGetItem, the Gets of TransactGetItems) and
 * writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem, and each item of a TransactWriteItems, which IAM
 * authorises as its own Put, Update, Delete or ConditionCheck). A Query on the base table is read access too.
 */
function tableTouches(commandName: string, input: Record<string, unknown>): TableTouch[] {
  const action = commandName.replace(/Command$/, '');
  const touch = (kind: TableTouch['kind'], holder: KeyHolder | undefined, name = action): TableTouch => ({
    kind,
    action: name,
    partition: partitionOf(holder),
  });
  const requests = Object.values((input.RequestItems ?? {}) as Record<string, unknown>);
  switch (action) {
    case 'GetItem':
      return [touch('read', input)];
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [touch('write', input)];
    case 'Query': {
      if (input.IndexName !== undefined) return [];
      const placeholder = /pk\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression))?.[1] ?? '';
      const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
      return [touch('read', { Key: { pk: values?.[placeholder] } })];
    }
    case 'BatchGetItem':
      return requests.flatMap((request) =>
        ((request as { Keys?: Record<string, unknown>[] }).Keys ?? []).map((Key) => touch('read', { Key })),
      );
    case 'BatchWriteItem':
      return requests.flatMap((request) =>
        (request as { PutRequest?: KeyHolder; DeleteRequest?: KeyHolder }[]).map((write) =>
          touch('write', write.PutRequest ?? write.DeleteRequest),
        ),
      );
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as Record<string, KeyHolder>[]).flatMap((item) =>
        Object.entries(item).map(([operation, holder]) =>
          touch(operation === 'Get' ? 'read' : 'write', holder, `${action} ${operation}`),
        ),
      );
    default:
      return [];
  }
}

function functionOf(method: string, path: string): string {
  const template = (route: Route) =>
    new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
  const route = routes.find((r) => r.method === method && template(r).test(path.split('?')[0] ?? ''));
  if (route === undefined) throw new Error(`No route for ${method} ${path}`);
  return route.functionName;
}

/** One request, with the index queries it made counted for the function that serves its route. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  recording = [];
  touching = [];
  const response = await api(stack, method, path, body, headers);
  const name = functionOf(method, path);
  used.set(name, [...(used.get(name) ?? []), ...recording]);
  touched.set(name, [...(touched.get(name) ?? []), ...touching]);
  return response;
}

async function runScheduled(name: ScheduledFunctionName) {
  recording = [];
  touching = [];
  await stack.runScheduled(name);
  used.set(name, [...(used.get(name) ?? []), ...recording]);
  touched.set(name, [...(touched.get(name) ?? []), ...touching]);
}

let people = 0;
async function register(choices: Record<string, string>, waitFor?: Record<string, string>) {
  people += 1;
  const who = { name: `Persoon ${people}`, email: `recht${people}@example.nl`, organisation: 'Gemeente' };
  // With an Idempotency-Key, as the form sends it: the idempotency store's items count too.
  const response = await call(
    'POST',
    `/events/${EVENT}/registrations`,
    { ...who, consent: true, choices, waitFor },
    { 'Idempotency-Key': `grants-${people}` },
  );
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const [email] = await emailsTo(stack, who.email);
  if (!email) throw new Error('no confirmation email');
  return { id: response.body.registration.id as string, token: manageLink(email).token, email: who.email };
}

beforeAll(async () => {
  stack = await startTestStack();
  dependencies().documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const sender = bySender();
      (sender ? senderTouches : touching).push(
        ...tableTouches(context.commandName ?? '', args.input as Record<string, unknown>),
      );
      const input = args.input as {
        IndexName?: string;
        KeyConditionExpression?: string;
        ExpressionAttributeValues?: Record<string, unknown>;
        ExpressionAttributeNames?: Record<string, string>;
        ProjectionExpression?: string;
      };
      if (input.IndexName !== undefined && input.KeyConditionExpression !== undefined) {
        const placeholder = /gsi1pk\s*=\s*(:\w+)/.exec(input.KeyConditionExpression)?.[1] ?? '';
        const attributes = input.ProjectionExpression?.split(',').map((part) => {
          const name = part.trim();
          return input.ExpressionAttributeNames?.[name] ?? name;
        });
        (sender ? senderQueries : recording).push({
          partition: text(input.ExpressionAttributeValues?.[placeholder]),
          attributes,
        });
      }
      return next(args);
    },
    { step: 'build', name: 'recordTableAccess' },
  );

  expect((await call('PUT', `/admin/events/${EVENT}`, definition, admin())).status).toBeLessThan(300);
  // Every function at work: the public page, registering (a full workshop, so a waiting list), a signup,
  // the manage routes, the admin routes, and each scheduled function.
  await call('GET', `/events/${EVENT}`);
  const holder = await register({ '1': 'b', '2': 'c' });
  const waiter = await register({ '1': 'a', '2': 'c' }, { '1': 'b' });
  people += 1;
  const signup = await call('POST', `/events/${EVENT}/waiting-list`, {
    name: `Persoon ${people}`,
    email: `recht${people}@example.nl`,
    organisation: 'Gemeente',
    consent: true,
    accepts: { '1': ['b'], '2': ['c'] },
  });
  expect(signup.status, JSON.stringify(signup.body)).toBe(201);
  expect((await call('GET', `/registrations/${waiter.id}`, undefined, bearer(waiter.token))).status).toBe(
    200,
  );
  expect((await call('DELETE', `/registrations/${holder.id}`, undefined, bearer(holder.token))).status).toBe(
    200,
  );
  // A programme change for the people in workshop c (the waiter, promoted to b): the sender fans its notice list
  // out into outbox entries (reading each registration, raising its version) and sends them.
  const renamed = {
    ...definition,
    rounds: definition.rounds.map((round) => ({
      ...round,
      workshops: round.workshops.map((w) => (w.id === 'c' ? { ...w, title: 'C, vernieuwd' } : w)),
    })),
  };
  expect((await call('PUT', `/admin/events/${EVENT}`, renamed, admin())).status).toBe(200);
  await stack.emailsSettled();
  const notices = (await emailsTo(stack, waiter.email)).filter((email) =>
    email.subject.startsWith('Het programma is gewijzigd'),
  );
  expect(notices).toHaveLength(1);
  const message = { subject: { nl: 'Bericht' }, body: { nl: 'Tekst' } };
  const posted = await call('POST', `/admin/events/${EVENT}/messages`, message, admin());
  expect(posted.status).toBe(202);
  for (const path of ['registrations', 'registrations.csv', 'summary', 'audit', 'waiting-list', 'messages']) {
    expect((await call('GET', `/admin/events/${EVENT}/${path}`, undefined, admin())).status).toBe(200);
  }

  // An email owed to someone still waiting, due now (as after a failed first attempt).
  // An email for the retry to send (the stream-fed sender is off for it, as if it had missed the entry).
  await stack.emailsSettled();
  stack.setEmailSenderEnabled(false);
  const now = new Date().toISOString();
  const { documentClient, config } = dependencies();
  // And a copy of the organisers' message to the promoted waiter, as if its first attempt had failed: the retry
  // reads the message's texts, counts the copy, and gives the email a fresh manage link (and check-in code).
  const due = { eventId: EVENT, state: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now } as const;
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        outboxPut(config.tableName, {
          ...due,
          id: `grants-${Date.now()}`,
          registrationId: signup.body.registration.id,
          kind: 'waiting-list-joined',
        }),
        outboxPut(config.tableName, {
          ...due,
          id: `grants-message-${Date.now()}`,
          registrationId: waiter.id,
          kind: 'message',
          messageId: posted.body.message.id,
        }),
      ],
    }),
  );
  for (const name of Object.keys(scheduledFunctionSpecs) as ScheduledFunctionName[]) {
    await runScheduled(name);
  }
  stack.setEmailSenderEnabled(true);

  // Erasure, by the person and by an organiser: both look for emails still owed to the person (the outbox index).
  const erasedBySelf = await call(
    'DELETE',
    `/registrations/${holder.id}/personal-data`,
    undefined,
    bearer(holder.token),
  );
  expect(erasedBySelf.status, JSON.stringify(erasedBySelf.body)).toBe(200);
  const erasedByOrganiser = await call(
    'DELETE',
    `/admin/events/${EVENT}/registrations/${waiter.id}/personal-data`,
    undefined,
    admin(),
  );
  expect(erasedByOrganiser.status, JSON.stringify(erasedByOrganiser.body)).toBe(200);
  await stack.emailsSettled();
  used.set('emailSender', senderQueries);
  touched.set('emailSender', senderTouches);

  // SES's bounce of the waiter's confirmation, through SNS to the feedback function.
  recording = [];
  touching = [];
  const tags = { [MESSAGE_TAG.registrationId]: [waiter.id], [MESSAGE_TAG.kind]: ['confirmation'] };
  // Imported now: it builds its clients at import, from the environment the local stack set.
  const { handler: emailFeedback } = await import('../../lambdas/handlers/email-feedback.js');
  const [feedback] = await emailFeedback(snsEvent(bounceRecord(tags)));
  expect(feedback).toBeDefined();
  used.set('emailFeedback', recording);
  touched.set('emailFeedback', touching);
});
afterAll(async () => stack?.close());

describe('index grants (lambdas/routes.ts) against the queries the functions make', () => {
  it('recorded the index queries of every function that has an index grant', () => {
    for (const [name, access] of Object.entries(accessOf)) {
      if (access.queryIndexPartitions.length > 0) expect(used.get(name), name).not.toEqual([]);
    }
  });

  it.each(Object.keys(accessOf))('%s queries only index partitions its grant allows', (name) => {
    const access = accessOf[name] as TableAccess;
    for (const query of used.get(name) ?? []) {
      const allowed = access.queryIndexPartitions.some((pattern) => iamStringLike(pattern, query.partition));
      expect(allowed, `${name} queries ${query.partition}`).toBe(true);
      if (access.queryIndexAttributes !== undefined) {
        expect(query.attributes, `${name} must name the attributes it reads`).toBeDefined();
        for (const attribute of query.attributes ?? []) {
          expect(access.queryIndexAttributes, `${name} reads ${attribute}`).toContain(attribute);
        }
      }
    }
  });

  it.each(Object.keys(accessOf))('%s is granted no index partition it does not query', (name) => {
    const access = accessOf[name] as TableAccess;
    const queried = (used.get(name) ?? []).map((query) => query.partition);
    for (const pattern of access.queryIndexPartitions) {
      expect(
        queried.some((partition) => iamStringLike(pattern, partition)),
        `${name} is granted ${pattern} but never queries it`,
      ).toBe(true);
    }
  });
});

describe('table grants (lambdas/routes.ts) against the items the functions read and write', () => {
  it('recorded item access through both clients: the document client and the idempotency store', () => {
    const partitions = (touched.get('register') ?? []).map((touch) => touch.partition);
    expect(partitions.some((partition) => partition.startsWith('REG#'))).toBe(true);
    expect(partitions.some((partition) => partition.startsWith('IDEMP#'))).toBe(true);
  });

  it('recorded the stream-fed sender apart from the requests, and the feedback function', () => {
    for (const name of ['emailSender', 'emailFeedback']) expect(touched.get(name), name).not.toEqual([]);
  });

  it.each(Object.keys(accessOf))('%s reads and writes only partitions its grant allows', (name) => {
    const access = accessOf[name] as TableAccess;
    for (const { kind, action, partition } of touched.get(name) ?? []) {
      const prefixes = kind === 'read' ? access.readKeyPrefixes : access.writeKeyPrefixes;
      // The grant's condition: dynamodb:LeadingKeys StringLike `<prefix>*` (lib/table-access.ts).
      const allowed = prefixes.some((prefix) => iamStringLike(`${prefix}*`, partition));
      expect(allowed, `${name} ${action} ${partition}`).toBe(true);
    }
  });

  /**
   * The background functions, each of whose paths the run above plays (a message's copies, a programme notice, an
   * email mentioning places in line, a retried copy with a fresh link, a reminder, a bounce): every item kind they
   * are granted, they use. The promotion sweep and the purge walk paths of their own (a promotion the requests'
   * walk missed, a retention period that has passed) that this run has none of.
   */
  const everyGrantUsed = [
    'sendDueEmails',
    'sendReminders',
    'consistencyCheck',
    'emailSender',
    'emailFeedback',
  ];
  it.each(everyGrantUsed)('%s is granted no item kind it does not read or write', (name) => {
    const access = accessOf[name] as TableAccess;
    const touches = touched.get(name) ?? [];
    for (const [kind, prefixes] of [
      ['read', access.readKeyPrefixes],
      ['write', access.writeKeyPrefixes],
    ] as const) {
      for (const prefix of prefixes) {
        const used = touches.some(
          (touch) => touch.kind === kind && iamStringLike(`${prefix}*`, touch.partition),
        );
        expect(used, `${name} is granted ${kind} ${prefix} but never does it`).toBe(true);
      }
    }
  });
});
