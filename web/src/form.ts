import { type ApiFailure, apiRequest, failureMessage, outcomeUncertain } from './api.js';
import { byId, h, newIdempotencyKey } from './dom.js';
import { renderEventHeader, windowMessage } from './event-header.js';
import { FieldErrors } from './field-errors.js';
import { initLanguage, lang, onLangChange, t } from './i18n.js';
import type { Msg } from './texts.js';
import type { PublicEvent, Registration } from './types.js';
import { WorkshopPicker } from './workshops.js';

/**
 * The registration form: loads the event (`?event=`, default the seed event), shows every round with live
 * seats, validates, submits with an Idempotency-Key per attempt and handles every refusal of the contract.
 */

const DEFAULT_EVENT_ID = 'dag-van-weerbaar-bestuur-2019';
const SEATS_REFRESH_MS = 30_000;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const eventId = new URLSearchParams(location.search).get('event')?.trim() || DEFAULT_EVENT_ID;
const eventPath = `/events/${encodeURIComponent(eventId)}`;

const form = byId<HTMLFormElement>('registration-form');
const loading = byId('loading');
const loadError = byId('load-error');
const loadErrorText = byId('load-error-text');
const retryButton = byId<HTMLButtonElement>('retry');
const windowBox = byId('window-message');
const submitButton = byId<HTMLButtonElement>('submit');
const alertBox = byId('form-alert');
const statusBox = byId('form-status');
const confirmation = byId('confirmation');
const fields = {
  name: byId<HTMLInputElement>('name'),
  email: byId<HTMLInputElement>('email'),
  organisation: byId<HTMLInputElement>('organisation'),
  jobTitle: byId<HTMLInputElement>('jobTitle'),
  consent: byId<HTMLInputElement>('consent'),
  website: byId<HTMLInputElement>('website'),
};

const errors = new FieldErrors();
let event: PublicEvent | undefined;
let picker: WorkshopPicker | undefined;
let formStartedAt = 0;
/**
 * How far the server's clock is ahead of this device's. `formStartedAt` is compared with the server's clock,
 * so a device whose clock is off by more than a moment would otherwise be refused (or let through) wrongly.
 */
let clockOffset = 0;
/** The attempt a resubmission belongs to: same body, same key (so a retry never books twice). */
let attempt: { key: string; body: string } | undefined;
let inFlight = false;
let loadMessage: Msg | undefined;
let alertMessage: Msg | undefined;
let statusMessage: Msg | undefined;
let registered: Registration | undefined;
let lastRefresh = 0;

for (const key of ['name', 'email', 'organisation', 'jobTitle', 'consent'] as const) {
  const input = fields[key];
  errors.register(key, {
    message: byId(`${key}-error`),
    container: byId(`field-${key}`),
    invalid: [input],
    describe: [input],
    focus: () => input,
  });
  input.addEventListener(key === 'consent' ? 'change' : 'input', () => errors.clear(key));
}

function render(): void {
  const texts = t();
  document.title = [registered ? texts.confirmedHeading : texts.formDocumentTitle, event?.title]
    .filter(Boolean)
    .join(' – ');
  if (event) renderEventHeader(event);
  byId('event-eyebrow').hidden = !event;
  loadErrorText.textContent = loadMessage ? loadMessage(texts) : '';
  const closedText = event ? windowMessage(event) : undefined;
  windowBox.textContent = closedText ?? '';
  windowBox.hidden = !closedText;
  submitButton.textContent = inFlight ? texts.submitting : texts.submit;
  alertBox.textContent = alertMessage ? alertMessage(texts) : '';
  statusBox.textContent = statusMessage ? statusMessage(texts) : '';
  errors.render();
  picker?.render();
  renderConfirmation();
}

function showAlert(message: Msg | undefined): void {
  alertMessage = message;
  alertBox.textContent = message ? message(t()) : '';
}

function showStatus(message: Msg | undefined): void {
  statusMessage = message;
  statusBox.textContent = message ? message(t()) : '';
}

function setInFlight(value: boolean): void {
  inFlight = value;
  submitButton.disabled = value;
  form.setAttribute('aria-busy', String(value));
  submitButton.textContent = value ? t().submitting : t().submit;
}

/** Closed or not yet open: the programme stays readable, nothing can be filled in. */
function applyWindow(): void {
  if (!event) return;
  const open = event.registration.status === 'open';
  picker?.setDisabled(!open);
  for (const input of Object.values(fields)) input.disabled = !open;
  submitButton.hidden = !open;
  render();
}

