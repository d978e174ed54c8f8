import type { Registration } from '../../domain/registration.js';

/**
 * What the organisers' use cases need beside the ports in `lambdas/ports.ts`. Defined next to the use cases
 * that use them (the application owns its ports); `adapters/dynamodb/admin-queries.ts` implements them.
 */

/** Who did it, for the audit log: the user pool's subject and user name, nothing else about the person. */
export type Actor = { sub: string; username: string };

/**
 * A registration as organisers see it: every stored field (including ones added later, such as the state of
 * the confirmation email) except keys, hashes and internal counters.
 */
export type AdminRegistration = Registration & { [field: string]: unknown };

/** A registration with its place in the event's listing order (createdAt, then id). */
export type IndexedRegistration = { position: string; registration: AdminRegistration };

export interface RegistrationIndex {
  /**
   * Every registration of an event in listing order (createdAt, then id), starting after `after` (a position
   * from an earlier item). Lazy: reads only as far as the caller iterates. Reads the event index, which is
   * eventually consistent: a registration of the last second may be missing.
   */
  registrationsOf(
    eventId: string,
    options?: { after?: string; pageSizeHint?: number },
  ): AsyncIterable<IndexedRegistration>;
}

export type AuditAction =
  | 'event.created'
  | 'event.updated'
  | 'registration.cancelled'
  | 'registration.erased'
  | 'waiting-list.removed'
  | 'waiting-list.promoted';

export type AuditEntry = {
  id: string;
  /** ISO-8601 UTC. */
  at: string;
  actor: Actor;
  action: AuditAction;
  eventId: string;
  /** The only reference to an attendee an audit entry may hold. */
  registrationId?: string;
  details: Record<string, unknown>;
};

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first, starting before `before` (a position from an earlier page). */
  entries(
    eventId: string,
    options: { before?: string; limit: number },
  ): Promise<{ items: AuditEntry[]; nextPosition?: string }>;
}

/** The ids of every event the admin API has written, so scheduled jobs can visit them without a table scan. */
export interface EventRegistry {
  add(eventId: string): Promise<void>;
  eventIds(): Promise<string[]>;
}

export interface IdSource {
  newId(): string;
}
