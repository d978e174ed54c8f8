import { checkInCodeOf } from '../domain/check-in.js';
import {
  DELIVERY,
  isSendRateExceeded,
  needsManageLink,
  nextAttemptDelayMs,
  type OutboxEntry,
  PermanentDeliveryFailure,
  SenderNotReady,
} from '../domain/email.js';
import type { EventDefinition } from '../domain/event-definition.js';
import { sha256Hex } from '../domain/hashing.js';
import { textFor } from '../domain/message.js';
import type { StoredRegistration } from '../domain/registration.js';
import { positionsOf, withOwnEntries } from '../domain/waiting-list.js';
import { composeEmail, manageUrl } from '../email/compose.js';
import type {
  BusinessEvent,
  BusinessMetrics,
  Clock,
  EmailOutbox,
  EventCatalog,
  Mailer,
  MessageStore,
  RegistrationStore,
  SecretSource,
  WaitingListStore,
} from '../ports.js';
import { type SendPacer, THROTTLED_SEND_RETRIES } from './send-pacer.js';

export type DeliveryDeps = {
  outbox: EmailOutbox;
  mailer: Mailer;
  clock: Clock;
  publicBaseUrl: string;
  /** Counts each attempt's outcome (absent where a test does not count). */
  metrics?: BusinessMetrics;
  /** Keeps sending within the account's send rate (absent: as fast as the mail service takes them). */
  pacer?: Pick<SendPacer, 'take' | 'backOff'>;
};

/** What an email is rendered from. */
export type DeliveryContent = {
  event: EventDefinition;
  registration: StoredRegistration;
  manageToken?: string;
  /** Workshop id → place in that workshop's waiting line, for the lists the registration is on. */
  waitingPositions?: Record<string, number>;
  /** `message`: the organisers' subject and body in the registration's language. */
  message?: { subject: string; body: string };
};

export type DeliveryOutcome = {
  entryId: string;
  registrationId: string;
  kind: OutboxEntry['kind'];
  attempts: number;
  result: 'sent' | 'retry' | 'gave-up' | 'skipped';
  reason?: string;
  /** SES is not ready to send (identity, sandbox, paused account): someone must act; the email waits. */
  senderNotReady?: true;
};

/**
 * One attempt at an outbox entry whose attempt count already includes this one. Success marks it sent (it
 * is never sent again); a transient failure schedules the next attempt with backoff; a rejected address or
 * the last attempt gives up, which organisers see on the registration. A sender that is not ready (SES
 * identity or account) never uses up the attempts: the email waits, at most 4 hours between tries, until
 * SES is ready, and the outcome says so (an alarm).
 */
async function attempt(
  entry: OutboxEntry,
  content: DeliveryContent,
  deps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  const base = {
    entryId: entry.id,
    registrationId: entry.registrationId,
    kind: entry.kind,
    attempts: entry.attempts,
  };
  const email = composeEmail({
    kind: entry.kind,
    eventId: entry.eventId,
    event: content.event,
    registration: content.registration,
    waitingPositions: content.waitingPositions,
    workshopIds: entry.workshopIds,
    message: content.message,
    changes: entry.changes,
    manageUrl: content.manageToken
      ? manageUrl(deps.publicBaseUrl, entry.registrationId, content.manageToken)
      : undefined,
    // The code belongs to the manage token this email carries (it rotates with it).
    checkInCode: content.manageToken ? checkInCodeOf(sha256Hex(content.manageToken)) : undefined,
  });
  try {
    await sendPaced(email, deps);
  } catch (error) {
    const now = deps.clock.now();
    const reason = error instanceof Error ? error.message : 'unknown';
    const notReady = error instanceof SenderNotReady;
    if (error instanceof PermanentDeliveryFailure || (entry.attempts >= DELIVERY.maxAttempts && !notReady)) {
      await deps.outbox.markGaveUp(entry, now, reason);
      return counted({ ...base, result: 'gave-up', reason }, deps);
    }
    await deps.outbox.markRetry(
      entry,
      now,
      new Date(now.getTime() + nextAttemptDelayMs(entry.attempts)),
      reason,
    );
    return counted(
      { ...base, result: 'retry', reason, ...(notReady ? { senderNotReady: true as const } : {}) },
      deps,
    );
  }
  await deps.outbox.markSent(entry, deps.clock.now());
  return counted({ ...base, result: 'sent' }, deps);
}

/** One send within the account's rate; a send SES throttles anyway is tried again after a growing wait. */
async function sendPaced(email: Parameters<Mailer['send']>[0], deps: DeliveryDeps): Promise<void> {
  for (let tries = 0; ; tries++) {
    await deps.pacer?.take();
    try {
      await deps.mailer.send(email);
      return;
    } catch (error) {
      if (!deps.pacer || !isSendRateExceeded(error) || tries >= THROTTLED_SEND_RETRIES) throw error;
      await deps.pacer.backOff(tries);
    }
  }
}

export type RetryDeps = DeliveryDeps & {
  registrations: Pick<RegistrationStore, 'getRegistration' | 'replaceManageToken'>;
  /** The queues, for the places in line an email mentions. */
  waiting?: Pick<WaitingListStore, 'queue'>;
  events: Pick<EventCatalog, 'getDefinition'>;
  secrets: Pick<SecretSource, 'newManageToken'>;
  /** The organisers' messages, for the texts of a `message` copy. */
  messages?: Pick<MessageStore, 'getMessage'>;
};

