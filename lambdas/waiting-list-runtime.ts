import { randomUUID } from 'node:crypto';
import { dependencies } from './composition.js';
import type { StoredRegistration } from './domain/registration.js';
import { positionsOf, withOwnEntries } from './domain/waiting-list.js';
import { emailDependencies } from './email-composition.js';
import { registrationView } from './http/public-views.js';
import { logDelivery, logger } from './observability.js';
import { deliverNow } from './use-cases/deliver-email.js';
import { type Promotion, type PromotionDeps, promoteWithLease } from './use-cases/promote-waiting.js';

/**
 * What the functions that free seats or show waiting lists share: promotion right after a commit, with its
 * emails, and a registration's view with its places in line. Built on the composition roots, so it adds no
 * clients of its own.
 */

export function promotionDeps(): PromotionDeps {
  const deps = dependencies();
  return {
    events: deps.store,
    registrations: deps.store,
    waiting: deps.waitingList,
    clock: deps.clock,
    secrets: deps.secrets,
  };
}

/** Sends the promotion emails right after their commits; the outbox and the sweep cover any failure. */
export async function notifyPromotions(promotions: readonly Promotion[]): Promise<void> {
  const email = emailDependencies();
  await Promise.all(
    promotions.map(async (promotion) => {
      logger.info('waiting list promotion', {
        eventId: promotion.registration.eventId,
        registrationId: promotion.registration.id,
        entryId: promotion.entry.id,
        kind: promotion.entry.kind,
        workshopIds: Object.values(promotion.registration.choices),
      });
      const { event, registration, manageToken, outbox } = promotion;
      logDelivery(await deliverNow(outbox, { event, registration, manageToken }, email));
    }),
  );
}

/**
 * Right after a transaction that freed seats or joined a list: hands free seats to the people waiting. It never
 * fails the request that called it: the change is committed, and the scheduled sweep repeats the walk.
 */
export async function promoteAndNotify(eventId: string): Promise<Promotion[]> {
  try {
    const promotions = await promoteWithLease(eventId, {
      ...promotionDeps(),
      lease: dependencies().waitingList,
      newOwnerId: randomUUID,
    });
    await notifyPromotions(promotions);
    return promotions;
  } catch (error) {
    logger.warn('promotion left to the sweep', {
      eventId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
    return [];
  }
}

/** A registration as its holder sees it, with places in line while it waits. */
export async function registrationWithPositions(registration: StoredRegistration) {
  if (!registration.waitingFor) return registrationView(registration);
  const queue = await dependencies().waitingList.queue(registration.eventId);
  return registrationView(registration, positionsOf(withOwnEntries(queue, registration), registration.id));
}

/** The latest stored state after a promotion may have changed it in the meantime. */
export async function reread(registration: StoredRegistration): Promise<StoredRegistration> {
  return (await dependencies().store.getRegistration(registration.id)) ?? registration;
}
