import { type ApiFailure, apiRequest, failureMessage } from './api.js';
import { byId, h } from './dom.js';
import { renderEventHeader, windowMessage } from './event-header.js';
import { FieldErrors } from './field-errors.js';
import { explicitLang, formatDateTime, initLanguage, onLangChange, setLang, t } from './i18n.js';
import type { Msg } from './texts.js';
import type { ChangeRequest, Choices, JoinWaitingListRequest, PublicEvent, Registration } from './types.js';
import { WorkshopPicker } from './workshops.js';

/**
 * The manage page, opened from the confirmation email: `manage.html?id=<registrationId>#token=<manageToken>`.
 * The token is read from the fragment only, which browsers never send to a server: a `?token=` in the query
 * would land in access logs and Referer headers, so it is not accepted (the link counts as invalid). It shows
 * the registration, changes workshops (PATCH) and cancels (DELETE, after a confirmation dialog). Under "Uw
 * gegevens" the person downloads everything stored as JSON (GET .../personal-data) or has it erased (DELETE
 * .../personal-data, after a confirmation dialog), after which the link no longer works.
 *
 * Waiting lists (docs/waiting-lists.md): a registration waiting for a place shows the accepted workshops with
 * its place in each line and can leave the list (DELETE, after the same dialog); it has no workshops to
 * change. A confirmed registration shows, per round, the list it waits on (leave: DELETE
 * .../waiting-list/{roundId}) or the full workshops it could wait for (join: POST .../waiting-list).
 */

const params = new URLSearchParams(location.search);
const registrationId = params.get('id')?.trim() ?? '';
const token = (new URLSearchParams(location.hash.slice(1)).get('token') ?? '').trim();
const registrationPath = `/registrations/${encodeURIComponent(registrationId)}`;
const auth = { Authorization: `Bearer ${token}` };

const loading = byId('loading');
const loadError = byId('load-error');
const loadErrorText = byId('load-error-text');
const retryButton = byId<HTMLButtonElement>('retry');
const pageStatus = byId('page-status');
const details = byId('registration');
const changeForm = byId<HTMLFormElement>('change-form');
const changeWindow = byId('change-window');
const changeAlert = byId('change-alert');
const saveButton = byId<HTMLButtonElement>('save');
const cancelSection = byId('cancel-section');
const cancelAlert = byId('cancel-alert');
const cancelOpen = byId<HTMLButtonElement>('cancel-open');
const dialog = byId<HTMLDialogElement>('cancel-dialog');
const dataSection = byId('data-section');
const dataStatus = byId('data-status');
const dataAlert = byId('data-alert');
const downloadButton = byId<HTMLButtonElement>('data-download');
const eraseOpen = byId<HTMLButtonElement>('erase-open');
const eraseDialog = byId<HTMLDialogElement>('erase-dialog');
const waitingSection = byId('waiting-section');
const waitingAlert = byId('waiting-alert');
const waitingOffer = byId('waiting-offer');
const waitingRounds = byId('waiting-rounds');

const errors = new FieldErrors();
let registration: Registration | undefined;
let event: PublicEvent | undefined;
let picker: WorkshopPicker | undefined;
let busy: 'saving' | 'cancelling' | 'downloading' | 'erasing' | 'waiting' | undefined;
/** Set once the personal data is erased: the page then shows only that, with nothing left to do. */
let erased = false;
let loadMessage: Msg | undefined;
let statusMessage: Msg | undefined;
let changeMessage: Msg | undefined;
let cancelMessage: Msg | undefined;
let dataMessage: Msg | undefined;
let dataFailure: Msg | undefined;
let waitingFailure: Msg | undefined;
/** After NOT_FULL on joining a list: the workshop has a seat, so changing to it is offered instead. */
let switchOffer: { roundId: string; workshopId: string } | undefined;

const isWaitingPlace = (): boolean => registration?.status === 'waiting';

function findWorkshop(workshopId: string) {
  for (const round of event?.rounds ?? []) {
    const workshop = round.workshops.find((candidate) => candidate.id === workshopId);
    if (workshop) return { round, workshop };
  }
  return undefined;
}

