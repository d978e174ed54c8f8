import type { StoredRegistration } from '../domain/registration.js';
import { cancelRegistration } from './cancel-registration.js';
import { type ChangeChoicesCommand, changeChoices } from './change-choices.js';
import { type EraseDeps, erasePersonalData } from './erase-personal-data.js';
import {
  type FollowUpDeps,
  inLine,
  promoteAndNotify,
  promoteRightAway,
  type RegistrationInLine,
} from './follow-up.js';
import { findOwnRegistration } from './registration-access.js';
import { joinWaitingList, leaveWaitingList, type WaitingListDeps } from './waiting-list.js';

/**
 * What an attendee does with the manage link. Each commits its change with the email it owes (an outbox
 * entry the sender sends), and hands the seats it freed to the people waiting; the answer shows places in
 * line while the registration waits.
 */

export type OwnRegistrationDeps = WaitingListDeps & FollowUpDeps & Pick<EraseDeps, 'outbox'>;

type OwnRegistrationRef = { registrationId: string; manageToken: string };

export async function viewOwnRegistration(
  { registrationId, manageToken }: OwnRegistrationRef,
  deps: OwnRegistrationDeps,
): Promise<RegistrationInLine> {
  return inLine(await findOwnRegistration(registrationId, manageToken, deps), deps);
}

/** Changes the workshops; a change that moved seats is confirmed by email and frees the old seats for others. */
export async function changeOwnChoices(
  command: ChangeChoicesCommand,
  deps: OwnRegistrationDeps,
): Promise<RegistrationInLine> {
  const { registration, outbox } = await changeChoices(command, deps);
  if (outbox) await promoteAndNotify(registration.eventId, deps);
  return inLine(registration, deps);
}

/** Cancels; the cancellation email goes out and the seats released go to the people waiting. */
export async function cancelOwnRegistration(
  command: OwnRegistrationRef,
  deps: OwnRegistrationDeps,
): Promise<StoredRegistration> {
  const { registration, outbox } = await cancelRegistration({ ...command, by: 'attendee' }, deps);
  if (outbox) await promoteAndNotify(registration.eventId, deps);
  return registration;
}

/** Erases the personal data (cancelling first); whatever seats that freed go to the people waiting. */
export async function eraseOwnPersonalData(
  command: OwnRegistrationRef,
  deps: OwnRegistrationDeps,
): Promise<StoredRegistration> {
  const { registration } = await erasePersonalData({ ...command, by: 'attendee' }, deps);
  await promoteAndNotify(registration.eventId, deps);
  return registration;
}

/** Joins a full workshop's list, is told the place in line, and is promoted at once if a seat came free. */
export async function joinListAndConfirm(
  command: OwnRegistrationRef & { workshopId: string },
  deps: OwnRegistrationDeps,
): Promise<RegistrationInLine> {
  const joined = await joinWaitingList(command, deps);
  return promoteRightAway(await inLine(joined.registration, deps), deps);
}

/** Leaves a round's list (or, waiting for a place, the list altogether) and is told so. */
export async function leaveListAndConfirm(
  command: OwnRegistrationRef & { roundId: string },
  deps: OwnRegistrationDeps,
): Promise<RegistrationInLine> {
  const { registration } = await leaveWaitingList(command, deps);
  return inLine(registration, deps);
}
