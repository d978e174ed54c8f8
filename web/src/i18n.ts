import { type Texts, texts } from './texts.js';
import type { Lang } from './types.js';

/**
 * The page language: Dutch unless `?lang=en` says otherwise (or the page picks one, e.g. the locale of a
 * registration). Switching sets `<html lang>`, replaces every `[data-i18n]` text and tells the page.
 */

const listeners: (() => void)[] = [];

function langFromUrl(): Lang | undefined {
  const wanted = new URLSearchParams(location.search).get('lang');
  return wanted === 'en' || wanted === 'nl' ? wanted : undefined;
}

let current: Lang = langFromUrl() ?? 'nl';

export const explicitLang = (): boolean => langFromUrl() !== undefined;
export const lang = (): Lang => current;
export const t = (): Texts => texts[current];
export const dateLocale = (): string => (current === 'nl' ? 'nl-NL' : 'en-GB');

export function onLangChange(listener: () => void): void {
  listeners.push(listener);
}

function applyStaticTexts(): void {
  const dictionary = t() as Record<string, unknown>;
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const text = dictionary[element.dataset.i18n ?? ''];
    if (typeof text === 'string') element.textContent = text;
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === current));
  }
  // The privacy statement has both languages on one page; links go to the one being read.
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-privacy]')) {
    link.setAttribute('href', current === 'en' ? 'privacy.html#en' : 'privacy.html');
  }
}

/** Sets the language; `remember` keeps it in the address (so a reload keeps it) when the person chose it. */
export function setLang(next: Lang, { remember = false } = {}): void {
  current = next;
  document.documentElement.lang = next;
  if (remember) {
    const url = new URL(location.href);
    url.searchParams.set('lang', next);
    history.replaceState(history.state, '', url);
  }
  applyStaticTexts();
  for (const listener of listeners) listener();
}

/** Wires the nl/en buttons and renders the static texts once. */
export function initLanguage(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-lang]')) {
    button.addEventListener('click', () => {
      const wanted = button.dataset.lang;
      if ((wanted === 'nl' || wanted === 'en') && wanted !== current) setLang(wanted, { remember: true });
    });
  }
  document.documentElement.lang = current;
  applyStaticTexts();
}

/** "donderdag 12 september 2019" / "Thursday 12 September 2019" for an ISO date (a calendar day). */
export function formatDate(isoDate: string): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(dateLocale(), {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(date);
}

/** A moment in the event's time zone, e.g. "maandag 1 juli 2019 om 09:00". */
export function formatDateTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'full', timeStyle: 'short', timeZone }).format(
      date,
    );
  } catch {
    return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'full', timeStyle: 'short' }).format(date);
  }
}
