import { RoundAlternatives } from './alternatives.js';
import { h } from './dom.js';
import type { FieldErrors } from './field-errors.js';
import { t } from './i18n.js';
import type { Choices, PublicEvent, PublicRound, PublicWorkshop } from './types.js';
import { buildWorkshopView, type WorkshopView } from './workshop-view.js';

/**
 * The rounds of an event as fieldsets of radio buttons, with live seats. Built once per page; `update`
 * puts new seat counts in place (so focus, choices and typed text are never disturbed) and `render`
 * redraws the texts after a language switch.
 *
 * With `waitingList` (the registration form) a full workshop also offers "Zet mij op de wachtlijst" (at most
 * one per round, next to a seat chosen elsewhere in that round), and the picker has a second mode,
 * `waiting`: signing up for a place on the waiting list, where every workshop is a checkbox "I would accept
 * this one" and the order of ticking is the order of preference.
 *
 * With `alternatives` (the registration form) each round also has a reserve choice in register mode
 * (alternatives.ts): other workshops of the round, in order of preference, for when the choice is full.
 */

export type PickerMode = 'register' | 'waiting';

type RoundView = {
  round: PublicRound;
  fieldset: HTMLFieldSetElement;
  legend: HTMLElement;
  alternatives?: RoundAlternatives;
};

/** A chosen workshop that is full now; `reserve`: one of the round's reserve choice (it leaves the reserve). */
export type LostChoice = { roundId: string; workshop: PublicWorkshop; reserve?: true };

export class WorkshopPicker {
  private readonly rounds: RoundView[] = [];
  private readonly workshops = new Map<string, WorkshopView>();
  private disabled = false;
  /** The person's current seats (manage page): selectable even when the workshop is full. */
  private held: Choices;
  private mode: PickerMode = 'register';
  /** Waiting mode: per round, the workshops ticked, in the order they were ticked. */
  private acceptOrder = new Map<string, string[]>();
  /** Waiting-list ticks taken away by `update` because the workshop has seats again. */
  private freed: PublicWorkshop[] = [];

  constructor(
    container: HTMLElement,
    event: PublicEvent,
    private readonly errors: FieldErrors,
    private readonly options: {
      idPrefix: string;
      held?: Choices;
      waitingList?: boolean;
      alternatives?: boolean;
    } = { idPrefix: '' },
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
    const alternatives = this.options.alternatives
      ? new RoundAlternatives(round, (suffix) => this.id(suffix))
      : undefined;
    if (alternatives) fieldset.append(alternatives.element);
    this.rounds.push({ round, fieldset, legend, alternatives });
    this.errors.register(`choices.${round.id}`, {
      message,
      container: fieldset,
      describe: [fieldset],
      focus: () => this.focusTarget(round.id) ?? fieldset,
    });
    return fieldset;
  }

  private buildWorkshop(roundId: string, workshop: PublicWorkshop): HTMLElement {
    const view: WorkshopView = buildWorkshopView(roundId, workshop, {
      id: (suffix) => this.id(suffix),
      waitingList: this.options.waitingList === true,
      onChoose: () => this.chosen(view),
      onWaitTicked: () => this.waitTicked(view),
    });
    this.workshops.set(workshop.id, view);
    return view.item;
  }

  /**
   * A workshop input changed: in register mode the reserve choice follows the choice; in waiting mode its tick
   * adds it to (or takes it from) the order of preference.
   */
  private chosen(view: WorkshopView): void {
    this.errors.clear(`choices.${view.roundId}`);
    if (this.mode !== 'waiting') {
      this.renderAlternatives();
      return;
    }
    const rest = (this.acceptOrder.get(view.roundId) ?? []).filter((id) => id !== view.workshop.id);
    this.acceptOrder.set(view.roundId, view.input.checked ? [...rest, view.workshop.id] : rest);
    this.render();
  }

  /** One waiting list per round: ticking one unticks the others of that round. */
  private waitTicked(view: WorkshopView): void {
    this.errors.clear(`choices.${view.roundId}`);
    if (!view.wait?.input.checked) return;
    for (const other of this.workshops.values()) {
      if (other !== view && other.roundId === view.roundId && other.wait) other.wait.input.checked = false;
    }
  }

  private isHeld(view: WorkshopView): boolean {
    return this.held[view.roundId] === view.workshop.id;
  }

  private isFull(view: WorkshopView): boolean {
    return view.forcedFull || view.workshop.full || view.workshop.seatsLeft <= 0;
  }

  /** Whether the inputs take a seat (register mode) rather than say "I would accept this one". */
  private takesSeat(): boolean {
    return this.mode === 'register';
  }

