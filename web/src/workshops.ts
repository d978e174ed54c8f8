import { h, paragraphs, summarise } from './dom.js';
import type { FieldErrors } from './field-errors.js';
import { t } from './i18n.js';
import type { Choices, PublicEvent, PublicRound, PublicWorkshop } from './types.js';

/**
 * The rounds of an event as fieldsets of radio buttons, with live seats. Built once per page; `update`
 * puts new seat counts in place (so focus, choices and typed text are never disturbed) and `render`
 * redraws the texts after a language switch.
 */

type WorkshopView = {
  roundId: string;
  workshop: PublicWorkshop;
  forcedFull: boolean;
  item: HTMLElement;
  input: HTMLInputElement;
  seats: HTMLElement;
  speakersLabel?: HTMLElement;
  readMore?: HTMLElement;
  readMoreAbout?: HTMLElement;
};

type RoundView = { round: PublicRound; fieldset: HTMLFieldSetElement; legend: HTMLElement };

export type LostChoice = { roundId: string; workshop: PublicWorkshop };

/** Event content (titles, descriptions, speakers) is written in Dutch, whatever language the page is in. */
const CONTENT_LANG = 'nl';

export class WorkshopPicker {
  private readonly rounds: RoundView[] = [];
  private readonly workshops = new Map<string, WorkshopView>();
  private disabled = false;
  /** The person's current seats (manage page): selectable even when the workshop is full. */
  private held: Choices;

  constructor(
    container: HTMLElement,
    event: PublicEvent,
    private readonly errors: FieldErrors,
    private readonly options: { idPrefix: string; held?: Choices } = { idPrefix: '' },
  ) {
    this.held = { ...options.held };
    for (const round of event.rounds) container.append(this.buildRound(round));
    this.render();
  }

  private id(suffix: string): string {
    return `${this.options.idPrefix}${suffix}`;
  }

  private buildRound(round: PublicRound): HTMLFieldSetElement {
    const legend = h('span', { class: 'round-title' });
    const errorId = this.id(`round-${round.id}-error`);
    const message = h('p', { class: 'field-error', id: errorId, hidden: '' });
    const list = h('div', { class: 'workshops' });
    const fieldset = h(
      'fieldset',
      { class: 'round', id: this.id(`round-${round.id}`) },
      h('legend', {}, legend),
      message,
      list,
    );
    for (const workshop of round.workshops) list.append(this.buildWorkshop(round.id, workshop));
    this.rounds.push({ round, fieldset, legend });
    this.errors.register(`choices.${round.id}`, {
      message,
      container: fieldset,
      describe: [fieldset],
      focus: () => this.focusTarget(round.id) ?? fieldset,
    });
    return fieldset;
  }

  private buildWorkshop(roundId: string, workshop: PublicWorkshop): HTMLElement {
    const inputId = this.id(`ws-${workshop.id}`);
    const seatsId = `${inputId}-seats`;
    const speakersId = `${inputId}-speakers`;
    const input = h('input', {
      type: 'radio',
      id: inputId,
      name: this.id(`round-${roundId}`),
      value: workshop.id,
      'aria-describedby': [seatsId, workshop.speakers.length > 0 ? speakersId : undefined]
        .filter(Boolean)
        .join(' '),
    });
    input.addEventListener('change', () => this.errors.clear(`choices.${roundId}`));
    const seats = h('span', { class: 'seats', id: seatsId });
    const body = h(
      'div',
      { class: 'workshop-body' },
      h('label', { for: inputId, class: 'workshop-title', lang: CONTENT_LANG }, workshop.title),
      h('p', { class: 'workshop-seats' }, seats),
    );
    const view: WorkshopView = { roundId, workshop, forcedFull: false, item: body, input, seats };
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
    if (workshop.notice)
      body.append(h('p', { class: 'workshop-notice', lang: CONTENT_LANG }, workshop.notice));
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
    this.workshops.set(workshop.id, view);
    return view.item;
  }

  private isHeld(view: WorkshopView): boolean {
    return this.held[view.roundId] === view.workshop.id;
  }

  private isFull(view: WorkshopView): boolean {
    return view.forcedFull || view.workshop.full || view.workshop.seatsLeft <= 0;
  }

  private focusTarget(roundId: string): HTMLElement | undefined {
    const inputs = [...this.workshops.values()]
      .filter((view) => view.roundId === roundId && !view.input.disabled)
      .map((view) => view.input);
    return inputs.find((input) => input.checked) ?? inputs[0];
  }

  /**
   * New seat counts. `forceFull` marks workshops the API just called full, whatever the counts say.
   * Returns the chosen workshops that are full now (they are unchecked: the person must choose again).
   */
  update(event: PublicEvent, forceFull: readonly string[] = []): LostChoice[] {
    const fresh = new Map(event.rounds.flatMap((round) => round.workshops.map((w) => [w.id, w] as const)));
    const lost: LostChoice[] = [];
    for (const view of this.workshops.values()) {
      view.workshop = fresh.get(view.workshop.id) ?? view.workshop;
      view.forcedFull = forceFull.includes(view.workshop.id);
      if (this.isFull(view) && !this.isHeld(view) && view.input.checked) {
        view.input.checked = false;
        lost.push({ roundId: view.roundId, workshop: view.workshop });
      }
    }
    this.render();
    return lost;
  }

  /** Draws every text in the current language and every seat state. */
  render(): void {
    const texts = t();
    for (const { round, legend } of this.rounds) legend.textContent = texts.roundLegend(round.title);
    for (const view of this.workshops.values()) {
      const full = this.isFull(view);
      const held = this.isHeld(view);
      view.input.disabled = this.disabled || (full && !held);
      view.item.classList.toggle('is-full', full && !held);
      view.seats.className = `seats${full && !held ? ' seats-full' : ''}${!full && view.workshop.seatsLeft <= 5 ? ' seats-low' : ''}`;
      const seatsText = full ? texts.full : texts.seatsLeft(view.workshop.seatsLeft);
      view.seats.textContent = held ? `${texts.heldChoice}${full ? '' : ` · ${seatsText}`}` : seatsText;
      if (view.speakersLabel) view.speakersLabel.textContent = texts.speakers(view.workshop.speakers.length);
      if (view.readMore) view.readMore.textContent = texts.readMore;
      if (view.readMoreAbout) view.readMoreAbout.textContent = texts.readMoreAbout(view.workshop.title);
    }
  }

  setHeld(choices: Choices): void {
    this.held = { ...choices };
    this.render();
  }

  setDisabled(disabled: boolean): void {
    this.disabled = disabled;
    this.render();
  }

  choices(): Choices {
    const choices: Choices = {};
    for (const view of this.workshops.values()) {
      if (view.input.checked) choices[view.roundId] = view.workshop.id;
    }
    return choices;
  }

  select(choices: Choices): void {
    for (const view of this.workshops.values())
      view.input.checked = choices[view.roundId] === view.workshop.id;
  }

  roundTitle(roundId: string): string {
    return this.rounds.find((view) => view.round.id === roundId)?.round.title ?? roundId;
  }

  roundIds(): string[] {
    return this.rounds.map((view) => view.round.id);
  }

  workshopTitle(workshopId: string): string {
    return this.workshops.get(workshopId)?.workshop.title ?? workshopId;
  }

  roundOf(workshopId: string): string | undefined {
    return this.workshops.get(workshopId)?.roundId;
  }
}
