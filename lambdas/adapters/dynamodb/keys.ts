/**
 * The single-table key scheme (DESIGN.md "Data model"). Every registration has its own partition, so
 * no partition key in the base table is shared by all registrations of an event. Listing an event's
 * registrations uses the `gsi1` index, whose partition is sharded so that one busy event cannot make
 * the index the bottleneck (one index partition takes about 1,000 writes per second).
 */

export const META = 'META';
export const REGISTRATION_INDEX = 'gsi1';
export const REGISTRATION_INDEX_SHARDS = 10;

export type Key = { pk: string; sk: string };

export const eventKey = (eventId: string): Key => ({ pk: `EVENT#${eventId}`, sk: META });

export const workshopKey = (eventId: string, workshopId: string): Key => ({
  pk: `WORKSHOP#${eventId}#${workshopId}`,
  sk: META,
});

export const registrationKey = (registrationId: string): Key => ({ pk: `REG#${registrationId}`, sk: META });

export const emailGuardKey = (eventId: string, emailHash: string): Key => ({
  pk: `EMAIL#${eventId}#${emailHash}`,
  sk: META,
});

/** Spreads an event's registrations over index partitions by a stable hash of the registration id. */
export function registrationIndexShard(registrationId: string): number {
  let hash = 0;
  for (const char of registrationId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % REGISTRATION_INDEX_SHARDS;
}

export const registrationIndexKeys = (eventId: string, registrationId: string, createdAt: string) => ({
  gsi1pk: `EVENT#${eventId}#REGS#${registrationIndexShard(registrationId)}`,
  gsi1sk: `${createdAt}#${registrationId}`,
});
