import { type AdminRegistration, toAdminRegistration } from '../../domain/admin-registration.js';
import { RegistrationNotFound } from '../../domain/errors.js';
import type { Actor } from '../../ports.js';
import { type CancelOnBehalfDeps, type CancelOnBehalfResult, cancelOnBehalf } from './cancel-on-behalf.js';

/** At most this many registrations per batch: one request stays well within the function's time. */
export const MAX_BATCH_SIZE = 100;

export type CancelBatchCommand = {
  eventId: string;
  /** The registrations the organiser judged abusive; duplicates count once. */
  registrationIds: readonly string[];
  /** List what would be cancelled, change nothing. */
  dryRun: boolean;
  actor: Actor;
};

/**
 * Per registration: `cancelled` now, `would-cancel` (dry run), `already-cancelled` (nothing to do), or
 * `not-found` (unknown, or of another event).
 */
export type BatchOutcome = 'cancelled' | 'would-cancel' | 'already-cancelled' | 'not-found';

export type BatchItem = { registrationId: string; outcome: BatchOutcome; registration?: AdminRegistration };

export type CancelBatchResult = {
  dryRun: boolean;
  /** Shared by the audit entries of the cancellations (`details.batchId`); absent for a dry run. */
  batchId?: string;
  items: BatchItem[];
  counts: Record<BatchOutcome, number>;
  /** The cancellation emails owed, to send after the commits. */
  emails: NonNullable<CancelOnBehalfResult['email']>[];
};

/**
 * An organiser cancels a batch of registrations at once (seat-draining bots): each exactly as a cancellation on
 * the attendee's behalf (seats released once, the email guard removed, the cancellation email owed, audited with
 * the batch's id). A dry run reads the same registrations and lists what it would cancel, changing nothing.
 */
export async function cancelBatch(
  command: CancelBatchCommand,
  deps: CancelOnBehalfDeps,
): Promise<CancelBatchResult> {
  const batchId = command.dryRun ? undefined : deps.ids.newId();
  const items: BatchItem[] = [];
  const emails: CancelBatchResult['emails'] = [];
  for (const registrationId of new Set(command.registrationIds)) {
    const current = await deps.registrations.getRegistration(registrationId);
    if (!current || current.eventId !== command.eventId) {
      items.push({ registrationId, outcome: 'not-found' });
    } else if (current.status === 'cancelled') {
      items.push({
        registrationId,
        outcome: 'already-cancelled',
        registration: toAdminRegistration(current),
      });
    } else if (command.dryRun) {
      items.push({ registrationId, outcome: 'would-cancel', registration: toAdminRegistration(current) });
    } else {
      items.push(await cancelOne(command, registrationId, batchId, deps, emails));
    }
  }
  const counts: Record<BatchOutcome, number> = {
    cancelled: 0,
    'would-cancel': 0,
    'already-cancelled': 0,
    'not-found': 0,
  };
  for (const item of items) counts[item.outcome] += 1;
  return { dryRun: command.dryRun, ...(batchId ? { batchId } : {}), items, counts, emails };
}

async function cancelOne(
  command: CancelBatchCommand,
  registrationId: string,
  batchId: string | undefined,
  deps: CancelOnBehalfDeps,
  emails: CancelBatchResult['emails'],
): Promise<BatchItem> {
  try {
    const { registration, cancelledNow, email } = await cancelOnBehalf(
      { eventId: command.eventId, registrationId, actor: command.actor, batchId },
      deps,
    );
    if (email) emails.push(email);
    return { registrationId, outcome: cancelledNow ? 'cancelled' : 'already-cancelled', registration };
  } catch (error) {
    // Gone between the read and the cancel (erased meanwhile): nothing of it to cancel.
    if (error instanceof RegistrationNotFound) return { registrationId, outcome: 'not-found' };
    throw error;
  }
}
