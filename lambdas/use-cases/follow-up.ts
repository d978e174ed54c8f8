import type { OutboxEntry } from '../domain/email.js';
import type { StoredRegistration } from '../domain/registration.js';
import { positionsOf, withOwnEntries } from '../domain/waiting-list.js';
import type { PromotionLease } from '../ports.js';
import {
  type DeliveryContent,
  type DeliveryDeps,
  type DeliveryOutcome,
  deliverNoticeNow,
  deliverNow,
} from './deliver-email.js';
import { type Promotion, type PromotionDeps, promoteWithLease } from './promote-waiting.js';

/**
 * The work after a commit that every change shares: its email goes out at once, the seats it freed go to the
 * people waiting (with their emails), and a registration is shown with its places in line. None of it fails
 * the request: the change is committed, and the outbox retry and the promotion sweep repeat what went wrong.
 */

/** What the follow-up reports, with ids only (the composition root writes it to the structured log). */
export type FollowUpLog = {
  delivery(outcome: DeliveryOutcome): void;
  promotion(promotion: Promotion): void;
  /** The walk after a change failed; the scheduled sweep repeats it. */
  promotionLeftToSweep(eventId: string, error: unknown): void;
};

export type FollowUpDeps = PromotionDeps & {
  lease: PromotionLease;
  newOwnerId: () => string;
  delivery: DeliveryDeps & { events: PromotionDeps['events'] };
  log: FollowUpLog;
};

/** A registration with its places in line (workshop id → place) while it waits. */
export type RegistrationInLine = {
  registration: StoredRegistration;
  waitingPositions?: Record<string, number>;
};

/** The email a change owes, with the token and places in line the request has; never throws. */
export async function sendNow(entry: OutboxEntry, content: DeliveryContent, deps: FollowUpDeps) {
  deps.log.delivery(await deliverNow(entry, content, deps.delivery));
}

/** The email of a change that carries no manage link (a cancellation, leaving a list); never throws. */
export async function sendNoticeNow(
  entry: OutboxEntry,
  registration: StoredRegistration,
  deps: FollowUpDeps,
) {
  deps.log.delivery(await deliverNoticeNow(entry, registration, deps.delivery));
}

/** Sends the promotion emails right after their commits; the outbox and the sweep cover any failure. */
export async function notifyPromotions(promotions: readonly Promotion[], deps: FollowUpDeps): Promise<void> {
  await Promise.all(
    promotions.map(async (promotion) => {
      deps.log.promotion(promotion);
      const { event, registration, manageToken, outbox } = promotion;
      await sendNow(outbox, { event, registration, manageToken }, deps);
    }),
  );
}

/**
 * Right after a transaction that freed seats or joined a list: hands free seats to the people waiting. It
 * never fails the request that called it: the scheduled sweep repeats the walk.
 */
export async function promoteAndNotify(eventId: string, deps: FollowUpDeps): Promise<Promotion[]> {
  try {
    const promotions = await promoteWithLease(eventId, deps);
    await notifyPromotions(promotions, deps);
    return promotions;
  } catch (error) {
    deps.log.promotionLeftToSweep(eventId, error);
    return [];
  }
}

/** A registration as its holder sees it: with places in line while it waits. */
export async function inLine(
  registration: StoredRegistration,
  deps: FollowUpDeps,
): Promise<RegistrationInLine> {
  if (!registration.waitingFor) return { registration };
  const queue = await deps.waiting.queue(registration.eventId);
  return {
    registration,
    waitingPositions: positionsOf(withOwnEntries(queue, registration), registration.id),
  };
}

/**
 * After joining a list (a signup, or a preference): seats may have come free since the event was read, so the
 * walk runs at once. When it promoted this registration, its latest state is shown; otherwise `before`.
 */
export async function promoteRightAway(
  before: RegistrationInLine,
  deps: FollowUpDeps,
): Promise<RegistrationInLine> {
  const { registration } = before;
  const promoted = await promoteAndNotify(registration.eventId, deps);
  if (!promoted.some((promotion) => promotion.registration.id === registration.id)) return before;
  return inLine((await deps.registrations.getRegistration(registration.id)) ?? registration, deps);
}