async function fetchEvent() {
  const outcome = await apiRequest<PublicEvent>('GET', eventPath);
  lastRefresh = Date.now();
  return outcome;
}

async function load(): Promise<void> {
  loading.hidden = false;
  loadError.hidden = true;
  const outcome = await fetchEvent();
  loading.hidden = true;
  if (outcome.kind !== 'ok') {
    const notFound = outcome.kind === 'error' && outcome.error.code === 'EVENT_NOT_FOUND';
    loadMessage = notFound ? (texts) => texts.eventNotFound : (texts) => texts.loadFailed;
    retryButton.hidden = notFound;
    loadError.hidden = false;
    render();
    return;
  }
  loadMessage = undefined;
  event = outcome.body;
  if (outcome.serverTime !== undefined) {
    const offset = outcome.serverTime - Date.now();
    clockOffset = Math.abs(offset) > 1_500 ? offset : 0;
  }
  picker = new WorkshopPicker(byId('rounds'), event, errors, { idPrefix: '' });
  form.hidden = false;
  applyWindow();
  formStartedAt = Date.now() + clockOffset;
  setInterval(() => void refreshSeats(), SEATS_REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (Date.now() - lastRefresh > SEATS_REFRESH_MS / 3) void refreshSeats();
  });
}

/**
 * Live seats: new counts are put in place. A chosen workshop that filled up meanwhile is unchecked and the
 * person is told so in its round and through the status region.
 */
async function refreshSeats(forceFull: readonly string[] = [], force = false): Promise<void> {
  if (!picker || registered || (!force && (inFlight || document.visibilityState !== 'visible'))) return;
  const outcome = await fetchEvent();
  if (outcome.kind !== 'ok' || !picker) {
    if (forceFull.length > 0) picker?.update(event as PublicEvent, forceFull);
    return;
  }
  event = outcome.body;
  const lost = picker.update(event, forceFull);
  for (const { roundId, workshop } of lost) {
    if (forceFull.includes(workshop.id)) continue;
    errors.set(`choices.${roundId}`, (texts) => texts.errChoiceBecameFull(workshop.title));
    showStatus((texts) => texts.errChoiceBecameFull(workshop.title));
  }
  applyWindow();
}

function validate(): Map<string, Msg> {
  const found = new Map<string, Msg>();
  const choices = picker?.choices() ?? {};
  for (const roundId of picker?.roundIds() ?? []) {
    const title = picker?.roundTitle(roundId) ?? roundId;
    if (!choices[roundId]) found.set(`choices.${roundId}`, (texts) => texts.errChoice(title));
  }
  if (!fields.name.value.trim()) found.set('name', (texts) => texts.errName);
  const email = fields.email.value.trim();
  if (!email) found.set('email', (texts) => texts.errEmailMissing);
  else if (!EMAIL_SHAPE.test(email)) found.set('email', (texts) => texts.errEmail);
  if (!fields.organisation.value.trim()) found.set('organisation', (texts) => texts.errOrganisation);
  if (!fields.consent.checked) found.set('consent', (texts) => texts.errConsent);
  return found;
}

/** The contract's `details[].path` → our field and our own words for it. */
function fieldError(path: string, apiMessage: string): [string, Msg] | undefined {
  switch (path) {
    case 'name':
      return ['name', (texts) => texts.errName];
    case 'email':
      return ['email', (texts) => texts.errEmail];
    case 'organisation':
      return ['organisation', (texts) => texts.errOrganisation];
    case 'jobTitle':
      return ['jobTitle', (texts) => texts.errTooLong(200)];
    case 'consent':
      return ['consent', (texts) => texts.errConsent];
  }
  if (path.startsWith('choices.') && errors.has(path)) return [path, (texts) => texts.errChoiceInvalid];
  return apiMessage && errors.has(path) ? [path, () => apiMessage] : undefined;
}

function showFieldErrors(found: Map<string, Msg>, general: Msg[] = []): void {
  for (const [key, message] of found) errors.set(key, message);
  const count = errors.count;
  showAlert((texts) =>
    [count > 0 ? texts.fixErrors(count) : '', ...general.map((message) => message(texts))]
      .filter(Boolean)
      .join(' '),
  );
  if (count > 0) errors.focusFirst();
}

