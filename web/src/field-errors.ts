import { t } from './i18n.js';
import type { Msg } from './texts.js';

/**
 * Error messages next to fields. Each field (or round of radio buttons) registers a slot: the element that
 * shows its message, the controls that get `aria-invalid` and the ones whose `aria-describedby` points at
 * the message. Messages are kept as functions of the texts so a language switch renders them again.
 */

export type ErrorSlot = {
  /** Holds the message; hidden while there is none. It needs an id. */
  message: HTMLElement;
  /** Gets the `has-error` class (for the red bar). */
  container: HTMLElement;
  /** Get `aria-invalid="true"` while there is an error (text inputs, checkboxes). */
  invalid?: HTMLElement[];
  /** Get the message's id added to `aria-describedby` (inputs, a fieldset). */
  describe: HTMLElement[];
  /** Where focus goes when this is the first error. */
  focus: () => HTMLElement | null;
};

export class FieldErrors {
  private readonly slots = new Map<string, ErrorSlot>();
  private readonly baseDescribedBy = new Map<HTMLElement, string>();
  private readonly errors = new Map<string, Msg>();

  register(key: string, slot: ErrorSlot): void {
    this.slots.set(key, slot);
    for (const element of slot.describe) {
      if (!this.baseDescribedBy.has(element)) {
        this.baseDescribedBy.set(element, element.getAttribute('aria-describedby') ?? '');
      }
    }
    this.renderOne(key);
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  set(key: string, message: Msg): void {
    this.errors.set(key, message);
    this.renderOne(key);
  }

  clear(key: string): void {
    if (!this.errors.delete(key)) return;
    this.renderOne(key);
  }

  clearAll(): void {
    const keys = [...this.errors.keys()];
    this.errors.clear();
    for (const key of keys) this.renderOne(key);
  }

  get count(): number {
    return this.errors.size;
  }

  render(): void {
    for (const key of this.slots.keys()) this.renderOne(key);
  }

  /** Moves focus to the first field with an error, in page order. */
  focusFirst(): void {
    const first = [...this.errors.keys()]
      .map((key) => this.slots.get(key))
      .filter((slot): slot is ErrorSlot => slot !== undefined)
      .sort((a, b) =>
        a.container.compareDocumentPosition(b.container) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
      )[0];
    first?.focus()?.focus();
  }

  private renderOne(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    const message = this.errors.get(key);
    slot.message.replaceChildren();
    if (message) {
      const prefix = document.createElement('span');
      prefix.className = 'visually-hidden';
      prefix.textContent = t().errorPrefix;
      slot.message.append(prefix, message(t()));
    }
    slot.message.hidden = !message;
    slot.container.classList.toggle('has-error', Boolean(message));
    for (const element of slot.invalid ?? []) {
      if (message) element.setAttribute('aria-invalid', 'true');
      else element.removeAttribute('aria-invalid');
    }
    for (const element of slot.describe) {
      const ids = [message ? slot.message.id : '', this.baseDescribedBy.get(element) ?? ''].join(' ').trim();
      if (ids) element.setAttribute('aria-describedby', ids);
      else element.removeAttribute('aria-describedby');
    }
  }
}