  private focusTarget(roundId: string): HTMLElement | undefined {
    const inputs = [...this.workshops.values()]
      .filter((view) => view.roundId === roundId && !view.input.disabled)
      .map((view) => view.input);
    return inputs.find((input) => input.checked) ?? inputs[0];
  }

  /**
   * New seat counts. `forceFull` marks workshops the API just called full, whatever the counts say.
   * Returns the chosen workshops that are full now (they are unchecked: the person must choose again), and the
   * reserve choices that are (they leave the reserve).
   */
  update(event: PublicEvent, forceFull: readonly string[] = []): LostChoice[] {
    const reserveBefore = this.alternatives();
    const fresh = new Map(event.rounds.flatMap((round) => round.workshops.map((w) => [w.id, w] as const)));
    const lost: LostChoice[] = [];
    for (const view of this.workshops.values()) {
      view.workshop = fresh.get(view.workshop.id) ?? view.workshop;
      view.forcedFull = forceFull.includes(view.workshop.id);
      const full = this.isFull(view);
      if (full && !this.isHeld(view) && view.input.checked && this.takesSeat()) {
        view.input.checked = false;
        lost.push({ roundId: view.roundId, workshop: view.workshop });
      }
      if (!full && view.wait?.input.checked) {
        view.wait.input.checked = false;
        this.freed.push(view.workshop);
      }
    }
    this.render();
    const reserveLost: LostChoice[] = Object.entries(reserveBefore).flatMap(([roundId, ids]) =>
      ids
        .map((id) => this.workshops.get(id))
        .filter((view): view is WorkshopView => view !== undefined && this.isFull(view))
        .map((view) => ({ roundId, workshop: view.workshop, reserve: true as const })),
    );
    // The reserve ones first: a lost choice matters more, so its message is the one left in the status region.
    return [...reserveLost, ...lost];
  }

  /** Draws every text in the current language and every seat state. */
  render(): void {
    const texts = t();
    const waiting = this.mode === 'waiting';
    for (const { round, legend } of this.rounds) {
      legend.textContent = waiting ? texts.roundLegendWaiting(round.title) : texts.roundLegend(round.title);
    }
    for (const view of this.workshops.values()) {
      const full = this.isFull(view);
      const held = this.isHeld(view);
      const locked = full && !held && !waiting;
      view.input.disabled = this.disabled || locked;
      view.item.classList.toggle('is-full', locked);
      view.item.classList.toggle('is-full-open', full && waiting);
      view.waitingCount.textContent = full && !held ? texts.waitingCount(view.workshop.waiting ?? 0) : '';
      if (view.rank) {
        const rank = waiting ? (this.acceptOrder.get(view.roundId) ?? []).indexOf(view.workshop.id) : -1;
        view.rank.textContent = rank >= 0 ? texts.acceptRank(rank + 1) : '';
      }
      if (view.wait) {
        view.wait.box.hidden = waiting || !full || held;
        view.wait.input.disabled = this.disabled;
        view.wait.label.textContent = texts.waitOption;
        view.wait.about.textContent = texts.waitOptionFor(view.workshop.title);
      }
      view.seats.className = `seats${full && !held ? ' seats-full' : ''}${!full && view.workshop.seatsLeft <= 5 ? ' seats-low' : ''}`;
      const seatsText = full ? texts.full : texts.seatsLeft(view.workshop.seatsLeft);
      view.seats.textContent = held ? `${texts.heldChoice}${full ? '' : ` · ${seatsText}`}` : seatsText;
      if (view.speakersLabel) view.speakersLabel.textContent = texts.speakers(view.workshop.speakers.length);
      if (view.readMore) view.readMore.textContent = texts.readMore;
      if (view.readMoreAbout) view.readMoreAbout.textContent = texts.readMoreAbout(view.workshop.title);
    }
    this.renderAlternatives();
  }

