import type { Registration } from './registration.js';

/**
 * A registration as organisers see it: every stored field (including ones added later, such as the state of
 * the confirmation email) except keys, hashes and internal counters.
 */
export type AdminRegistration = Registration & { [field: string]: unknown };

/** Storage fields that never leave the store: keys, item type and the optimistic-concurrency counter. */
const INTERNAL_FIELDS = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type', 'version', 'expiresAt']);

/** Hashes and secrets, whatever later work names them. */
const SECRET_FIELD = /hash$|token|secret/i;

/**
 * A stored registration as organisers see it: everything except keys, hashes and internal counters, so
 * fields added later (for example `confirmation: { state, attempts }`) show up without a change here.
 */
export function toAdminRegistration(item: Record<string, unknown>): AdminRegistration {
  const view: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(item)) {
    if (INTERNAL_FIELDS.has(field) || SECRET_FIELD.test(field)) continue;
    view[field] = value;
  }
  return view as AdminRegistration;
}
