import pLimit from 'p-limit';
import { h } from '../dom.js';
import { adminJson, eventPath, type Json } from './client.js';
import type { View } from './context.js';
import { tx } from './texts.js';
import { act, button, confirmAction, dateTime, errorText, table } from './ui.js';

/** How many workshops' waiting lists the view asks for at the same time. */
const WAITING_LISTS_AT_ONCE = 4;

/** Per workshop, who waits in queue order; promote out of turn or take off the list, after confirming. */
export const waitingView: View = {
  async render(container, context) {
    const t = tx();
    const body = h('div', {});
    container.append(h('h2', { id: 'view-heading', tabindex: '-1' }, t.waitingHeading), body);
    const workshops = (context.definition.rounds as Json[]).flatMap((round) =>
      (round.workshops as Json[]).map((workshop) => ({ round, workshop })),
    );
    const draw = async () => {
      // The workshops' lists are fetched a few at a time, not one after another; `map` keeps their order.
      const sections = await pLimit(WAITING_LISTS_AT_ONCE).map(workshops, async ({ round, workshop }) => {
        let items: Json[];
        try {
          const list: Json = await adminJson(
            'GET',
            eventPath(context.eventId, `/waiting-list?workshopId=${encodeURIComponent(workshop.id)}`),
          );
          items = list.items;
        } catch (error) {
          return h('p', { class: 'message message-error' }, errorText(error));
        }
        const heading = `${round.title}: ${workshop.title}`;
        const entryAction =
          (question: string, explanation: string, done: string, method: string, path: string) => async () => {
            if (!(await confirmAction(question, explanation))) return;
            if (await act(async () => void (await adminJson(method, eventPath(context.eventId, path))), done))
              await draw();
          };
        return h(
          'section',
          { class: 'waiting-workshop' },
          h('h3', {}, heading),
          items.length === 0
            ? h('p', {}, t.waitingNone)
            : table(
                heading,
                [t.position, t.name, t.organisation, t.kind, t.joinedAt, t.actions],
                items.map((entry) => {
                  const path = `/waiting-list/${encodeURIComponent(entry.entryId)}`;
                  const promote = button(
                    t.promote,
                    entryAction(t.promoteConfirm, t.promoteText, t.promoteDone, 'POST', `${path}/promote`),
                  );
                  promote.setAttribute('aria-label', `${t.promote}: ${entry.name}`);
                  const remove = button(
                    t.remove,
                    entryAction(t.removeConfirm, t.removeText, t.removeDone, 'DELETE', path),
                    'button-danger',
                  );
                  remove.setAttribute('aria-label', `${t.remove}: ${entry.name}`);
                  return [
                    String(entry.position),
                    entry.name,
                    entry.organisation,
                    entry.kind === 'place' ? t.kindPlace : t.kindPreference,
                    dateTime(entry.joinedAt, context.definition.timezone),
                    h('div', { class: 'row-actions' }, promote, remove),
                  ];
                }),
              ),
        );
      });
      body.replaceChildren(...sections);
    };
    await draw();
    return undefined;
  },
};
