import { apiRequest } from '../api.js';
import { byId } from '../dom.js';
import { FieldErrors } from '../field-errors.js';
import type { Msg } from '../texts.js';
import type { PublicEvent, Registration } from '../types.js';
import type { WorkshopPicker } from '../workshops.js';

/**
 * What every section of the manage page shares: the link's id and token, the registration and event as last
 * read, what the page is busy with, and the messages it shows. Sections change this state and call
 * `render()`; the view module registers the one function that draws it all (`setRenderer`), so the sections
 * need not import the view that imports them.
 */

const params = new URLSearchParams(location.search);
export const registrationId = params.get('id')?.trim() ?? '';
export const token = (new URLSearchParams(location.hash.slice(1)).get('token') ?? '').trim();
export const registrationPath = `/registrations/${encodeURIComponent(registrationId)}`;
export const auth = { Authorization: `Bearer ${token}` };

/** What `GET /registrations/{id}` answers: the registration and, while confirmed, its check-in code. */
export type OwnRegistration = { registration: Registration; checkIn?: { code: string } };

export type Section = 'change' | 'cancel' | 'data' | 'waiting';

export const page: {
  registration: Registration | undefined;
  /** The check-in code `GET /registrations/{id}` gives while the registration is confirmed. */
  checkInCode: string | undefined;
  event: PublicEvent | undefined;
  picker: WorkshopPicker | undefined;
  busy: 'saving' | 'cancelling' | 'downloading' | 'erasing' | 'waiting' | undefined;
  /** Set once the personal data is erased: the page then shows only that, with nothing left to do. */
  erased: boolean;
  loadMessage: Msg | undefined;
  statusMessage: Msg | undefined;
  dataMessage: Msg | undefined;
  /** The refusal shown in each section, beside the control that was used. */
  failures: Record<Section, Msg | undefined>;
} = {
  registration: undefined,
  checkInCode: undefined,
  event: undefined,
  picker: undefined,
  busy: undefined,
  erased: false,
  loadMessage: undefined,
  statusMessage: undefined,
  dataMessage: undefined,
  failures: { change: undefined, cancel: undefined, data: undefined, waiting: undefined },
};

export const errors = new FieldErrors();
export const pageStatus = byId('page-status');

let renderer: () => void = () => {};

export function setRenderer(draw: () => void): void {
  renderer = draw;
}

export function render(): void {
  renderer();
}

export function showStatus(message: Msg | undefined): void {
  page.statusMessage = message;
  render();
}

export function showFailure(message: Msg | undefined, where: Section): void {
  page.failures[where] = message;
  render();
}

export const isWaitingPlace = (): boolean => page.registration?.status === 'waiting';

export function findWorkshop(workshopId: string) {
  for (const round of page.event?.rounds ?? []) {
    const workshop = round.workshops.find((candidate) => candidate.id === workshopId);
    if (workshop) return { round, workshop };
  }
  return undefined;
}

export const workshopTitle = (workshopId: string): string =>
  findWorkshop(workshopId)?.workshop.title ?? workshopId;

export async function fetchEvent(eventId: string): Promise<PublicEvent | undefined> {
  const outcome = await apiRequest<PublicEvent>('GET', `/events/${encodeURIComponent(eventId)}`);
  return outcome.kind === 'ok' ? outcome.body : undefined;
}

/** Reads the event again for fresh seat counts; `forceFull` marks workshops a refusal just reported full. */
export async function refreshSeats(forceFull: readonly string[] = []): Promise<void> {
  const { registration, picker } = page;
  if (!registration || !picker) return;
  const fresh = await fetchEvent(registration.eventId);
  if (fresh) page.event = fresh;
  if (page.event) picker.update(page.event, forceFull);
  if (page.event) picker.setDisabled(page.event.registration.status !== 'open');
}

/** Reads the registration again (after a refusal that says the page's copy is out of date). */
export async function reloadRegistration(): Promise<void> {
  const outcome = await apiRequest<OwnRegistration>('GET', registrationPath, { headers: auth });
  if (outcome.kind === 'ok') {
    page.registration = outcome.body.registration;
    page.checkInCode = outcome.body.checkIn?.code;
  }
}
