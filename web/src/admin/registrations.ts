import { h } from '../dom.js';
import { auditPage } from './audit.js';
import { adminJson, eventPath, type Json } from './client.js';
import { type EventContext, type View, workshopTitles } from './context.js';
import { tx } from './texts.js';
import { act, announce, button, confirmAction, dateTime, errorText, table } from './ui.js';

const PAGE_SIZE = 25;
const dutchNames = new Intl.Collator('nl', { sensitivity: 'base', numeric: true });

function field(label: string, control: HTMLElement, id: string): HTMLElement {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

function select(options: [string, string][]): HTMLSelectElement {
  return h('select', {}, ...options.map(([v, text]) => h('option', { value: v }, text)));
}

/** What the details panel shows of one registration, and what can be done with it. */
async function showDetails(
  panel: HTMLElement,
  context: EventContext,
  id: string,
  reload: () => Promise<void>,
  known?: Json,
) {
  const t = tx();
  const titles = workshopTitles(context);
  panel.replaceChildren(h('p', { role: 'status' }, t.loading));
  panel.hidden = false;
  let registration: Json;
  let firstAudit: Json;
  try {
    // The listing has every field of a registration; find this one by its id among the event's pages.
    registration = known ?? (await findRegistration(context, id));
    firstAudit = await auditPage(context.eventId, null, id);
  } catch (error) {
    panel.replaceChildren(h('p', { class: 'message message-error', role: 'alert' }, errorText(error)));
    return;
  }
  const rounds: Json[] = context.definition.rounds;
  const dl = (pairs: [string, string][]) =>
    h('dl', { class: 'details-list' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const delivery = registration.confirmation
    ? `${t.mailKinds[registration.confirmation.kind] ?? registration.confirmation.kind}: ${t.deliveryState[registration.confirmation.state] ?? registration.confirmation.state} (${t.attempts(registration.confirmation.attempts)})${registration.confirmation.lastError ? ` – ${registration.confirmation.lastError}` : ''}`
    : '–';
  const actions: HTMLElement[] = [];
  const run =
    (question: string, explanation: string, done: string, method: string, path: string) => async () => {
      if (!(await confirmAction(question, explanation))) return;
      if (await act(async () => void (await adminJson(method, eventPath(context.eventId, path))), done)) {
        await reload();
        await showDetails(panel, context, id, reload);
      }
    };
  const base = `/registrations/${encodeURIComponent(id)}`;
  if (registration.status !== 'cancelled' && !registration.personalDataRemoved) {
    actions.push(
      button(
        t.resend,
        run(t.resendConfirm, t.resendText, t.resendDone, 'POST', `${base}/resend-confirmation`),
      ),
    );
    actions.push(
      button(
        t.cancelOnBehalf,
        run(t.cancelConfirm, t.cancelText, t.cancelDone, 'DELETE', base),
        'button-danger',
      ),
    );
  }
  if (!registration.personalDataRemoved) {
    actions.push(
      button(
        t.erase,
        run(t.eraseConfirm, t.eraseText, t.eraseDone, 'DELETE', `${base}/personal-data`),
        'button-danger',
      ),
    );
  }
  const heading = h('h3', { id: 'details-heading', tabindex: '-1' }, `${t.detailsOf}: ${registration.name}`);
  panel.replaceChildren(
    heading,
    dl([
      [t.email, registration.email],
      [t.organisation, registration.organisation],
      [t.jobTitle, registration.jobTitle ?? '–'],
      [t.status, t.statusLabels[registration.status] ?? registration.status],
      [t.registeredAt, dateTime(registration.createdAt, context.definition.timezone)],
      ...rounds.map((round): [string, string] => [
        round.title,
        titles.get(registration.choices?.[round.id]) ?? '–',
      ]),
      ...rounds
        .filter((round) => registration.waitingFor?.[round.id]?.length)
        .map((round): [string, string] => [
          `${t.waitingFor} (${round.title})`,
          registration.waitingFor[round.id].map((w: string) => titles.get(w) ?? w).join(', '),
        ]),
      [t.delivery, delivery],
      ...(registration.emailState
        ? [[t.email, t.emailState[registration.emailState] ?? registration.emailState] as [string, string]]
        : []),
    ]),
    h('h4', {}, t.auditOf),
    auditList(context, id, firstAudit),
    h('h4', {}, t.actions),
    h(
      'div',
      { class: 'actions' },
      ...actions,
      button(t.close, () => {
        panel.hidden = true;
      }),
    ),
  );
  heading.focus();
}

/** The registration's audit entries, with "more" while the API has further pages. */
function auditList(context: EventContext, id: string, first: Json): HTMLElement {
  const t = tx();
  if (first.items.length === 0) return h('p', {}, t.noAudit);
  const entry = (item: Json) =>
    h(
      'li',
      {},
      `${dateTime(item.at)} – ${item.actor?.username ?? ''}: ${t.auditActions[item.action] ?? item.action}`,
    );
  const list = h('ul', {}, ...first.items.map(entry));
  let cursor: string | null = first.nextCursor;
  const loadMore = async () => {
    try {
      const page = await auditPage(context.eventId, cursor, id);
      list.append(...page.items.map(entry));
      cursor = page.nextCursor;
      more.hidden = cursor === null;
    } catch (error) {
      announce(`${t.errorPrefix}${errorText(error)}`);
    }
  };
  const more = button(t.more, () => void loadMore());
  more.hidden = cursor === null;
  return h('div', {}, list, more);
}

async function findRegistration(context: EventContext, id: string): Promise<Json> {
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '500' });
    if (cursor) query.set('cursor', cursor);
    const page: Json = await adminJson('GET', eventPath(context.eventId, `/registrations?${query}`));
    const found = page.items.find((item: Json) => item.id === id);
    if (found) return found;
    cursor = page.nextCursor;
  } while (cursor);
  throw new Error(tx().registrationGone);
}

