import { auditView } from './admin/audit.js';
import {
  AdminApiError,
  adminConfig,
  adminJson,
  eventPath,
  type Json,
  opensCheckIn,
  useCredentials,
} from './admin/client.js';
import type { EventContext, View } from './admin/context.js';
import { downloadsView } from './admin/downloads.js';
import { editorView } from './admin/editor.js';
import { messagesView } from './admin/messages.js';
import { overviewView } from './admin/overview.js';
import { registrationsView } from './admin/registrations.js';
import { tx } from './admin/texts.js';
import { announce, errorText } from './admin/ui.js';
import { waitingView } from './admin/waiting.js';
import { byId, h } from './dom.js';
import { formatDate, initLanguage, onLangChange } from './i18n.js';
import { cognitoCredentials, startCognitoSignIn } from './sign-in/cognito.js';
import { DOOR_STAFF_NOTE_KEY } from './sign-in/door-staff.js';
import { type CredentialSource, tokenCredentials } from './sign-in/token.js';

/**
 * The organisers' dashboard, `/admin/`: one more client of the admin API. Sign-in (the local admin token, or
 * Cognito's managed login in AWS), the events, and per event the overview, registrations, waiting lists,
 * editor, messages, audit log and downloads. Nothing personal goes into the address or the title; what is
 * shown lives in memory only.
 */

const VIEWS: { id: string; label: () => string; view: View }[] = [
  { id: 'overview', label: () => tx().tabOverview, view: overviewView },
  { id: 'registrations', label: () => tx().tabRegistrations, view: registrationsView },
  { id: 'waiting', label: () => tx().tabWaiting, view: waitingView },
  { id: 'editor', label: () => tx().tabEditor, view: editorView },
  { id: 'messages', label: () => tx().tabMessages, view: messagesView },
  { id: 'audit', label: () => tx().tabAudit, view: auditView },
  { id: 'downloads', label: () => tx().tabDownloads, view: downloadsView },
];

const app = byId('app');
const signOutButton = byId<HTMLButtonElement>('sign-out');

let credentials: CredentialSource = tokenCredentials;
let screen: () => Promise<void> = showSignIn;
let stopView: (() => void) | undefined;
/** True between typing a token and the API's first answer: a refusal then means the token is wrong. */
let tokenJustTyped = false;

/** Where the managed login sends the browser back to: this page, without query or fragment. */
const dashboardUrl = () => new URL('./', location.href).href;

function stop(): void {
  stopView?.();
  stopView = undefined;
}

function staticTexts(): void {
  const t = tx();
  document.title = t.pageTitle;
  byId('page-heading').textContent = t.heading;
  byId('skip-link').textContent = t.skip;
  signOutButton.textContent = t.signOut;
}

async function showSignIn(reason?: string): Promise<void> {
  stop();
  screen = () => showSignIn(reason);
  signOutButton.hidden = true;
  const t = tx();
  const config = await adminConfig();
  const error = h('p', { class: 'message message-error', role: 'alert', id: 'sign-in-error' }, reason ?? '');
  if (config.cognito) {
    const { cognito } = config;
    const start = h('button', { type: 'button', class: 'button-primary' }, t.signInCognito);
    start.addEventListener('click', () => void startCognitoSignIn(cognito, dashboardUrl()));
    app.replaceChildren(
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, t.signInHeading),
        h('p', {}, t.signInIntroCognito),
        error,
        start,
      ),
    );
    return;
  }
  const input = h('input', {
    id: 'admin-token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: '',
    'aria-describedby': 'sign-in-error',
  });
  const form = h(
    'form',
    { class: 'panel', id: 'sign-in-form', novalidate: '' },
    h('h2', {}, t.signInHeading),
    h('p', {}, t.signInIntro),
    h('div', { class: 'field' }, h('label', { for: 'admin-token' }, t.tokenLabel), input),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button-primary' }, t.signInButton)),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return input.focus();
    tokenCredentials.save(token);
    credentials = tokenCredentials;
    tokenJustTyped = true;
    announce(t.signingIn);
    await showEvents();
  });
  app.replaceChildren(form);
  input.focus();
}

