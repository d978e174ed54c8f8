/** Small DOM helpers: every text goes in through `textContent`, never as HTML. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`element #${id} is missing from the page`);
  return element as T;
}

type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** Paragraphs of a plain text with blank lines between them. */
export function paragraphs(text: string, className?: string): HTMLParagraphElement[] {
  return text
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => h('p', { class: className }, part));
}

/** The first paragraph, cut at a word boundary near `max` characters; `complete` when nothing was left out. */
export function summarise(text: string, max = 220): { summary: string; complete: boolean } {
  const trimmed = text.trim();
  const first = trimmed.split(/\n\s*\n/)[0]?.trim() ?? '';
  if (first.length <= max) return { summary: first, complete: first === trimmed };
  const cut = first.slice(0, max);
  const lastSpace = cut.lastIndexOf(' ');
  return {
    summary: `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:–-]+$/, '')}…`,
    complete: false,
  };
}

/** An Idempotency-Key: a UUID v4 from the crypto RNG (randomUUID needs a secure context, so a fallback). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
