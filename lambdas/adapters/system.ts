import { customAlphabet, nanoid } from 'nanoid';
import type { Clock, SecretSource } from '../ports.js';

export const systemClock: Clock = { now: () => new Date() };

/**
 * Registration ids are letters and digits only: an id that starts with `-` reads as an option on a command line
 * (the organiser CLI takes ids as arguments) and `_`/`-` get mangled by spreadsheets and mail clients.
 */
const newAlphanumericId = customAlphabet(
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  22,
);

/** nanoid uses the crypto RNG: 22 of 62 characters ≈ 131 bits for ids, 32 characters ≈ 190 bits for manage tokens. */
export const cryptoSecrets: SecretSource = {
  newRegistrationId: () => newAlphanumericId(),
  newManageToken: () => nanoid(32),
};
