import { h } from '../dom.js';
import { dateLocale } from '../i18n.js';
import { adminJson, eventPath, type Json } from './client.js';
import type { EventContext, View } from './context.js';
import { tx } from './texts.js';
import { table as dataTable, dayOf, errorText, refreshWhileVisible, timeNow } from './ui.js';

const REFRESH_MS = 30_000;
/** How many registrations the per-day chart reads at most (pages of 500). */
const CHART_PAGES = 20;

async function registrationDays(context: EventContext): Promise<Map<string, number>> {
  const days = new Map<string, number>();
  let cursor: string | null = null;
  for (let page = 0; page < CHART_PAGES; page++) {
    const query = new URLSearchParams({ limit: '500' });
    if (cursor) query.set('cursor', cursor);
    const result: Json = await adminJson('GET', eventPath(context.eventId, `/registrations?${query}`));
    for (const item of result.items) {
      const day = dayOf(item.createdAt, context.definition.timezone);
      days.set(day, (days.get(day) ?? 0) + 1);
    }
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return new Map([...days].sort(([a], [b]) => a.localeCompare(b)));
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attributes: Record<string, string>, text?: string): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

function shortDay(day: string): string {
  return new Intl.DateTimeFormat(dateLocale(), { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(`${day}T12:00:00Z`),
  );
}

/** A small bar chart; the numbers are in its accessible name as well. */
function perDayChart(days: Map<string, number>): Element {
  if (days.size === 0) return h('p', {}, tx().perDayNone);
  const entries = [...days].slice(-30);
  const max = Math.max(...entries.map(([, n]) => n));
  const barWidth = 24;
  const height = 120;
  const chart = svg('svg', {
    class: 'per-day-chart',
    viewBox: `0 0 ${entries.length * barWidth + 8} ${height + 24}`,
    role: 'img',
    'aria-label': tx().perDayLabel(entries.map(([day, n]) => `${shortDay(day)}: ${n}`).join(', ')),
  });
  entries.forEach(([day, n], index) => {
    const barHeight = Math.max(2, Math.round((n / max) * (height - 16)));
    const x = 4 + index * barWidth;
    chart.append(
      svg('rect', {
        x: String(x + 3),
        y: String(height - barHeight),
        width: String(barWidth - 6),
        height: String(barHeight),
        class: 'bar',
      }),
    );
    chart.append(
      svg(
        'text',
        {
          x: String(x + barWidth / 2),
          y: String(height - barHeight - 3),
          'text-anchor': 'middle',
          class: 'bar-value',
        },
        String(n),
      ),
    );
    chart.append(
      svg(
        'text',
        { x: String(x + barWidth / 2), y: String(height + 16), 'text-anchor': 'middle', class: 'bar-label' },
        shortDay(day).replace(/\.$/, ''),
      ),
    );
  });
  return chart;
}

function attendance(counts: Json): [string, number, string][] {
  const t = tx();
  return [
    ...(typeof counts.present === 'number'
      ? [[t.present, counts.present, 'present'] as [string, number, string]]
      : []),
    ...(typeof counts.noShows === 'number'
      ? [[t.noShows, counts.noShows, 'noShows'] as [string, number, string]]
      : []),
  ];
}

function totals(summary: Json): HTMLElement {
  const t = tx();
  const list = (pairs: [string, number, string][]) =>
    h(
      'dl',
      { class: 'totals' },
      ...pairs.flatMap(([label, value, id]) => [
        h('dt', {}, label),
        h('dd', { 'data-total': id }, String(value)),
      ]),
    );
  return h(
    'div',
    { class: 'overview-totals' },
    h(
      'section',
      { 'aria-labelledby': 'totals-heading' },
      h('h3', { id: 'totals-heading' }, t.totalsHeading),
      list([
        [t.totalRegistrations, summary.totals.registrations, 'registrations'],
        [t.totalConfirmed, summary.totals.confirmed, 'confirmed'],
        [t.totalCancelled, summary.totals.cancelled, 'cancelled'],
        [t.totalWaiting, summary.totals.waiting, 'waiting'],
        // Attendance (check-in): present once anyone can check in, no-shows once the event day is over.
        ...attendance(summary.totals),
      ]),
    ),
    h(
      'section',
      { 'aria-labelledby': 'emails-heading' },
      h('h3', { id: 'emails-heading' }, t.emailsHeading),
      list([
        [t.emailsPending, summary.totals.emailsPending, 'emailsPending'],
        [t.emailsFailed, summary.totals.emailsFailed, 'emailsFailed'],
        [t.emailsBounced, summary.totals.emailsBounced, 'emailsBounced'],
        [t.emailsComplained, summary.totals.emailsComplained, 'emailsComplained'],
      ]),
    ),
  );
}

function roundTable(round: Json): HTMLElement {
  const t = tx();
  const withPresent = round.workshops.some((w: Json) => typeof w.present === 'number');
  const withNoShows = round.workshops.some((w: Json) => typeof w.noShows === 'number');
  const headers = [
    t.workshop,
    t.taken,
    t.seatsLeft,
    t.waiting,
    ...(withPresent ? [t.present] : []),
    ...(withNoShows ? [t.noShows] : []),
  ];
  const rows = round.workshops.map((w: Json) => {
    const bar = h('meter', {
      min: '0',
      max: String(Math.max(1, w.capacity)),
      value: String(w.taken),
      'aria-label': `${w.title}: ${t.takenOf(w.taken, w.capacity)}`,
    });
    return [
      w.title,
      h(
        'span',
        {
          class: 'taken-cell',
          'data-workshop': w.workshopId,
          'data-taken': String(w.taken),
          'data-capacity': String(w.capacity),
        },
        bar,
        ` ${w.taken} / ${w.capacity}`,
      ),
      h('span', { 'data-seats-left': w.workshopId }, String(w.seatsLeft)),
      h('span', { 'data-waiting': w.workshopId }, String(w.waiting)),
      ...(withPresent ? [String(w.present ?? 0)] : []),
      ...(withNoShows ? [String(w.noShows ?? 0)] : []),
    ];
  });
  return h(
    'section',
    { class: 'round-overview' },
    h('h3', {}, round.title),
    dataTable(round.title, headers, rows),
  );
}

export const overviewView: View = {
  async render(container, context) {
    const t = tx();
    const body = h('div', { id: 'overview-body' });
    const updated = h('p', { class: 'status', id: 'overview-updated' });
    container.append(h('h2', { id: 'view-heading', tabindex: '-1' }, t.tabOverview), updated, body);
    const refresh = async () => {
      try {
        const [summary, days] = await Promise.all([
          adminJson('GET', eventPath(context.eventId, '/summary')),
          registrationDays(context),
        ]);
        const removedFrom = new Intl.DateTimeFormat(dateLocale(), {
          dateStyle: 'long',
          timeZone: context.definition.timezone,
        }).format(new Date(summary.retention.personalDataRemovedFrom));
        body.replaceChildren(
          ...summary.rounds.map(roundTable),
          totals(summary),
          h(
            'section',
            { 'aria-labelledby': 'per-day-heading' },
            h('h3', { id: 'per-day-heading' }, t.perDayHeading),
            perDayChart(days),
          ),
          h(
            'p',
            { class: summary.consistent ? 'message message-info' : 'message message-error' },
            summary.consistent ? t.consistent : t.inconsistent,
          ),
          h('p', {}, t.retention(removedFrom, summary.retention.retentionDays)),
        );
        updated.textContent = t.updatedAt(timeNow());
      } catch (error) {
        updated.textContent = `${t.errorPrefix}${errorText(error)}`;
      }
    };
    await refresh();
    return refreshWhileVisible(refresh, REFRESH_MS);
  },
};