const workshopTitle = (workshopId: string): string => findWorkshop(workshopId)?.workshop.title ?? workshopId;

function render(): void {
  const texts = t();
  document.title = [texts.manageDocumentTitle, event?.title].filter(Boolean).join(' – ');
  loadErrorText.textContent = loadMessage ? loadMessage(texts) : '';
  pageStatus.textContent = statusMessage ? statusMessage(texts) : '';
  changeAlert.textContent = changeMessage ? changeMessage(texts) : '';
  cancelAlert.textContent = cancelMessage ? cancelMessage(texts) : '';
  waitingAlert.textContent = waitingFailure ? waitingFailure(texts) : '';
  saveButton.textContent = busy === 'saving' ? texts.saving : texts.save;
  // A registration waiting for a place leaves the waiting list where a confirmed one cancels.
  const leaving = isWaitingPlace();
  byId('cancel-heading').textContent = leaving ? texts.leaveHeading : texts.cancelHeading;
  byId('cancel-intro').textContent = leaving ? texts.leaveIntro : texts.cancelIntro;
  byId('cancel-dialog-title').textContent = leaving ? texts.leaveConfirmTitle : texts.cancelConfirmTitle;
  byId('cancel-dialog-text').textContent = leaving ? texts.leaveConfirmText : texts.cancelConfirmText;
  byId('cancel-confirm').textContent = leaving ? texts.leaveConfirmYes : texts.cancelConfirmYes;
  cancelOpen.textContent =
    busy === 'cancelling'
      ? leaving
        ? texts.leaving
        : texts.cancelling
      : leaving
        ? texts.leaveButton
        : texts.cancelButton;
  dataStatus.textContent = dataMessage ? dataMessage(texts) : '';
  dataAlert.textContent = dataFailure ? dataFailure(texts) : '';
  downloadButton.textContent = busy === 'downloading' ? texts.downloading : texts.dataDownload;
  eraseOpen.textContent = busy === 'erasing' ? texts.erasing : texts.eraseButton;
  byId('erase-dialog-text').textContent = eraseText();
  if (event) renderEventHeader(event);
  errors.render();
  picker?.render();
  if (erased) {
    for (const section of [details, changeForm, waitingSection, cancelSection, dataSection]) {
      section.hidden = true;
    }
    return;
  }
  if (!registration) return;

  details.hidden = false;
  byId('reg-name').textContent = registration.name;
  byId('reg-email').textContent = registration.email;
  byId('reg-organisation').textContent = registration.organisation;
  byId('reg-jobTitle').textContent = registration.jobTitle ?? '';
  byId('reg-jobTitle').hidden = !registration.jobTitle;
  byId('reg-jobTitle-term').hidden = !registration.jobTitle;
  const cancelled = registration.status === 'cancelled';
  const waitingPlace = registration.status === 'waiting';
  const created = formatDateTime(registration.createdAt, event?.timezone ?? 'Europe/Amsterdam');
  const statusText = cancelled
    ? texts.statusCancelled
    : waitingPlace
      ? texts.statusWaiting
      : texts.statusConfirmed;
  byId('reg-status').textContent = `${statusText} (${texts.registeredOn.toLowerCase()} ${created})`;
  const note = byId('reg-waiting-note');
  note.textContent = waitingPlace ? texts.waitingManageIntro : '';
  note.hidden = !waitingPlace;
  byId('reg-choices-heading').textContent = waitingPlace ? texts.acceptedHeading : texts.yourWorkshops;
  byId('reg-choices').replaceChildren(...(waitingPlace ? acceptedList() : choicesList()));

  changeForm.hidden = cancelled || waitingPlace || !picker;
  cancelSection.hidden = cancelled;
  renderWaitingLists();
  const closed = event ? windowMessage(event) : undefined;
  changeWindow.textContent = closed ?? '';
  changeWindow.hidden = !closed;
  saveButton.hidden = Boolean(closed);
  saveButton.disabled = busy !== undefined;
  cancelOpen.disabled = busy !== undefined;
  dataSection.hidden = false;
  downloadButton.disabled = busy !== undefined;
  eraseOpen.disabled = busy !== undefined;
}

