import { byId } from './dom.js';
import { renderEventHeader, windowMessage } from './event-header.js';
import { renderConfirmation, renderWaitingConfirmation } from './form/confirmation.js';
import { registerFields } from './form/fields.js';
import { load, retryButton, wireModes } from './form/rounds.js';
import {
  errors,
  form,
  page,
  renderMessages,
  roundTitles,
  setRenderer,
  submitButton,
  submitLabel,
} from './form/state.js';
import { submit } from './form/submit.js';
import { initLanguage, onLangChange, t } from './i18n.js';

/**
 * The registration form: loads the event (`?event=`, default the seed event), shows every round with live
 * seats (form/rounds.ts), validates the person's fields (form/fields.ts), submits with an Idempotency-Key per
 * attempt and handles every refusal of the contract (form/submit.ts), then shows the confirmation
 * (form/confirmation.ts).
 *
 * Waiting lists (docs/waiting-lists.md): a full workshop offers "Zet mij op de wachtlijst" next to a seat
 * chosen elsewhere in its round (`waitFor` in the registration). When a round has no free seat, or the
 * person chooses "Alleen op de wachtlijst", the form signs up for a place on the waiting list instead
 * (`POST /events/{eventId}/waiting-list` with the accepted workshops per round, in order of preference).
 */

const loadErrorText = byId('load-error-text');
const windowBox = byId('window-message');
const modeNote = byId('mode-note');

function render(): void {
  const texts = t();
  const { event, registered, waitingPlace, roundsWithoutSeats } = page;
  const heading = registered
    ? texts.confirmedHeading
    : waitingPlace
      ? texts.waitingHeading
      : texts.formDocumentTitle;
  document.title = [heading, event?.title].filter(Boolean).join(' – ');
  if (event) renderEventHeader(event);
  byId('event-eyebrow').hidden = !event;
  loadErrorText.textContent = page.loadMessage ? page.loadMessage(texts) : '';
  const closedText = event ? windowMessage(event) : undefined;
  windowBox.textContent = closedText ?? '';
  windowBox.hidden = !closedText;
  submitButton.textContent = submitLabel();
  renderMessages();
  modeNote.textContent =
    roundsWithoutSeats.length > 0 ? texts.modeForced(roundTitles(roundsWithoutSeats)) : '';
  modeNote.hidden = roundsWithoutSeats.length === 0;
  errors.render();
  page.picker?.render();
  renderConfirmation();
  renderWaitingConfirmation();
}

setRenderer(render);
registerFields();
form.addEventListener('submit', (submitEvent) => {
  submitEvent.preventDefault();
  void submit();
});
wireModes();
retryButton.addEventListener('click', () => void load());
onLangChange(render);
initLanguage();
render();
void load();
