import { byId, h } from '../dom.js';
import { dateLocale } from '../i18n.js';
import { AdminApiError, NetworkError } from './client.js';
import { tx } from './texts.js';

/** What every view shares: the status line, the confirmation dialog, tables, dates and error texts. */

export function announce(text: string): void {
  const status = byId('page-status');
  status.textContent = '';
  // A new text in the live region, also when it is the same text again.
  requestAnimationFrame(() => {
    status.textContent = text;
  });
}

/** The API's own (localised) message, or ours for the network; never a stack or an internal detail. */
export function errorText(error: unknown): string {
  if (error instanceof NetworkError) return tx().network;
  if (error instanceof AdminApiError) return error.error?.message ?? `HTTP ${error.status}`;
  return String((error as Error)?.message ?? error);
}

/** Asks before an action that changes something; resolves true for yes. Focus returns where it was. */
export function confirmAction(title: string, text: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('confirm-dialog');
  const yes = byId<HTMLButtonElement>('confirm-yes');
  const no = byId<HTMLButtonElement>('confirm-no');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  yes.textContent = tx().yes;
  no.textContent = tx().no;
  const opener = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const finish = (answer: boolean) => {
      yes.removeEventListener('click', onYes);
      no.removeEventListener('click', onNo);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      opener?.focus();
      resolve(answer);
    };
    const onYes = () => finish(true);
    const onNo = () => finish(false);
    const onClose = () => finish(false);
    yes.addEventListener('click', onYes);
    no.addEventListener('click', onNo);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    no.focus();
  });
}

/** A table that scrolls sideways on a narrow screen, reachable by keyboard, with a caption. */
export function table(caption: string, headers: string[], rows: (Node | string)[][]): HTMLElement {
  const scroller = h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell) => h('td', {}, cell))))),
    ),
  );
  return scroller;
}

export function dateTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(dateLocale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

export function dayOf(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(iso));
}

export function button(text: string, onClick: () => void, className = 'button-secondary'): HTMLButtonElement {
  const element = h('button', { type: 'button', class: className }, text);
  element.addEventListener('click', onClick);
  return element;
}

/**
 * Runs `refresh` every `intervalMs` while the page is visible (a hidden tab asks nothing); returns the view's
 * stop function.
 */
export function refreshWhileVisible(refresh: () => Promise<void>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, intervalMs);
  return () => clearInterval(timer);
}

/** The time of the last refresh, e.g. "14:05:09". */
export const timeNow = (): string =>
  new Intl.DateTimeFormat(dateLocale(), { timeStyle: 'medium' }).format(new Date());

/** Runs an action that may fail and says how it went in the status line. */
export async function act(run: () => Promise<void>, done: string): Promise<boolean> {
  try {
    await run();
    announce(done);
    return true;
  } catch (error) {
    announce(`${tx().errorPrefix}${errorText(error)}`);
    return false;
  }
}

/** Marks a field invalid and writes the message into its `<id>-error` paragraph (which it is described by). */
export function showFieldError(id: string, message: string): void {
  const error = document.getElementById(`${id}-error`);
  if (!error) return;
  document.getElementById(id)?.setAttribute('aria-invalid', 'true');
  error.textContent = message;
}

export function clearFieldErrors(ids: string[]): void {
  for (const id of ids) {
    document.getElementById(id)?.removeAttribute('aria-invalid');
    const error = document.getElementById(`${id}-error`);
    if (error) error.textContent = '';
  }
}
