import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsQR } from '../support/qr.js';
import {
  artifactsDir,
  giveToken,
  openManage,
  seriousA11yViolations,
  startWebEnv,
  unique,
  type WebEnv,
} from './support.js';

/** Check-in in Chromium: the code on the manage page, and the door page (`/checkin.html`). */

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => env?.close());

async function registered(eventId: string) {
  const response = await env.register(eventId, `${unique('incheck')}@example.nl`, {
    '1': 'open-data',
    '2': 'nepnieuws',
  });
  expect(response.status).toBe(201);
  const { registration } = (await response.json()) as { registration: { id: string } };
  return registration.id;
}

/** What the QR image on the page says, decoded with jsQR from the pixels the browser drew. */
async function decodeQrImage(page: Page, selector: string): Promise<string | undefined> {
  const pixels = await page.locator(selector).evaluate(async (image: HTMLImageElement) => {
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 240;
    canvas.height = 240;
    const context = canvas.getContext('2d');
    if (!context) return undefined;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, 240, 240);
    context.drawImage(image, 0, 0, 240, 240);
    return Array.from(context.getImageData(0, 0, 240, 240).data);
  });
  if (!pixels) return undefined;
  return jsQR(Uint8ClampedArray.from(pixels), 240, 240)?.data;
}

describe('the check-in code on the manage page', () => {
  it('shows the code of a confirmed registration as text and as a QR code that scans to it', async (ctx) => {
    const eventId = await env.createEvent();
    const id = await registered(eventId);
    const token = await giveToken(env, id);
    const view = await fetch(env.url(`/registrations/${id}`), {
      headers: { Authorization: `Bearer ${token}` },
    });
    const { checkIn } = (await view.json()) as { checkIn: { code: string } };
    const page = await openManage(env, ctx, `?id=${id}#token=${token}`, { bypassCSP: true });
    await page.locator('#check-in-section').waitFor();
    expect((await page.locator('#check-in-code').textContent())?.trim()).toBe(checkIn.code);
    expect(await decodeQrImage(page, '#check-in-qr')).toBe(checkIn.code);
    expect(await page.locator('#check-in-qr').getAttribute('alt')).toContain(checkIn.code);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifactsDir, 'manage-check-in.png'), fullPage: true });

    // Cancelled: nothing left to check in with.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#cancel-open');
    await page.click('#cancel-confirm');
    await page.locator('#check-in-section').waitFor({ state: 'hidden' });
  });
});
