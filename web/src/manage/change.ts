import { type ApiFailure, apiRequest, failureMessage } from '../api.js';
import { byId } from '../dom.js';
import { windowMessage } from '../event-header.js';
import type { Texts } from '../texts.js';
import type { ChangeRequest, Choices, Registration } from '../types.js';
import {
  auth,
  errors,
  page,
  pageStatus,
  refreshSeats,
  registrationPath,
  render,
  showFailure,
  showStatus,
} from './state.js';

/** Changing workshops: the picker form and its PATCH, with the refusals shown beside the rounds they concern. */

const changeForm = byId<HTMLFormElement>('change-form');
const changeWindow = byId('change-window');
const changeAlert = byId('change-alert');
const saveButton = byId<HTMLButtonElement>('save');

export function renderChange(texts: Texts): void {
  changeAlert.textContent = page.failures.change ? page.failures.change(texts) : '';
  saveButton.textContent = page.busy === 'saving' ? texts.saving : texts.save;
  const { registration, event } = page;
  if (!registration || page.erased) return;
  changeForm.hidden =
    registration.status === 'cancelled' || registration.status === 'waiting' || !page.picker;
  const closed = event ? windowMessage(event) : undefined;
  changeWindow.textContent = closed ?? '';
  changeWindow.hidden = !closed;
  saveButton.hidden = Boolean(closed);
  saveButton.disabled = page.busy !== undefined;
}

function sameChoices(a: Choices, b: Choices): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

async function onChangeFailure(failure: ApiFailure): Promise<void> {
  const code = failure.kind === 'error' ? failure.error.code : undefined;
  const errorDetails = failure.kind === 'error' ? failure.error.details : undefined;
  if (code === 'WORKSHOP_FULL') {
    const ids = ((errorDetails as { workshopIds?: unknown[] } | undefined)?.workshopIds ?? []).filter(
      (id): id is string => typeof id === 'string',
    );
    await refreshSeats(ids);
    for (const workshopId of ids) {
      const roundId = page.picker?.roundOf(workshopId);
      const title = page.picker?.workshopTitle(workshopId) ?? workshopId;
      if (roundId) errors.set(`choices.${roundId}`, (texts) => texts.errWorkshopFull(title));
    }
    showFailure((texts) => texts.workshopFull, 'change');
    return errors.focusFirst();
  }
  if (code === 'INVALID_CHOICE' || code === 'VALIDATION_FAILED') {
    await refreshSeats();
    for (const issue of Array.isArray(errorDetails) ? errorDetails : []) {
      const roundId =
        typeof issue?.roundId === 'string'
          ? issue.roundId
          : typeof issue?.path === 'string'
            ? issue.path.replace(/^choices\./, '')
            : '';
      if (errors.has(`choices.${roundId}`))
        errors.set(`choices.${roundId}`, (texts) => texts.errChoiceInvalid);
    }
    showFailure((texts) => texts.invalidChoice, 'change');
    return errors.focusFirst();
  }
  if (code === 'REGISTRATION_CLOSED') {
    await refreshSeats();
    return showFailure((texts) => texts.changeClosed, 'change');
  }
  showFailure(failureMessage(failure), 'change');
}

export async function save(): Promise<void> {
  const { picker, registration } = page;
  if (page.busy || !picker || !registration) return;
  errors.clearAll();
  showFailure(undefined, 'change');
  showStatus(undefined);
  const choices = picker.choices();
  const missing = picker.roundIds().filter((roundId) => !choices[roundId]);
  for (const roundId of missing) {
    const title = picker.roundTitle(roundId);
    errors.set(`choices.${roundId}`, (texts) => texts.errChoice(title));
  }
  if (missing.length > 0) {
    showFailure((texts) => texts.fixErrors(missing.length), 'change');
    return errors.focusFirst();
  }
  if (sameChoices(choices, registration.choices)) return showStatus((texts) => texts.nothingChanged);

  page.busy = 'saving';
  render();
  const outcome = await apiRequest<{ registration: Registration }>('PATCH', registrationPath, {
    body: { choices } satisfies ChangeRequest,
    headers: auth,
  });
  page.busy = undefined;
  if (outcome.kind !== 'ok') {
    render();
    saveButton.focus();
    return onChangeFailure(outcome);
  }
  const saved = outcome.body.registration;
  page.registration = saved;
  picker.setHeld(saved.choices);
  picker.select(saved.choices);
  await refreshSeats();
  showStatus((texts) => texts.saved);
  pageStatus.focus();
}

export function wireChange(): void {
  changeForm.addEventListener('submit', (submitEvent) => {
    submitEvent.preventDefault();
    void save();
  });
}
