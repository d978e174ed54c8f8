import type { Locale } from '../domain/registration.js';

/** HTML-escapes a value from a person (or from an event definition) before it goes into an email. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "donderdag 12 september 2019" / "Thursday 12 September 2019", for the event's own calendar date. */
export function formatEventDate(date: string, locale: Locale): string {
  // Noon UTC keeps the calendar date the same in every time zone.
  return new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${date}T12:00:00Z`));
}

/** The manage link that opens at the cancel step ("Ik kan niet komen"): one more click cancels. */
export function cancelStepUrl(manageLink: string): string {
  const [page = '', fragment] = manageLink.split('#');
  return `${page}&step=cancel${fragment === undefined ? '' : `#${fragment}`}`;
}
