import { type ApiFailure, apiRequest, failureMessage, outcomeUncertain } from './api.js';
import { BUSY_RETRIES, busyRetryDelayMs } from './busy-retry.js';
import { byId, h, newIdempotencyKey } from './dom.js';
import { renderEventHeader, windowMessage } from './event-header.js';
import { FieldErrors } from './field-errors.js';
import { dateLocale, initLanguage, lang, onLangChange, t } from './i18n.js';
import type { Msg } from './texts.js';
import type { PublicEvent, Registration, RegistrationRequest, WaitingListRequest } from './types.js';
import { type PickerMode, WorkshopPicker } from './workshops.js';

/**
 * The registration form: loads the event (`?event=`, default the seed event), shows every round with live
 * seats, validates, submits with an Idempotency-Key per attempt and handles every refusal of the contract.
 *
 * Waiting lists (docs/waiting-lists.md): a full workshop offers "Zet mij op de wachtlijst" next to a seat
 * chosen elsewhere in its round (`waitFor` in the registration). When a round has no free seat, or the
 * person chooses "Alleen op de wachtlijst", the form signs up for a place on the waiting list instead
 * (`POST /events/{eventId}/waiting-list` with the accepted workshops per round, in order of preference).
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
const waitingConfirmation = byId('waiting-confirmation');
const modeFieldset = byId<HTMLFieldSetElement>('mode');
const modeNote = byId('mode-note');
const modeInputs: Record<PickerMode, HTMLInputElement> = {
  register: byId<HTMLInputElement>('mode-register'),
  waiting: byId<HTMLInputElement>('mode-waiting'),
};
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
/** The waiting-list sign-up the API accepted, and the accepted workshops sent with it. */
let waitingPlace: { registration: Registration; accepts: Record<string, string[]> } | undefined;
/** Rounds in which every workshop is full: registering is not possible, only the waiting list. */
let roundsWithoutSeats: string[] = [];
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

const waitingMode = (): boolean => picker?.getMode() === 'waiting';
const beingHandled: Msg = (texts) => texts.beingHandled;

function submitLabel(): string {
  const texts = t();
  if (inFlight) return texts.submitting;
  return waitingMode() ? texts.submitWaiting : texts.submit;
}

function roundTitles(roundIds: readonly string[]): string {
  const titles = roundIds.map((roundId) => picker?.roundTitle(roundId) ?? roundId);
  try {
    return new Intl.ListFormat(dateLocale(), { type: 'conjunction' }).format(titles);
  } catch {
    return titles.join(', ');
  }
}

function render(): void {
  const texts = t();
  const heading = registered
    ? texts.confirmedHeading
    : waitingPlace
      ? texts.waitingHeading
      : texts.formDocumentTitle;
  document.title = [heading, event?.title].filter(Boolean).join(' – ');
  if (event) renderEventHeader(event);
  byId('event-eyebrow').hidden = !event;
  loadErrorText.textContent = loadMessage ? loadMessage(texts) : '';
  const closedText = event ? windowMessage(event) : undefined;
  windowBox.textContent = closedText ?? '';
  windowBox.hidden = !closedText;
  submitButton.textContent = submitLabel();
  alertBox.textContent = alertMessage ? alertMessage(texts) : '';
  statusBox.textContent = statusMessage ? statusMessage(texts) : '';
  modeNote.textContent =
    roundsWithoutSeats.length > 0 ? texts.modeForced(roundTitles(roundsWithoutSeats)) : '';
  modeNote.hidden = roundsWithoutSeats.length === 0;
  errors.render();
  picker?.render();
  renderConfirmation();
  renderWaitingConfirmation();
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
  submitButton.textContent = submitLabel();
}

/** Switches between registering with seats and signing up for a place on the waiting list. */
function switchMode(next: PickerMode): void {
  if (!picker) return;
  modeInputs[next].checked = true;
  if (picker.getMode() === next) return;
  for (const roundId of picker.roundIds()) errors.clear(`choices.${roundId}`);
  picker.setMode(next);
  render();
}

/**
 * The choice between registering and the waiting list is offered once a workshop is full. A round without
 * any free seat leaves only the waiting list; `announce` tells the person when that happens while they fill
 * in the form.
 */
