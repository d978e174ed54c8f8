import { h } from './dom.js';
import { lang, t } from './i18n.js';
import type { PublicRound, PublicWorkshop } from './types.js';

/**
 * The reserve choice of one round (`alternatives` in a registration, issue 21): other workshops of the round in
 * the person's order of preference, which the API takes, in that order, when the chosen workshop is full as the
 * request arrives. Numbered selects ("uw 2e keus", "uw 3e keus", …): one more appears once the last shown one is
 * filled, and each offers the round's workshops with seats that are neither the choice nor picked in another
 * select. A workshop that becomes full or becomes the choice leaves its place, and the rest move up.
 */

/** The API takes at most 20 alternatives per round. */
const MAX_ALTERNATIVES = 20;

export type AlternativesState = {
  /** Register mode with a workshop chosen in the round: only then is there something to fall back from. */
  shown: boolean;
  disabled: boolean;
  /** The round's workshops with a free seat, the chosen one left out, in the programme's order. */
  candidates: readonly PublicWorkshop[];
};

type Slot = { row: HTMLElement; label: HTMLLabelElement; select: HTMLSelectElement; optionsKey: string };

export class RoundAlternatives {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly slots: Slot[] = [];
  /** Per slot the workshop picked there ('' for none): the order of preference, gaps left out when sent. */
  private values: string[];
  private state: AlternativesState = { shown: false, disabled: false, candidates: [] };

  constructor(round: PublicRound, id: (suffix: string) => string) {
    const base = id(`alt-${round.id}`);
    this.title = h('p', { class: 'alternatives-title', id: `${base}-title` });
    this.hint = h('p', { class: 'hint', id: `${base}-hint` });
    // A group rather than a nested fieldset: the round's legend stays the one legend of its fieldset.
    this.element = h(
      'div',
      {
        class: 'alternatives',
        role: 'group',
        'aria-labelledby': `${base}-title`,
        'aria-describedby': `${base}-hint`,
        hidden: '',
      },
      this.title,
      this.hint,
    );
    const slots = Math.min(round.workshops.length - 1, MAX_ALTERNATIVES);
    for (let index = 0; index < slots; index++) {
      const selectId = `${base}-${index + 2}`;
      const select = h('select', { id: selectId, name: selectId });
      const label = h('label', { for: selectId, class: 'alternative-label' });
      select.addEventListener('change', () => {
        this.values[index] = select.value;
        this.render(this.state);
      });
      const row = h('div', { class: 'alternative', hidden: '' }, label, select);
      this.element.append(row);
      this.slots.push({ row, label, select, optionsKey: '' });
    }
    this.values = this.slots.map(() => '');
  }

  /** The workshops picked, in order of preference. */
  ids(): string[] {
    return this.values.filter(Boolean);
  }

  /** Puts these workshops in the selects, in this order, from the next render (which leaves out any full one). */
  set(ids: readonly string[]): void {
    this.values = this.slots.map((_, index) => ids[index] ?? '');
  }

  /** Draws the texts in the current language and the selects for the round's current seats and choice. */
  render(state: AlternativesState): void {
    this.state = state;
    const texts = t();
    const available = new Set(state.candidates.map((workshop) => workshop.id));
    const kept = this.values.map((id) => (available.has(id) ? id : ''));
    const lastFilled = kept.reduce((last, id, index) => (id ? index : last), -1);
    // Something left (full now, or the choice), or a picked one beyond the slots still shown: move the rest up.
    const moveUp = kept.some((id, index) => id !== this.values[index]) || lastFilled >= available.size;
    this.values = moveUp ? this.slots.map((_, index) => kept.filter(Boolean)[index] ?? '') : kept;
    const filled = this.values.reduce((last, id, index) => (id ? index + 1 : last), 0);
    const shownSlots = Math.min(available.size, filled + 1);

    this.element.hidden = !state.shown || available.size === 0;
    this.title.textContent = texts.alternativesTitle;
    this.hint.textContent = texts.alternativesHint;
    this.slots.forEach((slot, index) => {
      const value = this.values[index] ?? '';
      slot.row.hidden = index >= shownSlots;
      slot.label.textContent = texts.acceptRank(index + 2);
      slot.select.disabled = state.disabled;
      const options = state.candidates.filter(
        (workshop) => workshop.id === value || !this.values.includes(workshop.id),
      );
      // Rebuilt only when the list changes, so a refresh of the seats leaves an open select alone.
      const optionsKey = [lang(), ...options.map((workshop) => workshop.id)].join('\n');
      if (optionsKey !== slot.optionsKey) {
        slot.select.replaceChildren(
          h('option', { value: '' }, texts.alternativeNone),
          ...options.map((workshop) => h('option', { value: workshop.id, lang: 'nl' }, workshop.title)),
        );
        slot.optionsKey = optionsKey;
      }
      slot.select.value = value;
    });
  }
}
