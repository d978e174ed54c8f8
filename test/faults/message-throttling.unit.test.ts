/**
 * SES throttling in the middle of a message's delivery, injected at the SDK boundary (aws-sdk-client-mock):
 * the sender reads the account's rate (SES v2 GetAccount), paces itself, and on a throttling refusal (`TooManyRequestsException`, `Throttling`) slows down and
 * tries the same copy again, so every copy goes out exactly once and none is lost or given up.
 */
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { lazySesClient, SesMailer } from '../../lambdas/adapters/ses/mailer.js';
import { FALLBACK_SEND_RATE, SesSendQuota } from '../../lambdas/adapters/ses/send-quota.js';
import { newMessageEntry, type OutboxEntry } from '../../lambdas/domain/email.js';
import type { MessageRecord } from '../../lambdas/domain/message.js';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import { deliverNewEntry, type RetryDeps } from '../../lambdas/use-cases/deliver-email.js';
import { SendPacer } from '../../lambdas/use-cases/send-pacer.js';
import { fixedClock, sampleDefinition } from '../support/fakes.js';

const sesv2 = mockClient(SESv2Client);
afterEach(() => {
  sesv2.reset();
});

/** SES v2 names its rate refusal `TooManyRequestsException`; the SDK's throttling error name is `Throttling`. */
const THROTTLING_NAMES = ['TooManyRequestsException', 'Throttling'] as const;
const throttled = (name: string) => Object.assign(new Error('Maximum sending rate exceeded.'), { name });

const MESSAGE: MessageRecord = {
  id: 'msg-1',
  eventId: 'testdag',
  subject: { nl: 'Zaalwijziging' },
  body: { nl: 'De workshop is verplaatst.' },
  audience: { statuses: ['confirmed'] },
  recipients: 20,
  createdAt: '2030-01-01T09:00:00.000Z',
  queued: 20,
  sent: 0,
  failed: 0,
};

function registrationOf(index: number): StoredRegistration {
  return {
    id: `reg-${index}`,
    eventId: 'testdag',
    name: `Deelnemer ${index}`,
    email: `deelnemer${index}@example.nl`,
    organisation: 'Gemeente Oss',
    choices: { '1': 'a', '2': 'c' },
    status: 'confirmed',
    locale: 'nl',
    createdAt: '2030-01-01T08:00:00.000Z',
    updatedAt: '2030-01-01T08:00:00.000Z',
    version: 1,
    emailHash: 'h',
    manageTokenHash: 'h',
  };
}

