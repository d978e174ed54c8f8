import { h } from '../dom.js';
import { adminJson, eventPath, type Json } from './client.js';
import type { View } from './context.js';
import { tx } from './texts.js';
import { announce, button, dateTime, errorText, table } from './ui.js';

/** One page of 50 audit entries, newest first: the event's, or with `registrationId` one registration's. */
export function auditPage(eventId: string, cursor: string | null, registrationId?: string): Promise<Json> {
  const query = new URLSearchParams({ ...(registrationId ? { registrationId } : {}), limit: '50' });
  if (cursor) query.set('cursor', cursor);
  return adminJson('GET', eventPath(eventId, `/audit?${query}`));
}

/** The audit log, newest first, paged with the API's cursor. Registration ids only: no personal data. */
export const auditView: View = {
  async render(container, context) {
    const t = tx();
    const results = h('div', {});
    const more = button(t.more, () => void load());
    more.hidden = true;
    container.append(h('h2', { id: 'view-heading', tabindex: '-1' }, t.auditHeading), results, more);
    let items: Json[] = [];
    let cursor: string | null = null;
    const load = async () => {
      try {
        const page = await auditPage(context.eventId, cursor);
        items = [...items, ...page.items];
        cursor = page.nextCursor;
        more.hidden = cursor === null;
        results.replaceChildren(
          items.length === 0
            ? h('p', {}, t.noAudit)
            : table(
                t.auditHeading,
                [t.auditWhen, t.auditWho, t.auditWhat, t.auditRegistration],
                items.map((entry) => [
                  dateTime(entry.at, context.definition.timezone),
                  entry.actor?.username ?? entry.actor?.sub ?? '',
                  t.auditActions[entry.action] ?? entry.action,
                  entry.registrationId ?? '–',
                ]),
              ),
        );
      } catch (error) {
        announce(`${t.errorPrefix}${errorText(error)}`);
      }
    };
    await load();
    return undefined;
  },
};
