import { type ApiOutcome, apiRequest, siteConfig } from './api.js';
import { type QueuedScan, ScanQueue } from './checkin/queue.js';
import { QrScanner } from './checkin/scanner.js';
import { byId, h } from './dom.js';
import {
  type CognitoConfig,
  cognitoConfigOf,
  cognitoCredentials,
  startCognitoSignIn,
} from './sign-in/cognito.js';
import { DOOR_STAFF_NOTE_KEY } from './sign-in/door-staff.js';
import { type CredentialSource, tokenCredentials } from './sign-in/token.js';
import type { CheckInList, CheckInView, PublicEvent } from './types.js';

/**
 * The door page (`/checkin.html`): door staff or organisers sign in (locally with the door or admin token, in
 * AWS through Cognito's managed login, as on the dashboard), choose the event and the entrance or a workshop,
 * and check people in by camera, by typed code or by name. Every text is Dutch with the English beside it.
 * Scans that cannot be sent (no connection) wait on the device and go when it is back.
 */

type CheckIn = CheckInView;
type Found = CheckInList['items'][number];

/** The event chosen before the managed login, which comes back to the bare page address. */
const EVENT_KEY = 'vol-is-vol.door-event';
const PLACE_KEY = 'vol-is-vol.door-place';
const DEFAULT_EVENT = 'dag-van-weerbaar-bestuur-2019';
const RETRY_INTERVAL_MS = 10_000;

const signinForm = byId<HTMLFormElement>('signin-form');
const eventInput = byId<HTMLInputElement>('door-event');
const tokenField = byId('door-token-field');
const tokenInput = byId<HTMLInputElement>('door-token');
const note = byId('door-note');
const signinError = byId('signin-error');
const desk = byId('door-desk');
const eventTitle = byId('door-event-title');
const placeSelect = byId<HTMLSelectElement>('door-place');
const result = byId('door-result');
const resultTitle = byId('door-result-title');
const resultDetail = byId('door-result-detail');
const queueStatus = byId('door-queue');
const cameraToggle = byId<HTMLButtonElement>('camera-toggle');
const cameraError = byId('camera-error');
const codeForm = byId<HTMLFormElement>('code-form');
const codeInput = byId<HTMLInputElement>('door-code');
const searchForm = byId<HTMLFormElement>('search-form');
const searchInput = byId<HTMLInputElement>('door-search');
const searchStatus = byId('search-status');
const searchResults = byId('search-results');

const queue = new ScanQueue();
const scanner = new QrScanner(byId<HTMLVideoElement>('camera'), (code) => void submit({ code }));
let event: PublicEvent | undefined;
let flushing = false;
/** In AWS (config.json has `admin`): Cognito's managed login; locally: the token typed here. */
let cognito: CognitoConfig | undefined;
let credentials: CredentialSource & { forget?(): Promise<void> } = tokenCredentials;

/** Dutch text with its English beside it, as one element's content. */
function bilingual(element: HTMLElement, nl: string, en?: string): void {
  element.replaceChildren(nl, ...(en ? [' ', h('span', { lang: 'en', class: 'door-en' }, en)] : []));
}

/** The credential for the API, as the dashboard sends it: the local token as a bearer token, or the ID token. */
async function auth(): Promise<Record<string, string>> {
  const authorization = await credentials.authorization();
  return authorization ? { Authorization: authorization } : {};
}

/** Where the managed login sends the browser back to: this page, without query or fragment. */
const doorUrl = () => `${location.origin}${location.pathname}`;
const eventPath = (eventId: string) => `/admin/events/${encodeURIComponent(eventId)}/check-ins`;
const workshopId = () => placeSelect.value || undefined;

function workshopTitle(id: string | undefined): string | undefined {
  for (const round of event?.rounds ?? []) {
    const workshop = round.workshops.find((candidate) => candidate.id === id);
    if (workshop) return workshop.title;
  }
  return undefined;
}

