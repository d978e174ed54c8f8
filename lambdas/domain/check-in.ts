import type { EventDefinition } from './event-definition.js';
import { sha256Hex } from './hashing.js';
import { ownValue, type StoredRegistration } from './registration.js';

/**
 * Check-in codes. A confirmed registration's code is derived from the hash of its manage token, so it is as
 * unguessable as that token (the token itself cannot be recovered from it), it changes whenever the token
 * does (promotion, a resent email) and nothing extra needs to be stored to show it to its owner. It grants
 * nothing but being checked in, by door staff or organisers.
 *
 * The code is 12 characters of Crockford's base 32 (no I, L, O or U: nothing to mistake when read out), 60
 * bits, shown in groups of four: `7K3M-Q9XZ-2HTR`. What people type is read leniently (lower case, spaces,
 * without hyphens, O for 0, I and L for 1).
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 12;
const GROUP = 4;

/** The check-in code of a registration with this manage-token hash; undefined once the token is gone (erased). */
export function checkInCodeOf(manageTokenHash: string): string | undefined {
  if (!manageTokenHash) return undefined;
  // 60 bits: the first 15 hex digits of a hash bound to its purpose, 5 bits per character.
  const bits = BigInt(`0x${sha256Hex(`check-in\n${manageTokenHash}`).slice(0, 15)}`);
  let code = '';
  for (let index = CODE_LENGTH - 1; index >= 0; index--) {
    code += ALPHABET[Number((bits >> BigInt(index * 5)) & 31n)];
  }
  return formatCheckInCode(code);
}

function formatCheckInCode(compact: string): string {
  const groups: string[] = [];
  for (let start = 0; start < compact.length; start += GROUP)
    groups.push(compact.slice(start, start + GROUP));
  return groups.join('-');
}

/**
 * A typed or scanned code in its canonical form (`XXXX-XXXX-XXXX`), or undefined when it cannot be one: then
 * it is unknown without looking anything up.
 */
export function normaliseCheckInCode(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact.length !== CODE_LENGTH || [...compact].some((char) => !ALPHABET.includes(char)))
    return undefined;
  return formatCheckInCode(compact);
}

/** Where someone is checked in: the event's entrance, or a workshop's room. */
export type CheckInPlace = { kind: 'entrance' } | { kind: 'workshop'; workshopId: string };

/** A registration's check-ins at one event: when at the entrance, and per workshop id. */
export type CheckInRecord = {
  registrationId: string;
  eventId: string;
  entranceAt?: string;
  workshops: Record<string, string>;
};

/** The time of the check-in at a place, if any. */
export function checkedInAt(record: CheckInRecord | undefined, place: CheckInPlace): string | undefined {
  if (!record) return undefined;
  return place.kind === 'entrance' ? record.entranceAt : ownValue(record.workshops, place.workshopId);
}

/** Present at all: checked in at the entrance or in any workshop room. */
export function wasPresent(record: CheckInRecord | undefined): boolean {
  return (
    record !== undefined && (record.entranceAt !== undefined || Object.keys(record.workshops).length > 0)
  );
}

/** The code a registration's owner is shown: only while it is confirmed (a waiting one has no seat to check in). */
export function ownCheckInCode(
  registration: Pick<StoredRegistration, 'status' | 'manageTokenHash'>,
): string | undefined {
  return registration.status === 'confirmed' ? checkInCodeOf(registration.manageTokenHash) : undefined;
}

/** The event day is over: the date now, in the event's time zone, is later than the event's date. */
export function isAfterEventDay(definition: Pick<EventDefinition, 'date' | 'timezone'>, now: Date): boolean {
  // en-CA formats dates as YYYY-MM-DD, which compares as text.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: definition.timezone }).format(now);
  return today > definition.date;
}
