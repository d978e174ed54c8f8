import { h, paragraphs, summarise } from './dom.js';
import type { PublicWorkshop } from './types.js';

/** The elements of one workshop in the picker, kept so that `render` and `update` change them in place. */
export type WorkshopView = {
  roundId: string;
  workshop: PublicWorkshop;
  forcedFull: boolean;
  item: HTMLElement;
  input: HTMLInputElement;
  seats: HTMLElement;
  waitingCount: HTMLElement;
  rank?: HTMLElement;
  wait?: { box: HTMLElement; input: HTMLInputElement; label: HTMLElement; about: HTMLElement };
  speakersLabel?: HTMLElement;
  readMore?: HTMLElement;
  readMoreAbout?: HTMLElement;
};

/** Event content (titles, descriptions, speakers) is written in Dutch, whatever language the page is in. */
const CONTENT_LANG = 'nl';

export type WorkshopViewOptions = {
  /** The element id for a suffix (the picker's id prefix in front). */
  id: (suffix: string) => string;
  /** Offer "Zet mij op de wachtlijst" and the rank of a waiting-mode tick. */
  waitingList: boolean;
  /** The workshop's own input changed. */
  onChoose: () => void;
  /** The workshop's waiting-list box changed. */
  onWaitTicked: () => void;
};

/**
 * The elements of one workshop: its input, title, seats line, waiting-list option, speakers, notice and
 * description. Texts that depend on the language or the seats are left empty: the picker's `render` fills them.
 */
export function buildWorkshopView(
  roundId: string,
  workshop: PublicWorkshop,
  options: WorkshopViewOptions,
): WorkshopView {
  const inputId = options.id(`ws-${workshop.id}`);
  const seatsId = `${inputId}-seats`;
  const waitingId = `${inputId}-waiting`;
  const rankId = `${inputId}-rank`;
  const speakersId = `${inputId}-speakers`;
  const { waitingList } = options;
  const input = h('input', {
    type: 'radio',
    id: inputId,
    name: options.id(`round-${roundId}`),
    value: workshop.id,
    'aria-describedby': [
      seatsId,
      waitingId,
      waitingList ? rankId : undefined,
      workshop.speakers.length > 0 ? speakersId : undefined,
    ]
      .filter(Boolean)
      .join(' '),
  });
  input.addEventListener('change', options.onChoose);
  const seats = h('span', { class: 'seats', id: seatsId });
  const waitingCount = h('span', { class: 'waiting-count', id: waitingId });
  const seatsLine = h('p', { class: 'workshop-seats' }, seats, waitingCount);
  const body = h(
    'div',
    { class: 'workshop-body' },
    h('label', { for: inputId, class: 'workshop-title', lang: CONTENT_LANG }, workshop.title),
    seatsLine,
  );
  const view: WorkshopView = {
    roundId,
    workshop,
    forcedFull: false,
    item: body,
    input,
    seats,
    waitingCount,
  };
  if (waitingList) {
    view.rank = h('span', { class: 'accept-rank', id: rankId });
    seatsLine.append(view.rank);
    const waitId = options.id(`wait-${workshop.id}`);
    const waitInput = h('input', {
      type: 'checkbox',
      id: waitId,
      name: options.id(`wait-round-${roundId}`),
      value: workshop.id,
      'aria-describedby': waitingId,
    });
    const label = h('span');
    const about = h('span', { class: 'visually-hidden' });
    waitInput.addEventListener('change', options.onWaitTicked);
    const box = h(
      'div',
      { class: 'wait-option', hidden: '' },
      waitInput,
      h('label', { for: waitId, class: 'wait-label' }, label, about),
    );
    view.wait = { box, input: waitInput, label, about };
    body.append(box);
  }
  if (workshop.speakers.length > 0) {
    view.speakersLabel = h('span', { class: 'speakers-label' });
    body.append(
      h(
        'p',
        { class: 'speakers', id: speakersId },
        view.speakersLabel,
        ' ',
        h('span', { lang: CONTENT_LANG }, workshop.speakers.join('; ')),
      ),
    );
  }
  if (workshop.notice) body.append(h('p', { class: 'workshop-notice', lang: CONTENT_LANG }, workshop.notice));
  if (workshop.description.trim()) {
    const { summary, complete } = summarise(workshop.description);
    body.append(h('p', { class: 'workshop-summary', lang: CONTENT_LANG }, summary));
    if (!complete) {
      view.readMore = h('span');
      view.readMoreAbout = h('span', { class: 'visually-hidden' });
      body.append(
        h(
          'details',
          { class: 'workshop-details' },
          h('summary', {}, view.readMore, view.readMoreAbout),
          h(
            'div',
            { class: 'workshop-description', lang: CONTENT_LANG },
            ...paragraphs(workshop.description),
          ),
        ),
      );
    }
  }
  view.item = h('div', { class: 'workshop', 'data-workshop-id': workshop.id }, input, body);
  return view;
}
