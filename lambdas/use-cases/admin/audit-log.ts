import { EventNotFound } from '../../domain/errors.js';
import type { AuditEntry, AuditLog, EventCatalog } from '../../ports.js';

export type AuditPage = { items: AuditEntry[]; nextPosition?: string };

/** An event's audit log, newest first; with `registrationId` only that registration's entries. */
export async function listAudit(
  query: { eventId: string; limit: number; before?: string; registrationId?: string },
  deps: { events: EventCatalog; audit: AuditLog },
): Promise<AuditPage> {
  if (!(await deps.events.getEvent(query.eventId))) throw new EventNotFound();
  const { before, limit, registrationId } = query;
  return deps.audit.entries(query.eventId, { before, limit, registrationId });
}
