import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoMessageStore } from '../../lambdas/adapters/dynamodb/message-store.js';
import { DynamoOutbox } from '../../lambdas/adapters/dynamodb/outbox.js';
import { DynamoProgrammeNotices } from '../../lambdas/adapters/dynamodb/programme-notices.js';
import {
  defaultRetryPolicy,
  type RetryPolicy,
  TransactionCancelled,
} from '../../lambdas/adapters/dynamodb/transactions.js';
import { newMessageEntry, newOutboxEntry, type OutboxEntry } from '../../lambdas/domain/email.js';
import { cancelled } from '../support/aws-errors.js';

/**
 * The transactions of the sender and the fan-out (outside any request) wait out a TransactionConflict under one
 * ClientRequestToken, as every request's transaction does, and answer their refusals as before.
 */
const ddb = mockClient(DynamoDBDocumentClient);
const client = () => createDocumentClient({ region: 'eu-west-1', requestTimeoutMs: 1000 });
const policy: RetryPolicy = { ...defaultRetryPolicy, sleep: async () => {} };
const outbox = () => new DynamoOutbox(client(), 'table', policy);

const at = new Date('2030-09-01T10:00:00Z');
/** A copy of an organisers' message, claimed for its first attempt. */
const copy: OutboxEntry = { ...newMessageEntry('reg-1', 'dag', 'msg-1', at), attempts: 1 };

type Item = {
  Update?: { Key: { pk: string; sk: string }; ConditionExpression?: string; UpdateExpression: string };
  Delete?: { Key: { pk: string } };
};
const transactions = () =>
  ddb.commandCalls(TransactWriteCommand).map((call) => ({
    token: call.args[0].input.ClientRequestToken,
    items: (call.args[0].input.TransactItems ?? []) as Item[],
  }));
const writesMessage = (items: Item[]) => items.some((item) => item.Update?.Key.pk.startsWith('MSG#'));

beforeEach(() => ddb.reset());

describe('the sender settling a copy of an organisers’ message', () => {
  it('marks it sent apart from its message, then counts it: each retried under its own token, once', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None'))
      .resolvesOnce({})
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .resolves({});
    await outbox().markSent(copy, at);
    const [mark, markAgain, count, countAgain] = transactions();
    expect(transactions()).toHaveLength(4);
    // The sent mark does not write the message's counter, which every copy writes: no copy's settle waits there.
    expect(writesMessage(mark?.items ?? [])).toBe(false);
    expect(mark?.items[0]?.Update?.UpdateExpression).toContain('uncounted = :uncounted');
    expect(markAgain?.token).toBe(mark?.token);
    expect(writesMessage(count?.items ?? [])).toBe(true);
    expect(count?.items[0]?.Update?.ConditionExpression).toBe('uncounted = :uncounted');
    expect(countAgain?.token).toBe(count?.token);
    expect(count?.token).not.toBe(mark?.token);
    for (const { token } of transactions()) expect(token).toMatch(/^[ -~]{1,36}$/);
  });

  it('the same settlement of the same attempt has the same token in every run; another attempt another', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await outbox().markSent(copy, at);
    await outbox().markSent(copy, at);
    await outbox().markSent({ ...copy, attempts: 2 }, at);
    const tokens = transactions().map(({ token }) => token);
    expect(tokens[0]).toBe(tokens[2]);
    expect(tokens[1]).toBe(tokens[3]);
    expect(tokens[4]).not.toBe(tokens[0]);
  });

  it('a counter busy beyond the budget leaves the sent email sent, for the sweep to count once', async () => {
    const brief: RetryPolicy = { ...policy, maxAttempts: 3 };
    ddb.on(TransactWriteCommand).resolvesOnce({}).rejects(cancelled('None', 'TransactionConflict'));
    await new DynamoOutbox(client(), 'table', brief).markSent(copy, at);
    expect(transactions()).toHaveLength(1 + 3);

    // The sweep: counted now; a later call finds it counted and counts nothing.
    ddb.reset();
    ddb.on(TransactWriteCommand).resolvesOnce({}).rejects(cancelled('ConditionalCheckFailed', 'None'));
    await outbox().countSent({ ...copy, state: 'sent' });
    await outbox().countSent({ ...copy, state: 'sent' });
    expect(transactions()).toHaveLength(2);
  });

  it('a message that is gone: the copy is settled without a count', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    ddb.on(UpdateCommand).resolves({});
    await outbox().countSent({ ...copy, state: 'sent' });
    const [settled] = ddb.commandCalls(UpdateCommand);
    expect(settled?.args[0].input.UpdateExpression).toBe('REMOVE uncounted, gsi1pk, gsi1sk');
  });

  it('gives up with the failed count in one transaction, a conflict retried under the same token', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'None', 'TransactionConflict'))
      .resolves({});
    await outbox().markGaveUp(copy, at, 'rejected');
    const [first, second] = transactions();
    expect(transactions()).toHaveLength(2);
    expect(writesMessage(first?.items ?? [])).toBe(true);
    expect(second?.token).toBe(first?.token);
  });

  it('a retry after a conflict with the person’s own change is written, under the same token', async () => {
    const email = { ...newOutboxEntry('reg-1', 'dag', 'confirmation', 1, at), attempts: 1 };
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    await outbox().markRetry(email, at, new Date(at.getTime() + 60_000), 'busy');
    const [first, second] = transactions();
    expect(second?.token).toBe(first?.token);
  });

  it('a settle refused (the entry or registration gone) is still an error, as before', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    await expect(outbox().markGaveUp(copy, at, 'rejected')).rejects.toBeInstanceOf(TransactionCancelled);
    expect(transactions()).toHaveLength(1);
  });
});

describe('discarding a copy nobody can receive', () => {
  it('a conflict on the message is retried under the same token, and the copy is counted failed', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    await outbox().discard(copy);
    const [first, second] = transactions();
    expect(transactions()).toHaveLength(2);
    expect(first?.items[0]?.Delete?.Key.pk).toBe(`MAIL#${copy.id}`);
    expect(writesMessage(second?.items ?? [])).toBe(true);
    expect(second?.token).toBe(first?.token);
  });

  it('a copy sent or settled meanwhile stays as it is, nothing retried', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    await outbox().discard(copy);
    expect(transactions()).toHaveLength(1);
  });
});

describe('the fan-out counting a recipient list', () => {
  const list = { eventId: 'dag', messageId: 'msg-1', listId: 'RECIPIENTS#0000', registrationIds: ['r1'] };
  const messages = () => new DynamoMessageStore(client(), 'table', policy);

  it('a conflict on the message is retried under the same token and counted', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    await messages().queueCopies(list, []);
    const [first, second] = transactions();
    expect(transactions()).toHaveLength(2);
    expect(second?.token).toBe(first?.token);
  });

  it('a list counted before (a retried record) is not counted again, and no error', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    await expect(messages().queueCopies(list, [])).resolves.toBe(0);
    expect(transactions()).toHaveLength(1);
  });
});

describe('a programme-change notice', () => {
  const current = { id: 'reg-1', version: 3, status: 'confirmed' };
  const entry = newOutboxEntry('reg-1', 'dag', 'programme-change', 4, at);

  it('a conflict with the person’s own change is retried under the same token, then written', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('TransactionConflict', 'None')).resolves({});
    const notices = new DynamoProgrammeNotices(client(), 'table', policy);
    await expect(notices.notify(current as never, entry)).resolves.toBe('written');
    const [first, second] = transactions();
    expect(transactions()).toHaveLength(2);
    expect(second?.token).toBe(first?.token);
  });
});
