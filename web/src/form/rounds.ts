import { apiRequest } from '../api.js';
import { byId } from '../dom.js';
import type { Msg } from '../texts.js';
import type { PublicEvent } from '../types.js';
import { type PickerMode, WorkshopPicker } from '../workshops.js';
import { fields } from './fields.js';
import {
  errors,
  eventPath,
  form,
  listOf,
  page,
  render,
  roundTitles,
  showAlert,
  showStatus,
  submitButton,
  waitingMode,
} from './state.js';

/**
 * The event and its rounds: loading it, live seats, the choice between registering and the waiting list, and
 * the refusals about workshops (full, invalid, not full after all) shown in the rounds they concern.
 *
 * Waiting lists (docs/waiting-lists.md): a full workshop offers "Zet mij op de wachtlijst" next to a seat
 * chosen elsewhere in its round (`waitFor` in the registration). When a round has no free seat, or the
 * person chooses "Alleen op de wachtlijst", the form signs up for a place on the waiting list instead.
 */

const SEATS_REFRESH_MS = 30_000;

const loading = byId('loading');
const loadError = byId('load-error');
export const retryButton = byId<HTMLButtonElement>('retry');
const modeFieldset = byId<HTMLFieldSetElement>('mode');
const modeInputs: Record<PickerMode, HTMLInputElement> = {
  register: byId<HTMLInputElement>('mode-register'),
  waiting: byId<HTMLInputElement>('mode-waiting'),
};

let lastRefresh = 0;
/**
 * How far the server's clock is ahead of this device's. `formStartedAt` is compared with the server's clock,
 * so a device whose clock is off by more than a moment would otherwise be refused (or let through) wrongly.
 */
let clockOffset = 0;

/** Switches between registering with seats and signing up for a place on the waiting list. */
export function switchMode(next: PickerMode): void {
  const { picker } = page;
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
  const { picker, event } = page;
  if (!picker || !event) return;
  const open = event.registration.status === 'open';
  const before = page.roundsWithoutSeats;
  page.roundsWithoutSeats = picker.roundsWithoutSeats();
  const withoutSeats = page.roundsWithoutSeats;
  if (withoutSeats.length > 0 && picker.getMode() === 'register') {
    switchMode('waiting');
    if (announce && before.length === 0) {
      const rounds = roundTitles(withoutSeats);
      showStatus((texts) => texts.modeForced(rounds));
    }
  }
  modeFieldset.hidden = !picker.hasFull() && picker.getMode() === 'register';
  modeInputs.register.disabled = !open || withoutSeats.length > 0;
  modeInputs.waiting.disabled = !open;
}

/** Closed or not yet open: the programme stays readable, nothing can be filled in. */
function applyWindow(announce = false): void {
  if (!page.event) return;
  const open = page.event.registration.status === 'open';
  page.picker?.setDisabled(!open);
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

export async function load(): Promise<void> {
  loading.hidden = false;
  loadError.hidden = true;
  const outcome = await fetchEvent();
  loading.hidden = true;
  if (outcome.kind !== 'ok') {
    const notFound = outcome.kind === 'error' && outcome.error.code === 'EVENT_NOT_FOUND';
    page.loadMessage = notFound ? (texts) => texts.eventNotFound : (texts) => texts.loadFailed;
    retryButton.hidden = notFound;
    loadError.hidden = false;
    render();
    return;
  }
  page.loadMessage = undefined;
  page.event = outcome.body;
  if (outcome.serverTime !== undefined) {
    const offset = outcome.serverTime - Date.now();
    clockOffset = Math.abs(offset) > 1_500 ? offset : 0;
  }
  page.picker = new WorkshopPicker(byId('rounds'), page.event, errors, {
    idPrefix: '',
    waitingList: true,
    alternatives: true,
  });
  form.hidden = false;
  applyWindow();
  page.formStartedAt = Date.now() + clockOffset;
  setInterval(() => void refreshSeats(), SEATS_REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (Date.now() - lastRefresh > SEATS_REFRESH_MS / 3) void refreshSeats();
  });
}

/**
 * Live seats: new counts are put in place. A chosen workshop that filled up meanwhile is unchecked and the
 * person is told so in its round and through the status region; one in the reserve choice leaves it, and the
 * status region says so.
 */
