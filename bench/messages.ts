/**
 * Messages (issue 16): one organisers' message to every confirmed registration of an event. Measured: how long
 * the POST takes to answer (goal < 2 s), how long until every copy is in the local SES, duplicates and lost
 * copies; twice: as is, and with SES answering `TooManyRequestsException` (v2 throttling) for a while once half the copies went out.
 */
import { cryptoSecrets } from '../lambdas/adapters/system.js';
import { sha256Hex } from '../lambdas/domain/hashing.js';
import { emailDependencies } from '../lambdas/email-composition.js';
import { emailGuardHash } from '../lambdas/use-cases/registration-steps.js';
import { sentEmails } from '../test/support/mail.js';
import type { BenchContext } from './context.js';
import { benchEvent, httpClient, pool, progress, round1 } from './support.js';

export type MessagesOptions = { recipients: number; throttleMs: number };

export type MessageRun = {
  throttled: boolean;
  postMs: number;
  deliveredAfterMs: number;
  delivered: number;
  duplicates: number;
  lost: number;
  /** Sends SES refused as throttled (injected). */
  throttledSends: number;
  counts: { sent: number; pending: number; failed: number };
};

export type MessagesResult = { options: MessagesOptions; runs: MessageRun[] };

/**
 * SES throttling, injected into the sender's SES v2 client: once `after` emails were accepted, every `SendEmail`
 * for `forMs` fails as SES v2 fails it (`TooManyRequestsException`, "Maximum sending rate exceeded"); the account
 * read (`GetAccount`) on the same client is left alone. Bench-only: the client is the mailer's private loader,
 * reached at runtime.
 */
async function injectThrottling(after: number, forMs: number) {
  const state = { accepted: 0, throttledUntil: 0, refused: 0, enabled: false };
  type Stack = { add(middleware: unknown, options: { step: string; name: string }): void };
  const loader = (
    emailDependencies().mailer as unknown as { client: () => Promise<{ middlewareStack: Stack }> }
  ).client;
  const client = await loader();
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        if (context.commandName !== 'SendEmailCommand') return next(args);
        const now = Date.now();
        if (state.enabled && state.accepted >= after && state.throttledUntil === 0)
          state.throttledUntil = now + forMs;
        if (state.enabled && now < state.throttledUntil) {
          state.refused++;
          throw Object.assign(new Error('Maximum sending rate exceeded.'), {
            name: 'TooManyRequestsException',
          });
        }
        const result = await next(args);
        state.accepted++;
        return result;
      },
    { step: 'initialize', name: 'benchThrottling' },
  );
  return state;
}

async function fillEvent(context: BenchContext, eventId: string, recipients: number) {
  await context.store.putEventDefinition(eventId, benchEvent(`Berichten ${eventId}`, 1, 4, recipients));
  // Straight into the store without a confirmation email: only the message's copies reach the local SES.
  await pool(recipients, 16, async (n) => {
    const at = new Date().toISOString();
    const email = `${eventId}-${n}@bench.example.nl`;
    await context.store.createRegistration({
      registration: {
        id: cryptoSecrets.newRegistrationId(),
        eventId,
        name: `Deelnemer ${n}`,
        email,
        organisation: 'Gemeente Bench',
        choices: { '1': `r1-w${(n % 4) + 1}` },
        status: 'confirmed',
        locale: n % 5 === 0 ? 'en' : 'nl',
        createdAt: at,
        updatedAt: at,
      },
      emailHash: emailGuardHash(eventId, email),
      manageTokenHash: sha256Hex(cryptoSecrets.newManageToken()),
    });
  });
}

async function oneRun(
  context: BenchContext,
  options: MessagesOptions,
  throttling: Awaited<ReturnType<typeof injectThrottling>>,
  throttled: boolean,
): Promise<MessageRun> {
  const eventId = `berichten-${throttled ? 'throttled' : 'plain'}-${Date.now().toString(36)}`;
  progress('messages', `${options.recipients} registrations for ${eventId}`);
  await fillEvent(context, eventId, options.recipients);
  const api = httpClient(context.stack.apiUrl, 4);
  const auth = { Authorization: `Bearer ${context.stack.adminToken}` };
  const subject = `Bench ${eventId}`;
  Object.assign(throttling, { accepted: 0, throttledUntil: 0, refused: 0, enabled: throttled });
  const started = performance.now();
  const post = await api.request(
    'POST',
    `/admin/events/${eventId}/messages`,
    { subject: { nl: subject }, body: { nl: 'Een bericht aan iedereen.' } },
    auth,
  );
  if (post.status !== 202) throw new Error(`POST messages answered ${post.status}`);
  progress('messages', `accepted in ${round1(post.ms)} ms for ${post.body.message.recipients}`);
  let counts = { sent: 0, pending: options.recipients, failed: 0 };
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The retry runs as EventBridge would run it; here as often as we look.
    await context.stack.runScheduled('sendDueEmails');
    const listed = await api.request('GET', `/admin/events/${eventId}/messages`, undefined, auth);
    counts = listed.body.items[0].counts;
    if (counts.pending === 0) break;
    progress('messages', `sent ${counts.sent}, pending ${counts.pending}, failed ${counts.failed}`);
  }
  const deliveredAfterMs = performance.now() - started;
  await context.stack.emailsSettled();
  const copies = (await sentEmails(context.stack.sesUrl)).filter((email) => email.subject === subject);
  const unique = new Set(copies.flatMap((email) => email.destination.to));
  api.close();
  throttling.enabled = false;
  return {
    throttled,
    postMs: round1(post.ms),
    deliveredAfterMs: Math.round(deliveredAfterMs),
    delivered: unique.size,
    duplicates: copies.length - unique.size,
    lost: options.recipients - unique.size,
    throttledSends: throttling.refused,
    counts,
  };
}

export async function runMessages(context: BenchContext, options: MessagesOptions): Promise<MessagesResult> {
  const throttling = await injectThrottling(Math.floor(options.recipients / 2), options.throttleMs);
  const runs: MessageRun[] = [];
  runs.push(await oneRun(context, options, throttling, false));
  runs.push(await oneRun(context, options, throttling, true));
  return { options, runs };
}
