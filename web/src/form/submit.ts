import { type ApiFailure, apiRequest, failureMessage, outcomeUncertain } from '../api.js';
import { BUSY_RETRIES, busyRetryDelayMs } from '../busy-retry.js';
import { newIdempotencyKey } from '../dom.js';
import { lang } from '../i18n.js';
import type { Msg } from '../texts.js';
import type { Registration, RegistrationRequest, WaitingListRequest } from '../types.js';
import { showConfirmation, showWaitingConfirmation } from './confirmation.js';
import { fields, onValidationFailed, showFieldErrors, validate } from './fields.js';
import { onInvalidChoice, onPlaceNotFull, onWaitNotFull, onWorkshopFull, refreshSeats } from './rounds.js';
import {
  errors,
  eventPath,
  form,
  page,
  showAlert,
  showStatus,
  submitButton,
  submitLabel,
  waitingMode,
} from './state.js';

/**
 * Sending the form: with an Idempotency-Key per attempt, sent again by itself while the API is busy (503
 * TRY_AGAIN, busy-retry.ts), and every refusal of the contract handed to the part of the form it concerns.
 * A registration goes to `POST /events/{eventId}/registrations`; a place on the waiting list to
 * `POST /events/{eventId}/waiting-list` with the accepted workshops per round, in order of preference.
 */

/** The attempt a resubmission belongs to: same body, same key (so a retry never books twice). */
let attempt: { key: string; body: string } | undefined;
const beingHandled: Msg = (texts) => texts.beingHandled;

function setInFlight(value: boolean): void {
  page.inFlight = value;
  submitButton.disabled = value;
  form.setAttribute('aria-busy', String(value));
  submitButton.textContent = submitLabel();
}

async function onFailure(failure: ApiFailure, waiting: boolean): Promise<void> {
  if (failure.kind === 'error') {
    switch (failure.error.code) {
      case 'NOT_FULL':
        return waiting ? onPlaceNotFull() : onWaitNotFull(failure.error.details);
      case 'VALIDATION_FAILED':
        return onValidationFailed(failure.error.details);
      case 'WORKSHOP_FULL':
        return onWorkshopFull(failure.error.details);
      case 'INVALID_CHOICE':
        return onInvalidChoice(failure.error.details);
      case 'REGISTRATION_CLOSED':
        showAlert(failureMessage(failure));
        return refreshSeats([], true);
    }
  }
  showAlert(failureMessage(failure));
}

export async function submit(): Promise<void> {
  const { picker } = page;
  if (page.inFlight || !picker || !page.event) return;
  showAlert(undefined);
  showStatus(undefined);
  errors.clearAll();
  const found = validate();
  if (found.size > 0) return showFieldErrors(found);

  const jobTitle = fields.jobTitle.value.trim();
  const person = {
    name: fields.name.value,
    email: fields.email.value,
    organisation: fields.organisation.value,
    ...(jobTitle ? { jobTitle } : {}),
  };
  const rest = {
    // validate() refused the form unless the box is ticked.
    consent: true as const,
    locale: lang(),
    website: fields.website.value,
    formStartedAt: page.formStartedAt,
  };
  const waiting = waitingMode();
  const accepts = picker.accepts();
  const waitFor = picker.waitFor();
  const alternatives = picker.alternatives();
  const choices = picker.choices();
  const body: RegistrationRequest | WaitingListRequest = waiting
    ? { ...person, accepts, ...rest }
    : {
        ...person,
        choices,
        ...(Object.keys(waitFor).length > 0 ? { waitFor } : {}),
        ...(Object.keys(alternatives).length > 0 ? { alternatives } : {}),
        ...rest,
      };
  const path = waiting ? `${eventPath}/waiting-list` : `${eventPath}/registrations`;
  const serialised = `${path} ${JSON.stringify(body)}`;
  if (attempt?.body !== serialised) attempt = { key: newIdempotencyKey(), body: serialised };

  setInFlight(true);
  const key = attempt.key;
  const send = () =>
    apiRequest<{ registration: Registration }>('POST', path, { body, headers: { 'Idempotency-Key': key } });
  let outcome = await send();
  // Busy (503 TRY_AGAIN): send the same request again by itself, same key, saying it is being handled.
  for (let retry = 0; outcome.kind === 'error' && retry < BUSY_RETRIES; retry++) {
    const wait = busyRetryDelayMs(outcome.error.code, outcome.retryAfterSeconds);
    if (wait === undefined) break;
    showStatus(beingHandled);
    await new Promise((resolve) => setTimeout(resolve, wait));
    outcome = await send();
  }
  if (page.statusMessage === beingHandled) showStatus(undefined);
  const focusWasOnButton =
    document.activeElement === submitButton || document.activeElement === document.body;
  setInFlight(false);
  if (outcome.kind === 'ok') {
    const { registration } = outcome.body;
    attempt = undefined;
    return registration.status === 'waiting'
      ? showWaitingConfirmation(registration, accepts)
      : showConfirmation(registration, choices);
  }
  // A definitive refusal stored nothing: the next submission is a new attempt. An uncertain outcome is
  // retried with the same key, so the API can answer with what it already did.
  if (!outcomeUncertain(outcome)) attempt = undefined;
  if (focusWasOnButton) submitButton.focus();
  await onFailure(outcome, waiting);
}
