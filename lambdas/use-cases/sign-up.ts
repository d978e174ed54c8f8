import { WorkshopFull } from '../domain/errors.js';
import {
  type FollowUpDeps,
  inLine,
  promoteAndNotify,
  promoteRightAway,
  type RegistrationInLine,
} from './follow-up.js';
import { type RegisterCommand, type RegisterDeps, type RegisterResult, register } from './register.js';
import { replayRegistration } from './replay-registration.js';
import { signUpForPlace, type WaitingListDeps } from './waiting-list.js';

/** The two ways in from the form: a registration with seats, and a signup for a place on the waiting list. */

type SignUpDeps = RegisterDeps & Omit<WaitingListDeps, 'waiting'> & FollowUpDeps;

/**
 * Registers (one transaction, with the confirmation's outbox entry; the sender sends it), then, if it joined
 * a list, lets the walk hand out seats that came free since the event was read. Shows the registration as
 * committed.
 */
export async function registerAndConfirm(
  command: RegisterCommand,
  deps: SignUpDeps,
): Promise<RegistrationInLine> {
  const created = await register(command, deps).catch((error: unknown) => {
    if (error instanceof WorkshopFull) deps.metrics?.record('RegistrationsRefusedFull');
    throw error;
  });
  deps.metrics?.record('RegistrationsConfirmed');
  const shown = await confirm(created, deps);
  if (created.registration.waitingFor) await promoteAndNotify(command.eventId, deps);
  return shown;
}

/**
 * Signs up for a place (one transaction, with its confirmation's outbox entry), then walks the list
 * at once: seats may have come free since the event was read, and then this signup is promoted right away.
 */
export async function signUpAndConfirm(
  command: Parameters<typeof signUpForPlace>[0],
  deps: SignUpDeps,
): Promise<RegistrationInLine> {
  const signedUp = await signUpForPlace(command, deps);
  deps.metrics?.record('WaitingListSignups');
  return promoteRightAway(await confirm(signedUp, deps), deps);
}

/** A repeated request (same Idempotency-Key): the registration it made, as it is now; books nothing. */
export async function replaySignUp(remembered: unknown, deps: SignUpDeps): Promise<RegistrationInLine> {
  return inLine(await replayRegistration(remembered, deps), deps);
}

/** The registration with its places in line; its email is on its way through the outbox. */
function confirm({ registration }: RegisterResult, deps: FollowUpDeps): Promise<RegistrationInLine> {
  return inLine(registration, deps);
}
