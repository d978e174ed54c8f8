import type { RegistrationStatus } from '../../domain/registration.js';
import type { AdminRegistration } from './ports.js';

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

export type RegistrationFilter = {
  /** Holds this workshop, in any round. */
  workshopId?: string;
  status?: RegistrationStatus;
  /** Case- and accent-insensitive substring of the name, email or organisation. */
  q?: string;
};

/** Lower case without diacritics: "Zoë Çelik" and "zoe celik" fold to the same text. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('nl');
}

export function registrationMatcher(
  filter: RegistrationFilter,
): (registration: AdminRegistration) => boolean {
  const needle = filter.q ? foldText(filter.q) : undefined;
  return (registration) => {
    if (filter.status && registration.status !== filter.status) return false;
    if (filter.workshopId && !Object.values(registration.choices ?? {}).includes(filter.workshopId)) {
      return false;
    }
    if (needle) {
      const fields = [registration.name, registration.email, registration.organisation];
      if (!fields.some((text) => foldText(String(text ?? '')).includes(needle))) return false;
    }
    return true;
  };
}
