import { formatDate, formatDateTime, t } from './i18n.js';
import type { PublicEvent } from './types.js';

/** Fills the event's title, date, venue, description and notice into the page elements that exist. */
export function renderEventHeader(event: PublicEvent): void {
  const title = document.getElementById('event-title');
  if (title) {
    title.textContent = event.title;
    title.lang = 'nl';
    delete title.dataset.i18n;
  }
  const meta = document.getElementById('event-meta');
  const date = document.getElementById('event-date');
  if (meta && date) {
    date.setAttribute('datetime', event.date);
    date.textContent = formatDate(event.date);
    const venue = document.getElementById('event-venue');
    if (venue) {
      venue.textContent = event.venue ? ` · ${event.venue}` : '';
      venue.lang = 'nl';
    }
    meta.hidden = false;
  }
  for (const [id, text] of [
    ['event-description', event.description],
    ['event-notice', event.notice],
  ] as const) {
    const element = document.getElementById(id);
    if (!element) continue;
    element.textContent = text ?? '';
    element.hidden = !text;
  }
}

/** Why registering is not possible now, or undefined while it is open. */
export function windowMessage(event: PublicEvent): string | undefined {
  const { status, opensAt } = event.registration;
  if (status === 'open') return undefined;
  if (status === 'not-yet-open')
    return t().notYetOpen(opensAt ? formatDateTime(opensAt, event.timezone) : undefined);
  return t().closed;
}