export const registrationsView: View = {
  async render(container, context) {
    const t = tx();
    const titles = workshopTitles(context);
    const q = h('input', { type: 'search', autocomplete: 'off' });
    const workshop = select([
      ['', t.all],
      ...[...titles].map(([id, title]): [string, string] => [id, title]),
    ]);
    const status = select([
      ['', t.all],
      ['confirmed', t.statusLabels.confirmed ?? ''],
      ['cancelled', t.statusLabels.cancelled ?? ''],
    ]);
    const sort = select([
      ['date', t.sortDate],
      ['name', t.sortName],
    ]);
    const form = h(
      'form',
      { class: 'filters', role: 'search' },
      field(t.search, q, 'filter-q'),
      field(t.filterWorkshop, workshop, 'filter-workshop'),
      field(t.filterStatus, status, 'filter-status'),
      field(t.sortBy, sort, 'filter-sort'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button-primary' }, t.apply)),
    );
    const results = h('div', { id: 'registration-results' });
    const count = h('p', { class: 'status', id: 'registration-count', role: 'status' });
    const more = button(t.more, () => void load(false));
    more.hidden = true;
    const details = h('section', {
      id: 'registration-details',
      class: 'panel',
      hidden: '',
      'aria-labelledby': 'details-heading',
    });
    container.append(
      h('h2', { id: 'view-heading', tabindex: '-1' }, t.tabRegistrations),
      form,
      count,
      results,
      more,
      details,
    );

    let items: Json[] = [];
    let cursor: string | null = null;
    const draw = () => {
      const sorted =
        sort.value === 'name' ? [...items].sort((a, b) => dutchNames.compare(a.name, b.name)) : items;
      results.replaceChildren(
        table(
          t.tabRegistrations,
          [t.name, t.email, t.organisation, t.status, t.registeredAt],
          sorted.map((item) => {
            const open = button(
              item.name,
              () => void showDetails(details, context, item.id, () => load(true), item),
              'link-button',
            );
            open.setAttribute('aria-label', `${t.details}: ${item.name}`);
            return [
              open,
              item.email,
              item.organisation,
              t.statusLabels[item.status] ?? item.status,
              dateTime(item.createdAt, context.definition.timezone),
            ];
          }),
        ),
      );
      count.textContent = t.shown(items.length, cursor !== null);
      more.hidden = cursor === null;
    };
    const load = async (fresh: boolean) => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (q.value.trim()) query.set('q', q.value.trim());
      if (workshop.value) query.set('workshopId', workshop.value);
      if (status.value) query.set('status', status.value);
      if (!fresh && cursor) query.set('cursor', cursor);
      try {
        const page: Json = await adminJson('GET', eventPath(context.eventId, `/registrations?${query}`));
        items = fresh ? page.items : [...items, ...page.items];
        cursor = page.nextCursor;
        draw();
      } catch (error) {
        announce(`${t.errorPrefix}${errorText(error)}`);
      }
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void load(true);
    });
    sort.addEventListener('change', draw);
    await load(true);
    return undefined;
  },
};