function timeOf(iso: string): string {
  return new Intl.DateTimeFormat('nl-NL', {
    timeZone: event?.timezone ?? 'Europe/Amsterdam',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

function show(tone: 'ok' | 'warn' | 'bad', title: [string, string], detail: [string, string?]): void {
  result.hidden = false;
  result.className = `door-result door-result-${tone}`;
  result.dataset.tone = tone;
  bilingual(resultTitle, ...title);
  bilingual(resultDetail, ...detail);
}

function showQueue(): void {
  const waiting = queue.size;
  if (waiting === 0) queueStatus.replaceChildren();
  else
    bilingual(
      queueStatus,
      `${waiting} ${waiting === 1 ? 'scan wacht' : 'scans wachten'} op verbinding`,
      `${waiting} waiting to be sent`,
    );
  queueStatus.dataset.waiting = String(waiting);
}

/** Back to the sign-in: refused or expired (`message`) in this tab only; the button also ends the managed login. */
async function signOut(message?: [string, string]): Promise<void> {
  scanner.stop();
  if (message && credentials.forget) await credentials.forget();
  else await credentials.signOut();
  desk.hidden = true;
  signinForm.hidden = false;
  if (message) bilingual(signinError, ...message);
  tokenInput.focus();
}

/** What the API said about one check-in, shown large: green, amber or red. */
function showOutcome(outcome: ApiOutcome<{ checkIn: CheckIn }>): void {
  if (outcome.kind === 'ok') {
    const { checkIn } = outcome.body;
    const where = workshopTitle(checkIn.workshopId);
    if (checkIn.alreadyCheckedInAt) {
      const at = timeOf(checkIn.alreadyCheckedInAt);
      show(
        'warn',
        [`Al ingecheckt om ${at}`, `Already checked in at ${at}`],
        [`${checkIn.name}, ${checkIn.organisation}`],
      );
    } else {
      show(
        'ok',
        [`Welkom, ${checkIn.name}`, `Welcome`],
        [[checkIn.organisation, where].filter(Boolean).join(' · ')],
      );
    }
    return;
  }
  if (outcome.kind === 'network') return;
  const { code, details } = outcome.error;
  if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') {
    void signOut(
      cognito
        ? ['Opnieuw aanmelden: geen toegang (meer)', 'Sign in again: no access']
        : ['Toegangscode niet (meer) geldig', 'Access code not valid'],
    );
    return;
  }
  if (code === 'NOT_REGISTERED_FOR_WORKSHOP') {
    const held = details as { workshopId?: string; title?: string } | undefined;
    const room = held?.title ?? workshopTitle(held?.workshopId) ?? '–';
    show('warn', ['Verkeerde zaal', 'Wrong room'], [`Ga naar: ${room}`, `Go to: ${room}`]);
  } else if (code === 'CHECK_IN_CODE_UNKNOWN') {
    show(
      'bad',
      ['Onbekende code', 'Unknown code'],
      ['Zoek op naam of vraag de bevestigingsmail.', 'Search by name.'],
    );
  } else if (code === 'REGISTRATION_CANCELLED') {
    show(
      'bad',
      ['Aanmelding geannuleerd', 'Registration cancelled'],
      ['Niet inchecken.', 'Do not check in.'],
    );
  } else if (code === 'REGISTRATION_WAITING') {
    show(
      'bad',
      ['Op de wachtlijst, geen plaats', 'On the waiting list, no seat'],
      ['Niet inchecken.', 'Do not check in.'],
    );
  } else {
    show('bad', ['Inchecken mislukt', 'Check-in failed'], [outcome.error.message || code]);
  }
}

async function send(scan: QueuedScan): Promise<ApiOutcome<{ checkIn: CheckIn }>> {
  const body = {
    ...(scan.code !== undefined ? { code: scan.code } : { registrationId: scan.registrationId }),
    ...(scan.workshopId ? { workshopId: scan.workshopId } : {}),
  };
  return apiRequest<{ checkIn: CheckIn }>('POST', eventPath(scan.eventId), { body, headers: await auth() });
}

/** Sends what waits, oldest first, until the connection fails again. A scan answered in any way is done. */
async function flush(): Promise<void> {
  if (flushing) return;
  flushing = true;
  try {
    if (!(await credentials.authorization())) return;
    for (const scan of queue.all()) {
      const outcome = await send(scan);
      if (outcome.kind === 'network') break;
      queue.remove(scan);
      if (outcome.kind === 'error' && (outcome.status === 401 || outcome.status === 403))
        showOutcome(outcome);
    }
  } finally {
    flushing = false;
    showQueue();
  }
}

async function submit(what: { code: string } | { registrationId: string }): Promise<void> {
  if (!event) return;
  const scan: QueuedScan = {
    eventId: event.id,
    ...what,
    workshopId: workshopId(),
    scannedAt: new Date().toISOString(),
  };
  const outcome = navigator.onLine ? await send(scan) : ({ kind: 'network' } as const);
  if (outcome.kind === 'network') {
    queue.add(scan);
    show(
      'warn',
      ['Opgeslagen, nog niet verstuurd', 'Saved, not sent yet'],
      ['Wordt verstuurd zodra er verbinding is.', 'Sent when the connection is back.'],
    );
  } else {
    showOutcome(outcome);
    void flush();
  }
  showQueue();
}

function fillPlaces(): void {
  const saved = localStorage.getItem(PLACE_KEY) ?? '';
  placeSelect.replaceChildren(
    h('option', { value: '' }, 'Ingang (Entrance)'),
    ...(event?.rounds ?? []).flatMap((round) =>
      round.workshops.map((workshop) =>
        h('option', { value: workshop.id }, `${round.title}: ${workshop.title}`),
      ),
    ),
  );
  placeSelect.value = [...placeSelect.options].some((option) => option.value === saved) ? saved : '';
}

/** Opens the desk for the event; 'refused' when the credential does not open the door (401/403). */
async function openDesk(eventId: string): Promise<'open' | 'refused' | 'unavailable'> {
  const loaded = await apiRequest<PublicEvent>('GET', `/events/${encodeURIComponent(eventId)}`);
  if (loaded.kind !== 'ok') {
    if (loaded.kind === 'network') bilingual(signinError, 'Geen verbinding', 'No connection');
    else bilingual(signinError, 'Evenement niet gevonden', 'Event not found');
    return 'unavailable';
  }
  // The credential is tried on a search that matches nobody: 401/403 means it does not open the door.
  const tried = await apiRequest('GET', `${eventPath(eventId)}?q=${encodeURIComponent('#')}`, {
    headers: await auth(),
  });
  if (tried.kind === 'error') {
    if (cognito) bilingual(signinError, 'Geen toegang tot inchecken', 'No access to check-in');
    else bilingual(signinError, 'Toegangscode onjuist', 'Wrong access code');
    return 'refused';
  }
  event = { ...loaded.body, id: eventId };
  eventTitle.textContent = event.title;
  fillPlaces();
  signinError.replaceChildren();
  signinForm.hidden = true;
  desk.hidden = false;
  history.replaceState(null, '', `?event=${encodeURIComponent(eventId)}`);
  showQueue();
  void flush();
  return 'open';
}

signinForm.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  const eventId = eventInput.value.trim();
  if (cognito) {
    if (!eventId) return bilingual(signinError, 'Vul het evenement in', 'Fill in the event');
    sessionStorage.setItem(EVENT_KEY, eventId);
    if (!(await credentials.authorization())) return startCognitoSignIn(cognito, doorUrl());
    // Signed in, but refused: the next try goes through the managed login again (perhaps as someone else).
    if ((await openDesk(eventId)) === 'refused') await credentials.forget?.();
    return;
  }
  const token = tokenInput.value.trim();
  if (!eventId || !token) {
    bilingual(
      signinError,
      'Vul het evenement en de toegangscode in',
      'Fill in the event and the access code',
    );
    return;
  }
  tokenCredentials.save(token);
  tokenInput.value = '';
  if ((await openDesk(eventId)) !== 'open') await tokenCredentials.signOut();
});