/** The sender's world: an outbox that records each settlement, a pacer on a fake clock that records waits. */
function world() {
  const settled = new Map<string, string[]>();
  const settle = (entry: OutboxEntry, how: string) =>
    settled.set(entry.id, [...(settled.get(entry.id) ?? []), how]);
  let now = 0;
  const waits: number[] = [];
  // One SES v2 client for sending and reading the account's rate, as the senders' composition has it.
  const sesClient = lazySesClient({ region: 'eu-west-1' });
  const pacer = new SendPacer({
    quota: new SesSendQuota(sesClient),
    share: 1,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  const deps: RetryDeps = {
    mailer: new SesMailer(sesClient, { from: 'Vol is vol <a@example.nl>' }),
    outbox: {
      claim: async (entry: OutboxEntry) => ({ ...entry, attempts: entry.attempts + 1 }),
      markSent: async (entry: OutboxEntry) => void settle(entry, 'sent'),
      markRetry: async (entry: OutboxEntry) => void settle(entry, 'retry'),
      markGaveUp: async (entry: OutboxEntry) => void settle(entry, 'gave-up'),
      discard: async (entry: OutboxEntry) => void settle(entry, 'discarded'),
    } as unknown as RetryDeps['outbox'],
    clock: fixedClock('2030-01-01T10:00:00.000Z'),
    publicBaseUrl: 'https://aanmelden.example.nl',
    registrations: {
      getRegistration: async (id: string) => registrationOf(Number(id.slice(4))),
      replaceManageToken: async () => {},
    },
    events: {
      getDefinition: async () => sampleDefinition(),
    },
    secrets: { newManageToken: () => 'token-'.padEnd(32, 'x') },
    messages: { getMessage: async () => MESSAGE },
    pacer,
  };
  return { deps, settled, waits };
}

const copies = Array.from({ length: 20 }, (_, index) =>
  newMessageEntry(`reg-${index}`, 'testdag', 'msg-1', new Date('2030-01-01T10:00:00.000Z')),
);

describe('a message delivered while SES throttles halfway', () => {
  it.each(THROTTLING_NAMES)(
    'paces to the account rate, backs off on %s and sends every copy exactly once',
    async (name) => {
      sesv2.on(GetAccountCommand).resolves({ SendQuota: { MaxSendRate: 10 } });
      // The 11th and 12th sends are throttled; everything else is accepted.
      let calls = 0;
      sesv2.on(SendEmailCommand).callsFake(async () => {
        calls++;
        if (calls === 11 || calls === 12) throw throttled(name);
        return { MessageId: `m-${calls}` };
      });
      const { deps, settled, waits } = world();

      const outcomes = [];
      for (const entry of copies) outcomes.push(await deliverNewEntry(entry, deps));

      expect(outcomes.map((outcome) => outcome?.result)).toEqual(Array(20).fill('sent'));
      expect([...settled.values()]).toEqual(Array(20).fill(['sent']));
      const recipients = sesv2
        .commandCalls(SendEmailCommand)
        .map((call) => call.args[0].input.Destination?.ToAddresses?.[0]);
      // 22 calls: 20 accepted, each to another person, plus the two throttled tries of the 11th copy.
      expect(recipients).toHaveLength(22);
      expect(new Set(recipients)).toEqual(new Set(copies.map((_, index) => `deelnemer${index}@example.nl`)));
      // 10 per second: 100 ms apart; after the throttle it waited 250 then 500 ms, and then ran at half pace.
      expect(waits.slice(0, 9)).toEqual(Array(9).fill(100));
      expect(waits).toContain(250);
      expect(waits).toContain(500);
      expect(waits.at(-1)).toBe(200);
      expect(sesv2.commandCalls(GetAccountCommand)).toHaveLength(1);
    },
  );

  it.each(THROTTLING_NAMES)(
    'leaves a copy still refused with %s after its tries to the retry, pending and not given up',
    async (name) => {
      sesv2.on(GetAccountCommand).resolves({ SendQuota: { MaxSendRate: 50 } });
      sesv2.on(SendEmailCommand).rejects(throttled(name));
      const { deps, settled } = world();

      const outcome = await deliverNewEntry(copies[0] as OutboxEntry, deps);

      expect(outcome).toMatchObject({ result: 'retry', reason: `TransientDeliveryFailure: ${name}` });
      expect(settled.get(copies[0]?.id ?? '')).toEqual(['retry']);
      // The first try and three more after growing waits.
      expect(sesv2.commandCalls(SendEmailCommand)).toHaveLength(4);
    },
  );

  it('loads no SES client until the first read of the rate (none at cold start), then reuses it', async () => {
    sesv2.on(GetAccountCommand).resolves({ SendQuota: { MaxSendRate: 14 } });
    const shared = lazySesClient({ region: 'eu-west-1' });
    let loads = 0;
    const quota = new SesSendQuota(() => {
      loads++;
      return shared();
    });
    expect(loads).toBe(0);
    expect(await quota.maxSendRate()).toBe(14);
    expect(await quota.maxSendRate()).toBe(14);
    expect(loads).toBe(2);
    expect(await shared()).toBe(await shared());
  });

  it('assumes the sandbox rate when the account cannot be read', async () => {
    sesv2
      .on(GetAccountCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const quota = new SesSendQuota(lazySesClient({ region: 'eu-west-1' }));
    expect(await quota.maxSendRate()).toBe(FALLBACK_SEND_RATE);
  });
});