function onValidationFailed(details: unknown): void {
  const found = new Map<string, Msg>();
  const general: Msg[] = [];
  for (const issue of Array.isArray(details) ? details : []) {
    const path = typeof issue?.path === 'string' ? issue.path : '';
    const message = typeof issue?.message === 'string' ? issue.message : '';
    const mapped = fieldError(path, message);
    if (mapped) found.set(...mapped);
    else if (path === 'formStartedAt') general.push((texts) => texts.tooFast);
    else if (path === 'website') general.push((texts) => texts.honeypotFilled);
    else general.push(() => [path, message].filter(Boolean).join(': '));
  }
  showFieldErrors(found, general);
}

async function onWorkshopFull(details: unknown): Promise<void> {
  const ids = ((details as { workshopIds?: unknown } | undefined)?.workshopIds ?? []) as unknown[];
  const workshopIds = ids.filter((id): id is string => typeof id === 'string');
  await refreshSeats(workshopIds, true);
  for (const workshopId of workshopIds) {
    const roundId = picker?.roundOf(workshopId);
    const title = picker?.workshopTitle(workshopId) ?? workshopId;
    if (roundId) errors.set(`choices.${roundId}`, (texts) => texts.errWorkshopFull(title));
  }
  showAlert((texts) => texts.workshopFull);
  errors.focusFirst();
}

async function onInvalidChoice(details: unknown): Promise<void> {
  await refreshSeats([], true);
  for (const issue of Array.isArray(details) ? details : []) {
    const roundId = typeof issue?.roundId === 'string' ? issue.roundId : '';
    if (!errors.has(`choices.${roundId}`)) continue;
    const title = picker?.roundTitle(roundId) ?? roundId;
    errors.set(
      `choices.${roundId}`,
      issue?.reason === 'missing' ? (texts) => texts.errChoice(title) : (texts) => texts.errChoiceInvalid,
    );
  }
  showAlert((texts) => texts.invalidChoice);
  errors.focusFirst();
}

async function onFailure(failure: ApiFailure): Promise<void> {
  if (failure.kind === 'error') {
    switch (failure.error.code) {
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

async function submit(): Promise<void> {
  if (inFlight || !picker || !event) return;
  showAlert(undefined);
  showStatus(undefined);
  errors.clearAll();
  const found = validate();
  if (found.size > 0) return showFieldErrors(found);

  const jobTitle = fields.jobTitle.value.trim();
  const body = {
    name: fields.name.value,
    email: fields.email.value,
    organisation: fields.organisation.value,
    ...(jobTitle ? { jobTitle } : {}),
    choices: picker.choices(),
    consent: fields.consent.checked,
    locale: lang(),
    website: fields.website.value,
    formStartedAt,
  };
  const serialised = JSON.stringify(body);
  if (attempt?.body !== serialised) attempt = { key: newIdempotencyKey(), body: serialised };

  setInFlight(true);
  const outcome = await apiRequest<{ registration: Registration }>('POST', `${eventPath}/registrations`, {
    body,
    headers: { 'Idempotency-Key': attempt.key },
  });
  const focusWasOnButton =
    document.activeElement === submitButton || document.activeElement === document.body;
  setInFlight(false);
  if (outcome.kind === 'ok') return showConfirmation(outcome.body.registration);
  // A definitive refusal stored nothing: the next submission is a new attempt. An uncertain outcome is
  // retried with the same key, so the API can answer with what it already did.
  if (!outcomeUncertain(outcome)) attempt = undefined;
  if (focusWasOnButton) submitButton.focus();
  await onFailure(outcome);
}

function renderConfirmation(): void {
  if (!registered || !event) return;
  const texts = t();
  byId('confirmation-thanks').textContent = texts.confirmedThanks(registered.name, event.title);
  byId('confirmation-email').textContent = texts.confirmationEmail(registered.email);
  const list = byId('confirmation-choices');
  list.replaceChildren(
    ...event.rounds.flatMap((round) => {
      const workshopId = registered?.choices[round.id];
      const workshop = round.workshops.find((candidate) => candidate.id === workshopId);
      return [
        h('dt', { lang: 'nl' }, round.title),
        h('dd', { lang: 'nl', 'data-workshop-id': workshopId }, workshop?.title ?? workshopId ?? ''),
      ];
    }),
  );
}

function showConfirmation(registration: Registration): void {
  registered = registration;
  attempt = undefined;
  form.hidden = true;
  confirmation.hidden = false;
  render();
  byId('confirmation-heading').focus();
}

form.addEventListener('submit', (submitEvent) => {
  submitEvent.preventDefault();
  void submit();
});
retryButton.addEventListener('click', () => void load());
onLangChange(render);
initLanguage();
render();
void load();