placeSelect.addEventListener('change', () => localStorage.setItem(PLACE_KEY, placeSelect.value));

codeForm.addEventListener('submit', (submitted) => {
  submitted.preventDefault();
  const code = codeInput.value.trim();
  if (!code) return;
  codeInput.value = '';
  void submit({ code });
  codeInput.focus();
});

searchForm.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  if (!event) return;
  const q = searchInput.value.trim();
  const place = workshopId();
  const query = new URLSearchParams({ q, ...(place ? { workshopId: place } : {}) });
  const found = await apiRequest<{ items: Found[] }>('GET', `${eventPath(event.id)}?${query}`, {
    headers: await auth(),
  });
  if (found.kind !== 'ok') {
    bilingual(searchStatus, 'Zoeken lukt nu niet', 'Search failed');
    return;
  }
  bilingual(searchStatus, `${found.body.items.length} gevonden`, `${found.body.items.length} found`);
  searchResults.replaceChildren(
    ...found.body.items.map((item) => {
      const button = h(
        'button',
        {
          type: 'button',
          class: 'button-secondary door-button door-person',
          'data-registration-id': item.registrationId,
        },
        `${item.name} – ${item.organisation}`,
        item.checkedInAt ? ` (${timeOf(item.checkedInAt)} ✓)` : '',
      );
      button.addEventListener('click', () => void submit({ registrationId: item.registrationId }));
      return h('li', {}, button);
    }),
  );
});

cameraToggle.addEventListener('click', async () => {
  cameraError.replaceChildren();
  if (scanner.running) {
    scanner.stop();
    bilingual(cameraToggle, 'Camera aan', 'Camera on');
    return;
  }
  try {
    await scanner.start();
    bilingual(cameraToggle, 'Camera uit', 'Camera off');
  } catch {
    bilingual(
      cameraError,
      'De camera is niet beschikbaar. Typ de code of zoek op naam.',
      'The camera is not available.',
    );
  }
});

byId('signout').addEventListener('click', () => void signOut());
window.addEventListener('online', () => void flush());
window.setInterval(() => {
  if (queue.size > 0 && navigator.onLine) void flush();
}, RETRY_INTERVAL_MS);

async function start(): Promise<void> {
  if (sessionStorage.getItem(DOOR_STAFF_NOTE_KEY)) {
    sessionStorage.removeItem(DOOR_STAFF_NOTE_KEY);
    bilingual(
      note,
      'U bent aangemeld als deurmedewerker: u kunt hier alleen inchecken.',
      'Signed in as door staff: you can only check people in.',
    );
  }
  eventInput.value =
    new URLSearchParams(location.search).get('event') ?? sessionStorage.getItem(EVENT_KEY) ?? DEFAULT_EVENT;
  cognito = cognitoConfigOf(await siteConfig());
  if (cognito) {
    tokenField.hidden = true;
    tokenInput.required = false;
    try {
      credentials = await cognitoCredentials(cognito, doorUrl());
    } catch {
      // A stale or replayed return from the managed login (its code is already out of the address).
      bilingual(signinError, 'Aanmelden mislukt, probeer het opnieuw', 'Sign-in failed, please try again');
      credentials = await cognitoCredentials(cognito, doorUrl());
    }
  }
  if ((await credentials.authorization()) && (await openDesk(eventInput.value)) === 'refused') {
    await credentials.forget?.();
  }
}

void start();
