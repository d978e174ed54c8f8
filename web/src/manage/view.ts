import { apiRequest, failureMessage } from '../api.js';
import { byId, h } from '../dom.js';
import { renderEventHeader } from '../event-header.js';
import { explicitLang, formatDateTime, setLang, t } from '../i18n.js';
import type { Msg } from '../texts.js';
import type { Registration } from '../types.js';
import { WorkshopPicker } from '../workshops.js';
import { openCancelStepIfAsked, renderCancel } from './cancel.js';
import { renderChange } from './change.js';
import { renderCheckIn } from './check-in.js';
import { renderPersonalData } from './personal-data.js';
import {
  auth,
  errors,
  fetchEvent,
  type OwnRegistration,
  page,
  pageStatus,
  registrationId,
  registrationPath,
  token,
  workshopTitle,
} from './state.js';
import { renderWaitingLists } from './waiting-lists.js';

/** Loading the registration and its event, and drawing the page: the details, then each section. */

const loading = byId('loading');
const loadError = byId('load-error');
const loadErrorText = byId('load-error-text');
export const retryButton = byId<HTMLButtonElement>('retry');
const details = byId('registration');
/** Every section that is hidden once the personal data is erased. */
const sections = ['registration', 'change-form', 'waiting-section', 'cancel-section', 'data-section'].map(
  (id) => byId(id),
);

export function render(): void {
  const texts = t();
  const { event, registration } = page;
  document.title = [texts.manageDocumentTitle, event?.title].filter(Boolean).join(' – ');
  loadErrorText.textContent = page.loadMessage ? page.loadMessage(texts) : '';
  pageStatus.textContent = page.statusMessage ? page.statusMessage(texts) : '';
  if (event) renderEventHeader(event);
  errors.render();
  page.picker?.render();
  if (page.erased) {
    for (const section of sections) section.hidden = true;
  } else if (registration) {
    renderDetails(registration);
  }
  // Each section sets its labels always, and its controls once a registration is shown.
  renderChange(texts);
  renderCancel(texts);
  renderWaitingLists(texts);
  renderPersonalData(texts);
  renderCheckIn(texts);
}

function renderDetails(registration: Registration): void {
  const texts = t();
  details.hidden = false;
  byId('reg-name').textContent = registration.name;
  byId('reg-email').textContent = registration.email;
  byId('reg-organisation').textContent = registration.organisation;
  byId('reg-jobTitle').textContent = registration.jobTitle ?? '';
  byId('reg-jobTitle').hidden = !registration.jobTitle;
  byId('reg-jobTitle-term').hidden = !registration.jobTitle;
  const cancelled = registration.status === 'cancelled';
  const waitingPlace = registration.status === 'waiting';
  const created = formatDateTime(registration.createdAt, page.event?.timezone ?? 'Europe/Amsterdam');
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
}

/** The seat held in each round. */
function choicesList(): HTMLElement[] {
  const current = page.registration?.choices ?? {};
  return (page.event?.rounds ?? []).flatMap((round) => {
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
  const accepted = page.registration?.waitingFor ?? {};
  const positions = page.registration?.waitingPositions ?? {};
  return (page.event?.rounds ?? []).flatMap((round) => [
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

function failLoad(message: Msg, canRetry: boolean): void {
  loading.hidden = true;
  page.loadMessage = message;
  retryButton.hidden = !canRetry;
  loadError.hidden = false;
  render();
}

export async function load(): Promise<void> {
  loadError.hidden = true;
  loading.hidden = false;
  if (!registrationId || !token) return failLoad((texts) => texts.linkInvalid, false);
  const outcome = await apiRequest<OwnRegistration>('GET', registrationPath, { headers: auth });
  if (outcome.kind !== 'ok') {
    const notFound = outcome.kind === 'error' && outcome.error.code === 'REGISTRATION_NOT_FOUND';
    return failLoad(
      notFound || outcome.kind === 'network' ? failureMessage(outcome) : (texts) => texts.loadFailed,
      !notFound,
    );
  }
  const registration = outcome.body.registration;
  page.registration = registration;
  page.checkInCode = outcome.body.checkIn?.code;
  if (!explicitLang() && (registration.locale === 'en' || registration.locale === 'nl')) {
    setLang(registration.locale);
  }
  page.event = await fetchEvent(registration.eventId);
  loading.hidden = true;
  page.loadMessage = undefined;
  if (page.event && !page.picker) {
    page.picker = new WorkshopPicker(byId('rounds'), page.event, errors, {
      idPrefix: 'change-',
      held: registration.choices,
    });
    page.picker.select(registration.choices);
    page.picker.setDisabled(page.event.registration.status !== 'open');
  }
  if (registration.status === 'cancelled') page.statusMessage = (texts) => texts.alreadyCancelled;
  render();
  openCancelStepIfAsked();
}
