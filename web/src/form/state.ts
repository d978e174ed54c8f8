import { byId } from '../dom.js';
import { FieldErrors } from '../field-errors.js';
import { dateLocale, t } from '../i18n.js';
import type { Msg } from '../texts.js';
import type { Choices, PublicEvent, Registration } from '../types.js';
import type { WorkshopPicker } from '../workshops.js';

/**
 * What every part of the registration form shares: the event as last read, the workshop picker, whether a
 * submission is under way, the messages shown and the outcome. Parts change this state and call `render()`;
 * the page registers the one function that draws it all (`setRenderer`).
 */

const DEFAULT_EVENT_ID = 'dag-van-weerbaar-bestuur-2019';

const eventId = new URLSearchParams(location.search).get('event')?.trim() || DEFAULT_EVENT_ID;
export const eventPath = `/events/${encodeURIComponent(eventId)}`;

export const form = byId<HTMLFormElement>('registration-form');
export const submitButton = byId<HTMLButtonElement>('submit');
const alertBox = byId('form-alert');
const statusBox = byId('form-status');

export const page: {
  event: PublicEvent | undefined;
  picker: WorkshopPicker | undefined;
  inFlight: boolean;
  loadMessage: Msg | undefined;
  alertMessage: Msg | undefined;
  statusMessage: Msg | undefined;
  registered: Registration | undefined;
  /** The workshops the confirmed registration asked for, per round (an alternative may have been taken). */
  requested: Choices;
  /** The waiting-list sign-up the API accepted, and the accepted workshops sent with it. */
  waitingPlace: { registration: Registration; accepts: Record<string, string[]> } | undefined;
  /** Rounds in which every workshop is full: registering is not possible, only the waiting list. */
  roundsWithoutSeats: string[];
  /** When the form was shown, on the server's clock (the API refuses a submission that comes too fast). */
  formStartedAt: number;
} = {
  event: undefined,
  picker: undefined,
  inFlight: false,
  loadMessage: undefined,
  alertMessage: undefined,
  statusMessage: undefined,
  registered: undefined,
  requested: {},
  waitingPlace: undefined,
  roundsWithoutSeats: [],
  formStartedAt: 0,
};

export const errors = new FieldErrors();

let renderer: () => void = () => {};

export function setRenderer(draw: () => void): void {
  renderer = draw;
}

export function render(): void {
  renderer();
}

export function renderMessages(): void {
  const texts = t();
  alertBox.textContent = page.alertMessage ? page.alertMessage(texts) : '';
  statusBox.textContent = page.statusMessage ? page.statusMessage(texts) : '';
}

export function showAlert(message: Msg | undefined): void {
  page.alertMessage = message;
  alertBox.textContent = message ? message(t()) : '';
}

export function showStatus(message: Msg | undefined): void {
  page.statusMessage = message;
  statusBox.textContent = message ? message(t()) : '';
}

export const waitingMode = (): boolean => page.picker?.getMode() === 'waiting';

export function submitLabel(): string {
  const texts = t();
  if (page.inFlight) return texts.submitting;
  return waitingMode() ? texts.submitWaiting : texts.submit;
}

/** "A, B en C" / "A, B and C" in the page's language. */
export function listOf(items: readonly string[]): string {
  try {
    return new Intl.ListFormat(dateLocale(), { type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}

export function roundTitles(roundIds: readonly string[]): string {
  return listOf(roundIds.map((roundId) => page.picker?.roundTitle(roundId) ?? roundId));
}
