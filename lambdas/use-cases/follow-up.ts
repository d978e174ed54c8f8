import type { StoredRegistration } from '../domain/registration.js';
import { positionsOf, withOwnEntries } from '../domain/waiting-list.js';
import type { PromotionLease } from '../ports.js';
import { type Promotion, type PromotionDeps, promoteWithLease } from './promote-waiting.js';

/**
 * The work after a commit that every change shares: the seats it freed go to the people waiting, and a
 * registration is shown with its places in line. Its email is not sent here: the outbox entry committed with
 * the change is sent by the sender the table's stream feeds (and the scheduled retry), so no request waits
 * for SES. None of it fails the request: the change is committed, and the promotion sweep repeats the walk.
 */

/** What the follow-up reports, with ids only (the composition root writes it to the structured log). */
export type FollowUpLog = {
  promotion(promotion: Promotion): void;
  /** The walk after a change failed; the scheduled sweep repeats it. */
  promotionLeftToSweep(eventId: string, error: unknown): void;
};

export type FollowUpDeps = PromotionDeps & {
  lease: PromotionLease;
  newOwnerId: () => string;
  log: FollowUpLog;
};

/** A registration with its places in line (workshop id → place) while it waits. */
export type RegistrationInLine = {
  registration: StoredRegistration;
  waitingPositions?: Record<string, number>;
};

/** Logs the promotions; their emails were committed with them and go out through the outbox. */
export function logPromotions(promotions: readonly Promotion[], deps: Pick<FollowUpDeps, 'log'>): void {
  for (const promotion of promotions) deps.log.promotion(promotion);
}

/**
 * Right after a transaction that freed seats or joined a list: hands free seats to the people waiting. It
 * never fails the request that called it: the scheduled sweep repeats the walk.
 */
export async function promoteAndNotify(eventId: string, deps: FollowUpDeps): Promise<Promotion[]> {
  try {
    const promotions = await promoteWithLease(eventId, deps);
    logPromotions(promotions, deps);
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