function eraseText(): string {
  const texts = t();
  if (registration?.status === 'waiting') return texts.eraseConfirmTextWaiting;
  return texts.eraseConfirmText(registration?.status !== 'cancelled');
}

/** The seat held in each round. */
function choicesList(): HTMLElement[] {
  const current = registration?.choices ?? {};
  return (event?.rounds ?? []).flatMap((round) => {
    const workshop = round.workshops.find((candidate) => candidate.id === current[round.id]);
    return [
      h('dt', { lang: 'nl' }, round.title),
      h(
        'dd',
        { lang: 'nl', 'data-workshop-id': current[round.id] },
        workshop?.title ?? current[round.id] ?? '–',
      ),
    ];
  });
}

/** A registration waiting for a place: per round the accepted workshops, in order, with the place in line. */
function acceptedList(): HTMLElement[] {
  const texts = t();
  const accepted = registration?.waitingFor ?? {};
  const positions = registration?.waitingPositions ?? {};
  return (event?.rounds ?? []).flatMap((round) => [
    h('dt', { lang: 'nl' }, round.title),
    h(
      'dd',
      {},
      h(
        'ol',
        { class: 'accepted' },
        ...(accepted[round.id] ?? []).map((workshopId) => {
          const position = positions[workshopId];
          return h(
            'li',
            { 'data-workshop-id': workshopId },
            h('span', { lang: 'nl' }, workshopTitle(workshopId)),
            position ? ` – ${texts.waitingPosition(position)}` : '',
          );
        }),
      ),
    ),
  ]);
}

/**
 * A confirmed registration's waiting lists, per round: the list it waits on with its place and a button to
 * leave it, or else a button to join the list of each full workshop (one list per round).
 */
function renderWaitingLists(): void {
  const texts = t();
  const current = registration;
  waitingSection.hidden = current?.status !== 'confirmed' || !event;
  if (!current || !event || current.status !== 'confirmed') return;
  const open = event.registration.status === 'open';
  const waitingFor = current.waitingFor ?? {};
  const positions = current.waitingPositions ?? {};
  const hadFocus = waitingRounds.contains(document.activeElement) ? document.activeElement?.id : undefined;
  waitingRounds.replaceChildren(
    ...event.rounds.map((round) => {
      const block = h(
        'div',
        { class: 'waiting-round', 'data-round-id': round.id },
        h('h3', { lang: 'nl' }, round.title),
      );
      const waited = waitingFor[round.id] ?? [];
      for (const workshopId of waited) {
        const title = workshopTitle(workshopId);
        const leave = h(
          'button',
          { type: 'button', id: `leave-${round.id}`, class: 'button-secondary' },
          texts.leaveButton,
          h('span', { class: 'visually-hidden' }, texts.leaveFor(title)),
        );
        leave.disabled = busy !== undefined;
        leave.addEventListener('click', () => void leaveRound(round.id));
        block.append(
          h(
            'p',
            { class: 'waiting-on', 'data-workshop-id': workshopId },
            texts.waitingInRound(title, positions[workshopId]),
          ),
          h('div', { class: 'actions' }, leave),
        );
      }
      if (waited.length > 0) return block;
      const full = round.workshops.filter(
        (workshop) => (workshop.full || workshop.seatsLeft <= 0) && workshop.id !== current.choices[round.id],
      );
      if (full.length === 0 || !open) {
        block.append(h('p', {}, texts.noFullInRound));
        return block;
      }
      for (const workshop of full) {
        const join = h(
          'button',
          { type: 'button', id: `join-${workshop.id}`, class: 'button-secondary' },
          texts.joinButton,
          h('span', { class: 'visually-hidden' }, texts.joinFor(workshop.title)),
        );
        join.disabled = busy !== undefined;
        join.addEventListener('click', () => void joinList(workshop.id));
        block.append(
          h(
            'p',
            { 'data-workshop-id': workshop.id },
            h('span', { lang: 'nl', class: 'waiting-title' }, workshop.title),
            ` – ${texts.full} · ${texts.waitingCount(workshop.waiting ?? 0)}`,
          ),
          h('div', { class: 'actions' }, join),
        );
      }
      return block;
    }),
  );
  if (hadFocus) document.getElementById(hadFocus)?.focus();

  waitingOffer.hidden = !switchOffer;
  if (switchOffer) {
    const offer = switchOffer;
    const button = h(
      'button',
      { type: 'button', id: 'waiting-switch', class: 'button-primary' },
      texts.switchTo(workshopTitle(offer.workshopId)),
    );
    button.disabled = busy !== undefined;
    button.addEventListener('click', () => void switchToOffered(offer));
    const focusedOffer = document.activeElement?.id === 'waiting-switch';
    waitingOffer.replaceChildren(button);
    if (focusedOffer) button.focus();
  } else {
    waitingOffer.replaceChildren();
  }
}

