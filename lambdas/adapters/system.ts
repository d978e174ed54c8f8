import { nanoid } from 'nanoid';
import type { Clock, SecretSource } from '../ports.js';

export const systemClock: Clock = { now: () => new Date() };

/** nanoid uses the crypto RNG: 21 characters ≈ 126 bits for ids, 32 characters ≈ 190 bits for manage tokens. */
export const cryptoSecrets: SecretSource = {
  newRegistrationId: () => nanoid(),
  newManageToken: () => nanoid(32),
};
