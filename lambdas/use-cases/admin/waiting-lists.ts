import { findWorkshop } from '../../domain/registration.js';
import type { WaitingEntry, WaitingKind } from '../../domain/waiting-list.js';
import type {
  Actor,
  AuditLog,
  EventCatalog,
  IdSource,
  RegistrationStore,
  WaitingListStore,
} from '../../ports.js';
import type { Promotion, PromotionDeps } from '../promote-waiting.js';
import { promoteEntryNow } from '../promote-waiting.js';
import { loadEvent } from '../registration-steps.js';
import { type LeaveResult, removeWaitingEntry } from '../waiting-list.js';

export type WaitingListItem = {
  /** 1-based place in line, counted within the listing (one workshop's line when filtered). */
  position: number;
  entryId: string;
  kind: WaitingKind;
  registrationId: string;
  name: string;
  email: string;
  organisation: string;
  /** The seats held now (a preference keeps its seat while it waits). */
  choices: Record<string, string>;
  wants: Record<string, string[]>;
  joinedAt: string;
};

/**
 * An event's waiting list in queue order, optionally one workshop's line, with who is waiting. Reads the
 * queue index (an entry of the last second may be missing) and each entry's registration.
 */
export async function listWaiting(
  command: { eventId: string; workshopId?: string },
  deps: {
    events: Pick<EventCatalog, 'getEvent'>;
    registrations: Pick<RegistrationStore, 'getRegistration'>;
    waiting: Pick<WaitingListStore, 'queue'>;
  },
): Promise<{ items: WaitingListItem[] }> {
  const event = await loadEvent(deps.events, command.eventId);
  if (command.workshopId && !findWorkshop(event.definition, command.workshopId)) return { items: [] };
  const queue = (await deps.waiting.queue(command.eventId)).filter(
    (entry) => !command.workshopId || Object.values(entry.wants).flat().includes(command.workshopId),
  );
  const registrations = await Promise.all(
    queue.map((entry) => deps.registrations.getRegistration(entry.registrationId)),
  );
  return {
    items: queue.map((entry: WaitingEntry, index): WaitingListItem => {
      const registration = registrations[index];
      return {
        position: index + 1,
        entryId: entry.id,
        kind: entry.kind,
        registrationId: entry.registrationId,
        name: registration?.name ?? '',
        email: registration?.email ?? '',
        organisation: registration?.organisation ?? '',
        choices: registration?.choices ?? {},
        wants: entry.wants,
        joinedAt: entry.joinedAt,
      };
    }),
  };
}

type AuditDeps = { audit: AuditLog; ids: IdSource };

/** An organiser takes someone off a list (they are told by email); audited with ids only. */
export async function removeFromWaitingList(
  command: { eventId: string; entryId: string; actor: Actor },
  deps: Parameters<typeof removeWaitingEntry>[1] & AuditDeps,
): Promise<LeaveResult> {
  const result = await removeWaitingEntry(command, deps);
  if (result.leftEntryIds.length > 0) {
    await deps.audit.append({
      id: deps.ids.newId(),
      at: deps.clock.now().toISOString(),
      actor: command.actor,
      action: 'waiting-list.removed',
      eventId: command.eventId,
      registrationId: result.registration.id,
      details: { entryIds: result.leftEntryIds },
    });
  }
  return result;
}

/** An organiser promotes one entry out of turn, within capacity; audited with ids only. */
export async function promoteByHand(
  command: { eventId: string; entryId: string; actor: Actor },
  deps: PromotionDeps & AuditDeps,
): Promise<Promotion> {
  const promotion = await promoteEntryNow(command, deps);
  await deps.audit.append({
    id: deps.ids.newId(),
    at: deps.clock.now().toISOString(),
    actor: command.actor,
    action: 'waiting-list.promoted',
    eventId: command.eventId,
    registrationId: promotion.registration.id,
    details: { entryId: promotion.entry.id, workshopIds: Object.values(promotion.registration.choices) },
  });
  return promotion;
}
