import type { AdminRegistration } from '../../domain/admin-registration.js';
import type { RegistrationStatus } from '../../domain/registration.js';

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

let dutchCollator: Intl.Collator | undefined;

/**
 * Names in Dutch order ("de Vries" and "Çelik" sort as a Dutch reader expects). Made on first use, not at cold
 * start: loading the locale's collation data takes milliseconds.
 */
export function dutchNames(): Intl.Collator {
  dutchCollator ??= new Intl.Collator('nl', { sensitivity: 'base', numeric: true });
  return dutchCollator;
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
