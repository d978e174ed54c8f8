import {
  DELIVERY,
  needsManageLink,
  nextAttemptDelayMs,
  type OutboxEntry,
  PermanentDeliveryFailure,
  SenderNotReady,
} from '../domain/email.js';
import type { EventDefinition } from '../domain/event-definition.js';
import { sha256Hex } from '../domain/hashing.js';
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
  RegistrationStore,
  SecretSource,
  WaitingListStore,
} from '../ports.js';

export type DeliveryDeps = {
  outbox: EmailOutbox;
  mailer: Mailer;
  clock: Clock;
  publicBaseUrl: string;
  /** Counts each attempt's outcome (absent where a test does not count). */
  metrics?: BusinessMetrics;
};

/** What an email is rendered from. */
export type DeliveryContent = {
  event: EventDefinition;
  registration: StoredRegistration;
  manageToken?: string;
  /** Workshop id → place in that workshop's waiting line, for the lists the registration is on. */
  waitingPositions?: Record<string, number>;
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
    manageUrl: content.manageToken
      ? manageUrl(deps.publicBaseUrl, entry.registrationId, content.manageToken)
      : undefined,
  });
  try {
    await deps.mailer.send(email);
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

/**
 * Right after the commit that owed the email: the first attempt, with the token the request already has.
 * It never fails the request: whatever goes wrong here, the outbox entry is committed and the scheduled
 * retry sends it once its lease runs out.
 */
export async function deliverNow(
  entry: OutboxEntry,
  content: DeliveryContent,
  deps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  try {
    return await attempt({ ...entry, attempts: entry.attempts + 1 }, content, deps);
  } catch (error) {
    return {
      ...outcomeBase(entry),
      result: 'retry',
      reason: error instanceof Error ? error.name : 'unknown',
    };
  }
}

/**
 * Right after a change whose email carries no manage link (a cancellation, leaving a waiting list): the email
 * needs the event's texts, read here. Never throws.
 */
export async function deliverNoticeNow(
  entry: OutboxEntry,
  registration: StoredRegistration,
  deps: DeliveryDeps & { events: Pick<EventCatalog, 'getEvent'> },
): Promise<DeliveryOutcome> {
  try {
    const event = await deps.events.getEvent(registration.eventId);
    if (!event) return { ...outcomeBase(entry), result: 'retry', reason: 'event not readable' };
    return await deliverNow(entry, { event: event.definition, registration }, deps);
  } catch (error) {
    return {
      ...outcomeBase(entry),
      result: 'retry',
      reason: error instanceof Error ? error.name : 'unknown',
    };
  }
}

export type RetryDeps = DeliveryDeps & {
  registrations: Pick<RegistrationStore, 'getRegistration' | 'replaceManageToken'>;
  /** The queues, for the places in line an email mentions. */
  waiting?: Pick<WaitingListStore, 'queue'>;
  events: Pick<EventCatalog, 'getEvent'>;
  secrets: Pick<SecretSource, 'newManageToken'>;
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
    const entry = await deps.outbox.claim(due, new Date(now.getTime() + DELIVERY.leaseMs));
    if (!entry) continue;
    const [registration, event] = await Promise.all([
      deps.registrations.getRegistration(entry.registrationId),
      deps.events.getEvent(entry.eventId),
    ]);
    if (!registration || !event) {
      await deps.outbox.markGaveUp(entry, now, 'registration or event no longer exists');
      outcomes.push(counted({ ...outcomeBase(entry), result: 'gave-up', reason: 'missing' }, deps));
      continue;
    }
    // Nobody left to write to: the personal data was removed (on request or after the retention period).
    // Not a failed delivery either: the entry goes, and organisers see no failure that is not one.
    if (registration.personalDataRemoved) {
      await deps.outbox.discard(entry);
      outcomes.push({ ...outcomeBase(entry), result: 'skipped', reason: 'personal data removed' });
      continue;
    }
    // A confirmation of a registration that has since been changed or cancelled is not sent: its successor is.
    if (!ENDING_KINDS.has(entry.kind) && registration.status === 'cancelled') {
      await deps.outbox.markGaveUp(entry, now, 'superseded by cancellation');
      outcomes.push({ ...outcomeBase(entry), result: 'skipped', reason: 'superseded' });
      continue;
    }
    let manageToken: string | undefined;
    if (needsManageLink(entry.kind)) {
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
    outcomes.push(
      await attempt(entry, { event: event.definition, registration, manageToken, waitingPositions }, deps),
    );
  }
  return outcomes;
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