function showStatus(message: Msg | undefined): void {
  statusMessage = message;
  render();
}

function showFailure(message: Msg | undefined, where: 'change' | 'cancel' | 'data' | 'waiting'): void {
  if (where === 'change') changeMessage = message;
  else if (where === 'cancel') cancelMessage = message;
  else if (where === 'waiting') waitingFailure = message;
  else dataFailure = message;
  render();
}

async function fetchEvent(eventId: string): Promise<PublicEvent | undefined> {
  const outcome = await apiRequest<PublicEvent>('GET', `/events/${encodeURIComponent(eventId)}`);
  return outcome.kind === 'ok' ? outcome.body : undefined;
}

function failLoad(message: Msg, canRetry: boolean): void {
  loading.hidden = true;
  loadMessage = message;
  retryButton.hidden = !canRetry;
  loadError.hidden = false;
  render();
}

async function load(): Promise<void> {
  loadError.hidden = true;
  loading.hidden = false;
  if (!registrationId || !token) return failLoad((texts) => texts.linkInvalid, false);
  const outcome = await apiRequest<{ registration: Registration }>('GET', registrationPath, {
    headers: auth,
  });
  if (outcome.kind !== 'ok') {
    const notFound = outcome.kind === 'error' && outcome.error.code === 'REGISTRATION_NOT_FOUND';
    return failLoad(
      notFound || outcome.kind === 'network' ? failureMessage(outcome) : (texts) => texts.loadFailed,
      !notFound,
    );
  }
  registration = outcome.body.registration;
  if (!explicitLang() && (registration.locale === 'en' || registration.locale === 'nl')) {
    setLang(registration.locale);
  }
  event = await fetchEvent(registration.eventId);
  loading.hidden = true;
  loadMessage = undefined;
  if (event && !picker) {
    picker = new WorkshopPicker(byId('rounds'), event, errors, {
      idPrefix: 'change-',
      held: registration.choices,
    });
    picker.select(registration.choices);
    picker.setDisabled(event.registration.status !== 'open');
  }
  if (registration.status === 'cancelled') statusMessage = (texts) => texts.alreadyCancelled;
  render();
}

function sameChoices(a: Choices, b: Choices): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

