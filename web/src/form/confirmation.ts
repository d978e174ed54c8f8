import { byId, h } from '../dom.js';
import { lang, t } from '../i18n.js';
import type { Choices, Registration } from '../types.js';
import { form, page, render } from './state.js';

/** What the form shows once the API accepted it: the confirmed seats, or the place on the waiting list. */

const confirmation = byId('confirmation');
const waitingConfirmation = byId('waiting-confirmation');

/** One workshop waited for: its title (event content, Dutch) and its place in the line. */
function waitingLine(workshopTitle: string, position: number | undefined): (Node | string)[] {
  return [h('span', { lang: 'nl' }, workshopTitle), position ? ` – ${t().waitingPosition(position)}` : ''];
}

function workshopOf(workshopId: string) {
  for (const round of page.event?.rounds ?? []) {
    const workshop = round.workshops.find((candidate) => candidate.id === workshopId);
    if (workshop) return { round, workshop };
  }
  return undefined;
}

export function renderConfirmation(): void {
  const { registered, event } = page;
  if (!registered || !event) return;
  const texts = t();
  byId('confirmation-thanks').textContent = texts.confirmedThanks(registered.name, event.title);
  byId('confirmation-email').textContent = texts.confirmationEmail(registered.email);
  const list = byId('confirmation-choices');
  list.replaceChildren(
    ...event.rounds.flatMap((round) => {
      const workshopId = registered.choices[round.id];
      const title = (id: string | undefined) =>
        round.workshops.find((candidate) => candidate.id === id)?.title ?? id ?? '';
      const requested = page.requested[round.id];
      // The choice was full when the request arrived: the API took an alternative.
      const alternativeTaken =
        requested !== undefined && workshopId !== undefined && requested !== workshopId;
      return [
        h('dt', { lang: 'nl' }, round.title),
        h(
          'dd',
          { lang: 'nl', 'data-workshop-id': workshopId },
          title(workshopId),
          alternativeTaken &&
            h(
              'p',
              { class: 'alternative-taken', lang: lang() },
              texts.alternativeTaken(title(requested), title(workshopId)),
            ),
        ),
      ];
    }),
  );
  // Waiting lists joined with the registration (`waitFor`), with the place in each line.
  const positions = registered.waitingPositions ?? {};
  const items = Object.entries(registered.waitingFor ?? {}).flatMap(([roundId, ids]) =>
    ids.map((workshopId) => {
      const found = workshopOf(workshopId);
      const title = found?.workshop.title ?? workshopId;
      const roundTitle = event.rounds.find((round) => round.id === roundId)?.title ?? roundId;
      return h(
        'li',
        { 'data-workshop-id': workshopId },
        h('span', { lang: 'nl' }, `‘${title}’ (${roundTitle})`),
        positions[workshopId] ? `: ${texts.waitingPosition(positions[workshopId])}` : '',
      );
    }),
  );
  byId('confirmation-waiting-list').replaceChildren(...items);
  byId('confirmation-waiting').hidden = items.length === 0;
}

export function renderWaitingConfirmation(): void {
  const { waitingPlace, event } = page;
  if (!waitingPlace || !event) return;
  const texts = t();
  const { registration, accepts } = waitingPlace;
  byId('waiting-thanks').textContent = texts.waitingThanks(registration.name, event.title);
  byId('waiting-email').textContent = texts.waitingEmail(registration.email);
  const positions = registration.waitingPositions ?? {};
  byId('waiting-choices').replaceChildren(
    ...event.rounds.flatMap((round) => {
      const ids = registration.waitingFor?.[round.id] ?? accepts[round.id] ?? [];
      return [
        h('dt', { lang: 'nl' }, round.title),
        h(
          'dd',
          {},
          h(
            'ol',
            { class: 'accepted' },
            ...ids.map((workshopId) =>
              h(
                'li',
                { 'data-workshop-id': workshopId },
                ...waitingLine(workshopOf(workshopId)?.workshop.title ?? workshopId, positions[workshopId]),
              ),
            ),
          ),
        ),
      ];
    }),
  );
}

export function showWaitingConfirmation(registration: Registration, accepts: Record<string, string[]>): void {
  page.waitingPlace = { registration, accepts };
  form.hidden = true;
  waitingConfirmation.hidden = false;
  render();
  byId('waiting-heading').focus();
}

/** `requested`: the workshops sent as choices, to tell where the API took an alternative. */
export function showConfirmation(registration: Registration, requested: Choices): void {
  page.registered = registration;
  page.requested = requested;
  form.hidden = true;
  confirmation.hidden = false;
  render();
  byId('confirmation-heading').focus();
}