export async function refreshSeats(
  forceFull: readonly string[] = [],
  force = false,
  quiet = false,
): Promise<void> {
  if (!page.picker || page.registered || page.waitingPlace) return;
  if (!force && (page.inFlight || document.visibilityState !== 'visible')) return;
  const outcome = await fetchEvent();
  const { picker } = page;
  if (outcome.kind !== 'ok' || !picker) {
    if (forceFull.length > 0) picker?.update(page.event as PublicEvent, forceFull);
    return;
  }
  page.event = outcome.body;
  const lost = picker.update(page.event, forceFull);
  for (const { roundId, workshop, reserve } of lost) {
    if (forceFull.includes(workshop.id)) continue;
    if (reserve) {
      showStatus((texts) => texts.reserveBecameFull(workshop.title));
      continue;
    }
    errors.set(`choices.${roundId}`, (texts) => texts.errChoiceBecameFull(workshop.title));
    showStatus((texts) => texts.errChoiceBecameFull(workshop.title));
  }
  for (const workshop of picker.takeFreed()) {
    if (!quiet) showStatus((texts) => texts.waitFreed(workshop.title));
  }
  applyWindow(true);
}

function workshopIdsOf(details: unknown): string[] {
  const ids = ((details as { workshopIds?: unknown } | undefined)?.workshopIds ?? []) as unknown[];
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * The choice, and every alternative, of some round is full: they are unchecked and dropped from the reserve
 * choice (the picker treats them as full), and the round says which ones filled up.
 */
export async function onWorkshopFull(details: unknown): Promise<void> {
  const workshopIds = workshopIdsOf(details);
  await refreshSeats(workshopIds, true);
  const fullByRound = new Map<string, string[]>();
  for (const workshopId of workshopIds) {
    const roundId = page.picker?.roundOf(workshopId);
    const title = page.picker?.workshopTitle(workshopId) ?? workshopId;
    if (roundId) fullByRound.set(roundId, [...(fullByRound.get(roundId) ?? []), title]);
  }
  for (const [roundId, titles] of fullByRound) {
    const [only] = titles;
    errors.set(`choices.${roundId}`, (texts) =>
      titles.length === 1 && only !== undefined
        ? texts.errWorkshopFull(only)
        : texts.errWorkshopsFull(listOf(titles.map((title) => `‘${title}’`))),
    );
  }
  showAlert((texts) => texts.workshopFull);
  errors.focusFirst();
}

export async function onInvalidChoice(details: unknown): Promise<void> {
  await refreshSeats([], true);
  for (const issue of Array.isArray(details) ? details : []) {
    const roundId = typeof issue?.roundId === 'string' ? issue.roundId : '';
    if (!errors.has(`choices.${roundId}`)) continue;
    const title = page.picker?.roundTitle(roundId) ?? roundId;
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

/**
 * The waiting-list sign-up was refused because every round has a free seat among the accepted workshops:
 * back to the normal form with fresh seats, the first accepted workshop with a seat chosen in each round.
 */
export async function onPlaceNotFull(): Promise<void> {
  await refreshSeats([], true, true);
  switchMode('register');
  syncMode(false);
  render();
  showAlert((texts) => texts.notFull);
}

/** A workshop to wait for has a free seat after all: it can simply be chosen. */
export async function onWaitNotFull(details: unknown): Promise<void> {
  await refreshSeats([], true, true);
  for (const workshopId of workshopIdsOf(details)) {
    page.picker?.clearWait(workshopId);
    const roundId = page.picker?.roundOf(workshopId);
    const title = page.picker?.workshopTitle(workshopId) ?? workshopId;
    if (roundId) errors.set(`choices.${roundId}`, (texts) => texts.waitNotFull(title));
  }
  showAlert((texts) => texts.waitNotFullAlert);
  errors.focusFirst();
}

export function wireModes(): void {
  for (const mode of ['register', 'waiting'] as const) {
    modeInputs[mode].addEventListener('change', () => {
      if (!modeInputs[mode].checked) return;
      showAlert(undefined);
      switchMode(mode);
    });
  }
}