  /** The reserve choice of each round: the workshops with seats besides the choice (full ones drop out). */
  private renderAlternatives(): void {
    const choices = this.choices();
    for (const { round, alternatives } of this.rounds) {
      if (!alternatives) continue;
      const chosen = choices[round.id];
      alternatives.render({
        shown: this.takesSeat() && chosen !== undefined,
        disabled: this.disabled,
        candidates: [...this.workshops.values()]
          .filter((view) => view.roundId === round.id && view.workshop.id !== chosen && !this.isFull(view))
          .map((view) => view.workshop),
      });
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
    if (this.mode === 'waiting') return choices;
    for (const view of this.workshops.values()) {
      if (view.input.checked) choices[view.roundId] = view.workshop.id;
    }
    return choices;
  }

  getMode(): PickerMode {
    return this.mode;
  }

  /**
   * Switches between taking seats and signing up for a place on the waiting list, carrying over what the
   * person ticked: a workshop waited for and the seat chosen become the accepted ones (in that order), and
   * back again the first accepted workshop with a seat is chosen and the first full one waited for.
   */
  setMode(mode: PickerMode): void {
    if (mode === this.mode || !this.options.waitingList) return;
    if (mode === 'waiting') {
      const waitFor = this.waitFor();
      const choices = this.choices();
      const alternatives = this.alternatives();
      this.acceptOrder = new Map(
        this.roundIds().map((roundId) => {
          const ids = [waitFor[roundId], choices[roundId], ...(alternatives[roundId] ?? [])].filter(
            (id): id is string => Boolean(id),
          );
          return [roundId, [...new Set(ids)]];
        }),
      );
      for (const view of this.workshops.values()) {
        view.input.checked = false;
        view.input.type = 'checkbox';
        view.input.checked = this.acceptOrder.get(view.roundId)?.includes(view.workshop.id) ?? false;
        if (view.wait) view.wait.input.checked = false;
      }
    } else {
      const accepts = this.accepts();
      for (const view of this.workshops.values()) {
        view.input.checked = false;
        view.input.type = 'radio';
      }
      for (const [roundId, ids] of Object.entries(accepts)) {
        const views = ids
          .map((id) => this.workshops.get(id))
          .filter((view): view is WorkshopView => view !== undefined);
        const seat = views.find((view) => !this.isFull(view));
        if (!seat) continue;
        seat.input.checked = true;
        // The accepted ones after it are the reserve choice, in the same order.
        this.rounds
          .find((view) => view.round.id === roundId)
          ?.alternatives?.set(ids.slice(ids.indexOf(seat.workshop.id) + 1));
        // A full workshop ticked before the one with a seat is the one the person would rather attend.
        const wanted = views.find((view) => this.isFull(view));
        if (wanted?.wait && views.indexOf(wanted) < views.indexOf(seat)) wanted.wait.input.checked = true;
      }
      this.acceptOrder.clear();
    }
    this.mode = mode;
    this.render();
  }

  /** Register mode: the full workshop waited for per round (at most one per round). */
  waitFor(): Choices {
    const waitFor: Choices = {};
    if (this.mode === 'waiting') return waitFor;
    for (const view of this.workshops.values()) {
      if (view.wait?.input.checked && !view.wait.box.hidden) waitFor[view.roundId] = view.workshop.id;
    }
    return waitFor;
  }

  /** Register mode: per round with a choice, the reserve choice in order of preference (rounds with any). */
  alternatives(): Record<string, string[]> {
    const alternatives: Record<string, string[]> = {};
    if (!this.takesSeat()) return alternatives;
    const choices = this.choices();
    for (const { round, alternatives: reserve } of this.rounds) {
      const ids = choices[round.id] ? (reserve?.ids() ?? []) : [];
      if (ids.length > 0) alternatives[round.id] = ids;
    }
    return alternatives;
  }

  /** Waiting mode: per round, the workshops the person would accept, in the order they were ticked. */
  accepts(): Record<string, string[]> {
    const accepts: Record<string, string[]> = {};
    if (this.mode !== 'waiting') return accepts;
    for (const roundId of this.roundIds()) {
      const checked = [...this.workshops.values()]
        .filter((view) => view.roundId === roundId && view.input.checked)
        .map((view) => view.workshop.id);
      const ordered = (this.acceptOrder.get(roundId) ?? []).filter((id) => checked.includes(id));
      const ids = [...ordered, ...checked.filter((id) => !ordered.includes(id))];
      if (ids.length > 0) accepts[roundId] = ids;
    }
    return accepts;
  }

  /** Takes the waiting-list tick off a workshop (it turned out to have a seat). */
  clearWait(workshopId: string): void {
    const view = this.workshops.get(workshopId);
    if (view?.wait) view.wait.input.checked = false;
  }

  /** The workshops whose waiting-list tick `update` took away since the last call (they have seats again). */
  takeFreed(): PublicWorkshop[] {
    const freed = this.freed;
    this.freed = [];
    return freed;
  }

  /** Rounds in which every workshop is full (no seat to take, so registering is not possible). */
  roundsWithoutSeats(): string[] {
    return this.rounds
      .filter(({ round }) =>
        [...this.workshops.values()]
          .filter((view) => view.roundId === round.id)
          .every((view) => this.isFull(view) && !this.isHeld(view)),
      )
      .map(({ round }) => round.id);
  }

  /** Whether any workshop is full (only then is there a waiting list to offer). */
  hasFull(): boolean {
    return [...this.workshops.values()].some((view) => this.isFull(view));
  }

  isWorkshopFull(workshopId: string): boolean {
    const view = this.workshops.get(workshopId);
    return view ? this.isFull(view) : false;
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
