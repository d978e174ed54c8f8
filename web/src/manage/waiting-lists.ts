import { apiRequest, failureMessage } from '../api.js';
import { byId, h } from '../dom.js';
import type { Texts } from '../texts.js';
import type { JoinWaitingListRequest, Registration } from '../types.js';
import { save } from './change.js';
import {
  auth,
  findWorkshop,
  page,
  pageStatus,
  refreshSeats,
  registrationPath,
  reloadRegistration,
  render,
  showFailure,
  showStatus,
  workshopTitle,
} from './state.js';

/**
 * A confirmed registration's waiting lists (docs/waiting-lists.md), per round: the list it waits on with its
 * place and a button to leave it (DELETE .../waiting-list/{roundId}), or else a button to join the list of each
 * full workshop (POST .../waiting-list; one list per round).
 */

const waitingSection = byId('waiting-section');
const waitingAlert = byId('waiting-alert');
const waitingOffer = byId('waiting-offer');
const waitingRounds = byId('waiting-rounds');

/** After NOT_FULL on joining a list: the workshop has a seat, so changing to it is offered instead. */
let switchOffer: { roundId: string; workshopId: string } | undefined;

export function renderWaitingLists(texts: Texts): void {
  waitingAlert.textContent = page.failures.waiting ? page.failures.waiting(texts) : '';
  const { registration: current, event } = page;
  if (!current || page.erased) return;
  waitingSection.hidden = current.status !== 'confirmed' || !event;
  if (!event || current.status !== 'confirmed') return;
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
        leave.disabled = page.busy !== undefined;
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
        join.disabled = page.busy !== undefined;
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
  renderSwitchOffer(texts);
}

function renderSwitchOffer(texts: Texts): void {
  waitingOffer.hidden = !switchOffer;
  if (!switchOffer) {
    waitingOffer.replaceChildren();
    return;
  }
  const offer = switchOffer;
  const button = h(
    'button',
    { type: 'button', id: 'waiting-switch', class: 'button-primary' },
    texts.switchTo(workshopTitle(offer.workshopId)),
  );
  button.disabled = page.busy !== undefined;
  button.addEventListener('click', () => void switchToOffered(offer));
  const focusedOffer = document.activeElement?.id === 'waiting-switch';
  waitingOffer.replaceChildren(button);
  if (focusedOffer) button.focus();
}

async function joinList(workshopId: string): Promise<void> {
  if (page.busy || !page.registration) return;
  showFailure(undefined, 'waiting');
  showStatus(undefined);
  switchOffer = undefined;
  page.busy = 'waiting';
  render();
  const outcome = await apiRequest<{ registration: Registration }>(
    'POST',
    `${registrationPath}/waiting-list`,
    {
      body: { workshopId } satisfies JoinWaitingListRequest,
      headers: auth,
    },
  );
  page.busy = undefined;
  const title = workshopTitle(workshopId);
  if (outcome.kind === 'ok') {
    const registration = outcome.body.registration;
    page.registration = registration;
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
  const { registration } = page;
  if (page.busy || !registration) return;
  const title = workshopTitle(registration.waitingFor?.[roundId]?.[0] ?? '');
  showFailure(undefined, 'waiting');
  showStatus(undefined);
  switchOffer = undefined;
  page.busy = 'waiting';
  render();
  const outcome = await apiRequest<{ registration: Registration }>(
    'DELETE',
    `${registrationPath}/waiting-list/${encodeURIComponent(roundId)}`,
    { headers: auth },
  );
  page.busy = undefined;
  if (outcome.kind !== 'ok') {
    // Leaving twice changes nothing, so a retry is always safe.
    showFailure(failureMessage(outcome), 'waiting');
    return byId('waiting-heading').focus();
  }
  page.registration = outcome.body.registration;
  await refreshSeats();
  showStatus((texts) => texts.leftRound(title));
  pageStatus.focus();
}

/** NOT_FULL on joining: the workshop has a seat, so the person changes to it (the change form's PATCH). */
async function switchToOffered(offer: { roundId: string; workshopId: string }): Promise<void> {
  const { registration, picker } = page;
  if (page.busy || !registration || !picker) return;
  switchOffer = undefined;
  showFailure(undefined, 'waiting');
  picker.select({ ...registration.choices, [offer.roundId]: offer.workshopId });
  await save();
}