function syncMode(announce: boolean): void {
  if (!picker || !event) return;
  const open = event.registration.status === 'open';
  const before = roundsWithoutSeats;
  roundsWithoutSeats = picker.roundsWithoutSeats();
  if (roundsWithoutSeats.length > 0 && picker.getMode() === 'register') {
    switchMode('waiting');
    if (announce && before.length === 0) {
      const rounds = roundTitles(roundsWithoutSeats);
      showStatus((texts) => texts.modeForced(rounds));
    }
  }
  modeFieldset.hidden = !picker.hasFull() && picker.getMode() === 'register';
  modeInputs.register.disabled = !open || roundsWithoutSeats.length > 0;
  modeInputs.waiting.disabled = !open;
}

/** Closed or not yet open: the programme stays readable, nothing can be filled in. */
function applyWindow(announce = false): void {
  if (!event) return;
  const open = event.registration.status === 'open';
  picker?.setDisabled(!open);
  for (const input of Object.values(fields)) input.disabled = !open;
  submitButton.hidden = !open;
  syncMode(announce);
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
  picker = new WorkshopPicker(byId('rounds'), event, errors, { idPrefix: '', waitingList: true });
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
async function refreshSeats(forceFull: readonly string[] = [], force = false, quiet = false): Promise<void> {
  if (!picker || registered || waitingPlace) return;
  if (!force && (inFlight || document.visibilityState !== 'visible')) return;
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
  for (const workshop of picker.takeFreed()) {
    if (!quiet) showStatus((texts) => texts.waitFreed(workshop.title));
  }
  applyWindow(true);
}

function validate(): Map<string, Msg> {
  const found = new Map<string, Msg>();
  const choices = picker?.choices() ?? {};
  const waitFor = picker?.waitFor() ?? {};
  const accepts = picker?.accepts() ?? {};
  for (const roundId of picker?.roundIds() ?? []) {
    const title = picker?.roundTitle(roundId) ?? roundId;
    if (waitingMode()) {
      if (!accepts[roundId]?.length) found.set(`choices.${roundId}`, (texts) => texts.errAccept(title));
    } else if (!choices[roundId]) {
      found.set(
        `choices.${roundId}`,
        waitFor[roundId] ? (texts) => texts.errWaitNeedsSeat(title) : (texts) => texts.errChoice(title),
      );
    }
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
  // `accepts.<roundId>[.<index>]` and `waitFor.<roundId>` are about the same round as `choices.<roundId>`.
  const roundPath = path.replace(/^(choices|accepts|waitFor)\.([^.]+).*$/, 'choices.$2');
  if (roundPath.startsWith('choices.') && errors.has(roundPath)) {
    return [roundPath, (texts) => texts.errChoiceInvalid];
  }
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
    const missing: Msg = waitingMode()
      ? (texts) => texts.errAccept(title)
      : (texts) => texts.errChoice(title);
    errors.set(
      `choices.${roundId}`,
      issue?.reason === 'missing' ? missing : (texts) => texts.errChoiceInvalid,
    );
  }
  showAlert((texts) => texts.invalidChoice);
  errors.focusFirst();
}

function workshopIdsOf(details: unknown): string[] {
  const ids = ((details as { workshopIds?: unknown } | undefined)?.workshopIds ?? []) as unknown[];
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * The waiting-list sign-up was refused because every round has a free seat among the accepted workshops:
 * back to the normal form with fresh seats, the first accepted workshop with a seat chosen in each round.
 */
async function onPlaceNotFull(): Promise<void> {
  await refreshSeats([], true, true);
  switchMode('register');
  syncMode(false);
  render();
  showAlert((texts) => texts.notFull);
}

/** A workshop to wait for has a free seat after all: it can simply be chosen. */
async function onWaitNotFull(details: unknown): Promise<void> {
  await refreshSeats([], true, true);
  for (const workshopId of workshopIdsOf(details)) {
    picker?.clearWait(workshopId);
    const roundId = picker?.roundOf(workshopId);
    const title = picker?.workshopTitle(workshopId) ?? workshopId;
    if (roundId) errors.set(`choices.${roundId}`, (texts) => texts.waitNotFull(title));
  }
  showAlert((texts) => texts.waitNotFullAlert);
  errors.focusFirst();
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

async function submit(): Promise<void> {
  if (inFlight || !picker || !event) return;
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
    formStartedAt,
  };
  const waiting = waitingMode();
  const accepts = picker.accepts();
  const waitFor = picker.waitFor();
  const body: RegistrationRequest | WaitingListRequest = waiting
    ? { ...person, accepts, ...rest }
    : {
        ...person,
        choices: picker.choices(),
        ...(Object.keys(waitFor).length > 0 ? { waitFor } : {}),
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
  if (statusMessage === beingHandled) showStatus(undefined);
  const focusWasOnButton =
    document.activeElement === submitButton || document.activeElement === document.body;
  setInFlight(false);
  if (outcome.kind === 'ok') {
    const { registration } = outcome.body;
    return registration.status === 'waiting'
      ? showWaitingConfirmation(registration, accepts)
      : showConfirmation(registration);
  }
  // A definitive refusal stored nothing: the next submission is a new attempt. An uncertain outcome is
  // retried with the same key, so the API can answer with what it already did.
  if (!outcomeUncertain(outcome)) attempt = undefined;
  if (focusWasOnButton) submitButton.focus();
  await onFailure(outcome, waiting);
}

/** One workshop waited for: its title (event content, Dutch) and its place in the line. */
function waitingLine(workshopTitle: string, position: number | undefined): (Node | string)[] {
  return [h('span', { lang: 'nl' }, workshopTitle), position ? ` – ${t().waitingPosition(position)}` : ''];
}

function workshopOf(workshopId: string) {
  for (const round of event?.rounds ?? []) {
    const workshop = round.workshops.find((candidate) => candidate.id === workshopId);
    if (workshop) return { round, workshop };
  }
  return undefined;
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
  // Waiting lists joined with the registration (`waitFor`), with the place in each line.
  const positions = registered.waitingPositions ?? {};
  const items = Object.entries(registered.waitingFor ?? {}).flatMap(([roundId, ids]) =>
    ids.map((workshopId) => {
      const found = workshopOf(workshopId);
      const title = found?.workshop.title ?? workshopId;
      const roundTitle = event?.rounds.find((round) => round.id === roundId)?.title ?? roundId;
      return h(
        'li',
        { 'data-workshop-id': workshopId },
        h('span', { lang: 'nl' }, `‘${title}’ (${roundTitle})`),
        positions[workshopId] ? `: ${texts.waitingPosition(positions[workshopId])}` : '',
      );
    }),
  );
  byId('confirmation-waiting-list').replaceChildren(...items);
  byId('confirmation-waiting').hidden = items.length === 0;
}

function renderWaitingConfirmation(): void {
  if (!waitingPlace || !event) return;
  const texts = t();
  const { registration, accepts } = waitingPlace;
  byId('waiting-thanks').textContent = texts.waitingThanks(registration.name, event.title);
  byId('waiting-email').textContent = texts.waitingEmail(registration.email);
  const positions = registration.waitingPositions ?? {};
  byId('waiting-choices').replaceChildren(
    ...event.rounds.flatMap((round) => {
      const ids = registration.waitingFor?.[round.id] ?? accepts[round.id] ?? [];
      return [
        h('dt', { lang: 'nl' }, round.title),
        h(
          'dd',
          {},
          h(
            'ol',
            { class: 'accepted' },
            ...ids.map((workshopId) =>
              h(
                'li',
                { 'data-workshop-id': workshopId },
                ...waitingLine(workshopOf(workshopId)?.workshop.title ?? workshopId, positions[workshopId]),
              ),
            ),
          ),
        ),
      ];
    }),
  );
}

function showWaitingConfirmation(registration: Registration, accepts: Record<string, string[]>): void {
  waitingPlace = { registration, accepts };
  attempt = undefined;
  form.hidden = true;
  waitingConfirmation.hidden = false;
  render();
  byId('waiting-heading').focus();
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
for (const mode of ['register', 'waiting'] as const) {
  modeInputs[mode].addEventListener('change', () => {
    if (!modeInputs[mode].checked) return;
    showAlert(undefined);
    switchMode(mode);
  });
}
retryButton.addEventListener('click', () => void load());
onLangChange(render);
initLanguage();
render();
void load();
