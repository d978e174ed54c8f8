import { renderSVG } from 'uqr';
import { byId } from '../dom.js';
import type { Texts } from '../texts.js';
import { page } from './state.js';

/** The check-in code of a confirmed registration, as a QR code to show at the door and as text to read out. */

const section = byId('check-in-section');
const image = byId<HTMLImageElement>('check-in-qr');
const codeText = byId('check-in-code');
let drawn: string | undefined;

export function renderCheckIn(texts: Texts): void {
  const code = page.registration?.status === 'confirmed' && !page.erased ? page.checkInCode : undefined;
  section.hidden = code === undefined;
  if (!code) return;
  if (drawn !== code) {
    // An SVG image from a data URL: the page's CSP allows `img-src data:`, and no script runs inside it.
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(renderSVG(code, { border: 2, ecc: 'M' }))}`;
    drawn = code;
  }
  image.alt = texts.checkInQrAlt(code);
  codeText.textContent = code;
}