async function refreshSeats(forceFull: readonly string[] = []): Promise<void> {
  if (!registration || !picker) return;
  const fresh = await fetchEvent(registration.eventId);
  if (fresh) event = fresh;
  if (event) picker.update(event, forceFull);
  if (event) picker.setDisabled(event.registration.status !== 'open');
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
      const roundId = picker?.roundOf(workshopId);
      const title = picker?.workshopTitle(workshopId) ?? workshopId;
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

async function save(): Promise<void> {
  if (busy || !picker || !registration) return;
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

  busy = 'saving';
  render();
  const outcome = await apiRequest<{ registration: Registration }>('PATCH', registrationPath, {
    body: { choices } satisfies ChangeRequest,
    headers: auth,
  });
  busy = undefined;
  if (outcome.kind !== 'ok') {
    render();
    saveButton.focus();
    return onChangeFailure(outcome);
  }
  registration = outcome.body.registration;
  picker.setHeld(registration.choices);
  picker.select(registration.choices);
  await refreshSeats();
  showStatus((texts) => texts.saved);
  pageStatus.focus();
}

async function cancelRegistration(): Promise<void> {
  if (busy || !registration) return;
  const leaving = isWaitingPlace();
  showFailure(undefined, 'cancel');
  showStatus(undefined);
  busy = 'cancelling';
  render();
  const outcome = await apiRequest<{ registration: Registration }>('DELETE', registrationPath, {
    headers: auth,
  });
  busy = undefined;
  if (outcome.kind !== 'ok') {
    // Cancelling twice changes nothing, so a retry after an uncertain outcome is always safe.
    showFailure(failureMessage(outcome), 'cancel');
    return cancelOpen.focus();
  }
  registration = outcome.body.registration;
  showStatus(leaving ? (texts) => texts.left : (texts) => texts.cancelled);
  pageStatus.focus();
}

/** Reads the registration again (after a refusal that says the page's copy is out of date). */
async function reloadRegistration(): Promise<void> {
  const outcome = await apiRequest<{ registration: Registration }>('GET', registrationPath, {
    headers: auth,
  });
  if (outcome.kind === 'ok') registration = outcome.body.registration;
}

async function joinList(workshopId: string): Promise<void> {
  if (busy || !registration) return;
  showFailure(undefined, 'waiting');
  showStatus(undefined);
  switchOffer = undefined;
  busy = 'waiting';
  render();
  const outcome = await apiRequest<{ registration: Registration }>(
    'POST',
    `${registrationPath}/waiting-list`,
    {
      body: { workshopId } satisfies JoinWaitingListRequest,
      headers: auth,
    },
  );
  busy = undefined;
  const title = workshopTitle(workshopId);
  if (outcome.kind === 'ok') {
    registration = outcome.body.registration;
    await refreshSeats();
    const position = registration.waitingPositions?.[workshopId];
    showStatus((texts) => texts.joined(title, position));
    return pageStatus.focus();
  }
  const code = outcome.kind === 'error' ? outcome.error.code : undefined;
  switch (code) {
    case 'NOT_FULL': {
      await refreshSeats();
      const roundId = findWorkshop(workshopId)?.round.id;
      if (roundId) switchOffer = { roundId, workshopId };
      showFailure((texts) => texts.joinNotFull(title), 'waiting');
      break;
    }
    case 'ALREADY_WAITING':
      await reloadRegistration();
      showFailure((texts) => texts.alreadyWaitingRound, 'waiting');
      break;
    case 'REGISTRATION_CLOSED':
      await refreshSeats();
      showFailure((texts) => texts.changeClosed, 'waiting');
      break;
    case 'REGISTRATION_CANCELLED':
      await reloadRegistration();
      showFailure((texts) => texts.alreadyCancelled, 'waiting');
      break;
    case 'INVALID_CHOICE':
      await refreshSeats();
      showFailure((texts) => texts.invalidChoice, 'waiting');
      break;
    default:
      showFailure(failureMessage(outcome), 'waiting');
  }
  (switchOffer ? byId('waiting-switch') : byId('waiting-heading')).focus();
}

async function leaveRound(roundId: string): Promise<void> {
  if (busy || !registration) return;
  const title = workshopTitle(registration.waitingFor?.[roundId]?.[0] ?? '');
  showFailure(undefined, 'waiting');
  showStatus(undefined);
  switchOffer = undefined;
  busy = 'waiting';
  render();
  const outcome = await apiRequest<{ registration: Registration }>(
    'DELETE',
    `${registrationPath}/waiting-list/${encodeURIComponent(roundId)}`,
    { headers: auth },
  );
  busy = undefined;
  if (outcome.kind !== 'ok') {
    // Leaving twice changes nothing, so a retry is always safe.
    showFailure(failureMessage(outcome), 'waiting');
    return byId('waiting-heading').focus();
  }
  registration = outcome.body.registration;
  await refreshSeats();
  showStatus((texts) => texts.leftRound(title));
  pageStatus.focus();
}

/** NOT_FULL on joining: the workshop has a seat, so the person changes to it (the change form's PATCH). */
async function switchToOffered(offer: { roundId: string; workshopId: string }): Promise<void> {
  if (busy || !registration || !picker) return;
  switchOffer = undefined;
  showFailure(undefined, 'waiting');
  picker.select({ ...registration.choices, [offer.roundId]: offer.workshopId });
  await save();
}

/** Fetches everything stored (with the token, so not a plain link) and hands it to the browser as a file. */
async function downloadPersonalData(): Promise<void> {
  if (busy || !registration) return;
  showFailure(undefined, 'data');
  dataMessage = undefined;
  busy = 'downloading';
  render();
  const outcome = await apiRequest<unknown>('GET', `${registrationPath}/personal-data`, { headers: auth });
  busy = undefined;
  if (outcome.kind !== 'ok') {
    showFailure(failureMessage(outcome), 'data');
    return downloadButton.focus();
  }
  const fileName = `registration-${registration.id.replace(/[^A-Za-z0-9_-]/g, '')}.json`;
  const blob = new Blob([`${JSON.stringify(outcome.body, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileName, hidden: '' });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; revoking later keeps slow browsers from losing the file.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  dataMessage = (texts) => texts.downloaded(fileName);
  render();
  downloadButton.focus();
}

async function erasePersonalData(): Promise<void> {
  if (busy || !registration) return;
  showFailure(undefined, 'data');
  dataMessage = undefined;
  busy = 'erasing';
  render();
  const outcome = await apiRequest<{ registration: Registration }>(
    'DELETE',
    `${registrationPath}/personal-data`,
    { headers: auth },
  );
  busy = undefined;
  if (outcome.kind !== 'ok') {
    // Nothing is erased unless the confirmation email could go out (503 TRY_AGAIN); a retry is always safe.
    const code = outcome.kind === 'error' ? outcome.error.code : undefined;
    const retryAfterSeconds = outcome.kind === 'error' ? outcome.retryAfterSeconds : undefined;
    showFailure(
      code === 'TRY_AGAIN'
        ? (texts) => texts.eraseTryAgain(retryAfterSeconds)
        : code === 'REGISTRATION_NOT_FOUND'
          ? (texts) => texts.eraseNotFound
          : failureMessage(outcome),
      'data',
    );
    return eraseOpen.focus();
  }
  registration = outcome.body.registration;
  erased = true;
  showStatus((texts) => texts.erased);
  pageStatus.focus();
}

function openEraseDialog(): void {
  if (typeof eraseDialog.showModal !== 'function') {
    if (window.confirm(`${t().eraseConfirmTitle}\n\n${eraseText()}`)) {
      void erasePersonalData();
    }
    return;
  }
  eraseDialog.showModal();
}

function openCancelDialog(): void {
  if (typeof dialog.showModal !== 'function') {
    const title = isWaitingPlace() ? t().leaveConfirmTitle : t().cancelConfirmTitle;
    if (window.confirm(title)) void cancelRegistration();
    return;
  }
  dialog.showModal();
}

changeForm.addEventListener('submit', (submitEvent) => {
  submitEvent.preventDefault();
  void save();
});
cancelOpen.addEventListener('click', openCancelDialog);
byId('cancel-keep').addEventListener('click', () => {
  dialog.close();
  cancelOpen.focus();
});
byId('cancel-confirm').addEventListener('click', () => {
  dialog.close();
  void cancelRegistration();
});
downloadButton.addEventListener('click', () => void downloadPersonalData());
eraseOpen.addEventListener('click', openEraseDialog);
byId('erase-keep').addEventListener('click', () => {
  eraseDialog.close();
  eraseOpen.focus();
});
byId('erase-confirm').addEventListener('click', () => {
  eraseDialog.close();
  void erasePersonalData();
});
retryButton.addEventListener('click', () => void load());
onLangChange(render);
initLanguage();
render();
void load();