async function signedOut(reason: 'expired' | 'forbidden'): Promise<void> {
  // Door staff see only the check-in page: still signed in, with a note there saying why they came.
  if (reason === 'forbidden' && (await opensCheckIn())) {
    sessionStorage.setItem(DOOR_STAFF_NOTE_KEY, '1');
    location.replace(new URL('../checkin.html', location.href).href);
    return;
  }
  await credentials.signOut();
  const t = tx();
  await showSignIn(reason === 'forbidden' ? t.forbidden : tokenJustTyped ? t.tokenRefused : t.sessionEnded);
  tokenJustTyped = false;
}

async function showEvents(): Promise<void> {
  stop();
  screen = showEvents;
  const t = tx();
  let events: Json[];
  try {
    events = (await adminJson('GET', '/admin/events')).items;
  } catch (error) {
    if (error instanceof AdminApiError && (error.status === 401 || error.status === 403)) return;
    app.replaceChildren(h('p', { class: 'message message-error', role: 'alert' }, errorText(error)));
    return;
  }
  tokenJustTyped = false;
  signOutButton.hidden = false;
  const heading = h('h2', { id: 'events-heading', tabindex: '-1' }, t.eventsHeading);
  app.replaceChildren(
    h(
      'section',
      { 'aria-labelledby': 'events-heading' },
      heading,
      events.length === 0 ? h('p', {}, t.eventsNone) : h('p', {}, t.chooseEvent),
      h(
        'ul',
        { class: 'event-list' },
        ...events.map((event) => {
          const open = h(
            'button',
            { type: 'button', class: 'link-button', 'data-event': event.id },
            event.title,
          );
          open.addEventListener('click', () => void showEvent(event.id, 'overview'));
          return h('li', {}, open, ` – ${formatDate(event.date)}`);
        }),
      ),
    ),
  );
  heading.focus();
  announce('');
}

async function showEvent(eventId: string, viewId: string): Promise<void> {
  stop();
  screen = () => showEvent(eventId, viewId);
  const t = tx();
  let context: EventContext;
  try {
    context = { eventId, definition: await adminJson('GET', eventPath(eventId)) };
  } catch (error) {
    announce(`${t.errorPrefix}${errorText(error)}`);
    return;
  }
  const back = h('button', { type: 'button', class: 'button-secondary' }, t.otherEvent);
  back.addEventListener('click', () => void showEvents());
  const nav = h(
    'nav',
    { class: 'admin-tabs', 'aria-label': t.sections },
    h(
      'ul',
      {},
      ...VIEWS.map(({ id, label }) => {
        const tab = h(
          'button',
          { type: 'button', 'data-view': id, ...(id === viewId ? { 'aria-current': 'page' } : {}) },
          label(),
        );
        tab.addEventListener('click', () => void showEvent(eventId, id));
        return h('li', {}, tab);
      }),
    ),
  );
  const container = h('div', { id: 'view' });
  app.replaceChildren(
    h(
      'div',
      { class: 'event-bar' },
      h(
        'p',
        { class: 'event-name' },
        h('strong', {}, context.definition.title),
        ` – ${formatDate(context.definition.date)}`,
      ),
      back,
    ),
    nav,
    container,
  );
  const view = VIEWS.find((candidate) => candidate.id === viewId) ?? VIEWS[0];
  if (!view) return;
  try {
    stopView = await view.view.render(container, context);
  } catch (error) {
    container.append(h('p', { class: 'message message-error', role: 'alert' }, errorText(error)));
  }
  (document.getElementById('view-heading') as HTMLElement | null)?.focus();
}

async function start(): Promise<void> {
  initLanguage();
  staticTexts();
  onLangChange(() => {
    staticTexts();
    void screen();
  });
  signOutButton.addEventListener('click', async () => {
    await credentials.signOut();
    await showSignIn();
  });
  useCredentials(
    { authorization: () => credentials.authorization(), signOut: () => credentials.signOut() },
    (reason) => void signedOut(reason),
  );
  const config = await adminConfig();
  if (config.cognito) {
    credentials = await cognitoCredentials(config.cognito, dashboardUrl());
    if (await credentials.authorization()) return showEvents();
    return showSignIn();
  }
  if (tokenCredentials.present()) return showEvents();
  return showSignIn();
}

void start();