/**
 * The scheduled retry: every entry whose time has come is claimed (so two senders never send it both) and
 * attempted. An email with a manage link gets a fresh token, because only its hash was ever stored; the
 * token of an email that never arrived is thereby retired.
 */
export async function deliverDueEmails(deps: RetryDeps, limit = 25): Promise<DeliveryOutcome[]> {
  const now = deps.clock.now();
  const outcomes: DeliveryOutcome[] = [];
  for (const due of await deps.outbox.due(now, limit)) {
    // Sent, but its message's counter stayed busy: counted now, never sent again.
    if (due.state === 'sent') {
      await deps.outbox.countSent(due);
      continue;
    }
    // The token of a first attempt that never ended is not trusted: a fresh one is made.
    const { manageToken: _unused, ...entry } = due;
    const outcome = await claimAndDeliver(entry, deps);
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * The sender fed by the table's stream: the first attempt at each new outbox entry, right after the commit
 * that wrote it, with the manage token the request put in the entry. It claims the entry as the retry does,
 * so the stream and the retry never send an email twice. An error (the table unreachable) is thrown for
 * that entry alone: the stream tries it again, and the retry takes it once the claim's lease runs out.
 */
export async function deliverNewEntry(
  entry: OutboxEntry,
  deps: RetryDeps,
): Promise<DeliveryOutcome | undefined> {
  if (entry.state !== 'pending' || entry.attempts > 0) return undefined;
  return claimAndDeliver(entry, deps);
}

async function claimAndDeliver(due: OutboxEntry, deps: RetryDeps): Promise<DeliveryOutcome | undefined> {
  const now = deps.clock.now();
  const entry = await deps.outbox.claim(due, new Date(now.getTime() + DELIVERY.leaseMs));
  if (!entry) return undefined;
  // The definition as stored now (an email shows the programme as it is), without the seat counters.
  const [registration, definition] = await Promise.all([
    deps.registrations.getRegistration(entry.registrationId),
    deps.events.getDefinition(entry.eventId, { current: true }),
  ]);
  if (!registration || !definition) {
    await deps.outbox.markGaveUp(entry, now, 'registration or event no longer exists');
    return counted({ ...outcomeBase(entry), result: 'gave-up', reason: 'missing' }, deps);
  }
  // The erasure confirmation: the registration no longer knows the person, the entry does until it is sent.
  if (entry.kind === 'erasure') {
    if (!entry.recipient) {
      await deps.outbox.discard(entry);
      return { ...outcomeBase(entry), result: 'skipped', reason: 'no recipient' };
    }
    return attempt(entry, { event: definition, registration: { ...registration, ...entry.recipient } }, deps);
  }
  // Nobody left to write to: the personal data was removed (on request or after the retention period).
  // Not a failed delivery either: the entry goes, and organisers see no failure that is not one.
  if (registration.personalDataRemoved) {
    await deps.outbox.discard(entry);
    return { ...outcomeBase(entry), result: 'skipped', reason: 'personal data removed' };
  }
  // A confirmation of a registration that has since been cancelled is not sent: its successor is (or, after an
  // erasure, nothing). Not a failed delivery either: the entry goes, and the registration's delivery state stays
  // that of the email that superseded it.
  if (!ENDING_KINDS.has(entry.kind) && registration.status === 'cancelled') {
    await deps.outbox.discard(entry);
    return { ...outcomeBase(entry), result: 'skipped', reason: 'superseded' };
  }
  let message: DeliveryContent['message'];
  if (entry.kind === 'message') {
    const record = entry.messageId
      ? await deps.messages?.getMessage(entry.eventId, entry.messageId)
      : undefined;
    if (!record) {
      await deps.outbox.markGaveUp(entry, now, 'message no longer exists');
      return counted({ ...outcomeBase(entry), result: 'gave-up', reason: 'missing' }, deps);
    }
    message = {
      subject: textFor(record.subject, registration.locale),
      body: textFor(record.body, registration.locale),
    };
  }
  let manageToken = entry.manageToken;
  if (needsManageLink(entry.kind) && !manageToken) {
    manageToken = deps.secrets.newManageToken();
    await deps.registrations.replaceManageToken(registration.id, sha256Hex(manageToken));
  }
  const waitingPositions =
    deps.waiting && registration.waitingFor
      ? positionsOf(
          withOwnEntries(await deps.waiting.queue(registration.eventId), registration),
          registration.id,
        )
      : undefined;
  return attempt(
    entry,
    {
      event: definition,
      registration,
      manageToken: needsManageLink(entry.kind) ? manageToken : undefined,
      waitingPositions,
      message,
    },
    deps,
  );
}

/** Emails that tell of an ending: still owed after the registration was cancelled. */
const ENDING_KINDS = new Set<OutboxEntry['kind']>(['cancellation', 'waiting-list-left']);

/** The business metric of each outcome; a skipped email (nobody left to write to) is none. */
const OUTCOME_METRICS: Partial<Record<DeliveryOutcome['result'], BusinessEvent>> = {
  sent: 'EmailsSent',
  'gave-up': 'EmailsFailed',
  retry: 'EmailsDeferred',
};

function counted(outcome: DeliveryOutcome, deps: Pick<DeliveryDeps, 'metrics'>): DeliveryOutcome {
  const metric = OUTCOME_METRICS[outcome.result];
  if (metric) deps.metrics?.record(metric);
  return outcome;
}

function outcomeBase(entry: OutboxEntry) {
  return {
    entryId: entry.id,
    registrationId: entry.registrationId,
    kind: entry.kind,
    attempts: entry.attempts,
  };
}
