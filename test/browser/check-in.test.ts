import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { encode } from 'uqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailsTo } from '../support/mail.js';
import { jsQR } from '../support/qr.js';
import { CHROMIUM_PATH } from './chromium.js';
import {
  artifactsDir,
  CHROMIUM_ARGS,
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

/** Registers someone with this name through the API; their check-in code is the one in the confirmation email. */
async function attendee(eventId: string, name: string, choices = { '1': 'open-data', '2': 'nepnieuws' }) {
  const email = `${unique('deur')}@example.nl`;
  const response = await fetch(env.url(`/events/${eventId}/registrations`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, email, organisation: 'Gemeente Deurne', choices, consent: true }),
  });
  expect(response.status).toBe(201);
  const { registration } = (await response.json()) as { registration: { id: string } };
  const [mail] = await emailsTo(env.stack, email);
  const code = /Inchecken op de dag: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(mail?.body.text ?? '')?.[1];
  if (!code) throw new Error('no check-in code in the confirmation email');
  return { id: registration.id, name, code };
}

/** Opens the door page in `context` and signs in with the local door token. */
async function signedInDoor(context: BrowserContext, eventId: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(env.url(`/checkin.html?event=${eventId}`));
  await page.fill('#door-token', env.stack.doorToken);
  await page.click('#signin');
  await page.locator('#door-desk').waitFor();
  return page;
}

async function typeCode(page: Page, code: string) {
  await page.fill('#door-code', code);
  await page.click('#code-form button[type=submit]');
}

async function resultShows(page: Page, tone: 'ok' | 'warn' | 'bad', title: RegExp) {
  await page.locator(`#door-result[data-tone="${tone}"]`).filter({ hasText: title }).waitFor();
}

async function summaryOf(eventId: string) {
  const response = await fetch(env.url(`/admin/events/${eventId}/summary`), {
    headers: { Authorization: `Bearer ${env.stack.adminToken}` },
  });
  return (await response.json()) as {
    totals: { present: number };
    workshops: { id: string; present: number }[];
  };
}

/** A .y4m video (what Chromium's fake camera plays) of a QR code of `text`, black on white, a few frames. */
async function qrVideo(text: string): Promise<string> {
  const { data } = encode(text, { ecc: 'M', border: 4 });
  const [width, height] = [640, 480];
  const pixel = Math.floor(420 / data.length);
  const left = Math.floor((width - data.length * pixel) / 2);
  const top = Math.floor((height - data.length * pixel) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (const [y, row] of data.entries()) {
    for (const [x, dark] of row.entries()) {
      if (!dark) continue;
      for (let dy = 0; dy < pixel; dy++) {
        const line = (top + y * pixel + dy) * width + left;
        luma.fill(16, line + x * pixel, line + (x + 1) * pixel);
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const file = path.join(os.tmpdir(), `${unique('qr')}.y4m`);
  await writeFile(
    file,
    Buffer.concat([
      Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`),
      ...Array(5).fill(frame),
    ]),
  );
  return file;
}

describe('the door page', () => {
  it('signs in with the door token only, then checks in by typed code: green, amber when again, red when unknown', async (ctx) => {
    const eventId = await env.createEvent();
    const anna = await attendee(eventId, 'Anna Deur');
    const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    ctx.onTestFinished(() => context.close());
    const page = await context.newPage();
    await page.goto(env.url(`/checkin.html?event=${eventId}`));
    await page.fill('#door-token', 'geen-geldige-toegangscode');
    await page.click('#signin');
    await page
      .locator('#signin-error')
      .filter({ hasText: /Toegangscode onjuist/ })
      .waitFor();
    await page.close();

    const door = await signedInDoor(context, eventId);
    expect(await door.locator('#door-event-title').textContent()).toBe('Testdag Weerbaar Bestuur');
    await typeCode(door, anna.code.toLowerCase().replaceAll('-', ' '));
    await resultShows(door, 'ok', /Welkom, Anna Deur/);
    const violations = await seriousA11yViolations(door);
    expect(violations, JSON.stringify(violations)).toEqual([]);
    await door.screenshot({ path: path.join(artifactsDir, 'checkin-green.png'), fullPage: true });

    await typeCode(door, anna.code);
    await resultShows(door, 'warn', /Al ingecheckt om \d{2}:\d{2}/);
    await typeCode(door, 'ZZZZ-ZZZZ-ZZZZ');
    await resultShows(door, 'bad', /Onbekende code/);
    expect(await seriousA11yViolations(door)).toEqual([]);

    // In a workshop room the person does not hold: amber, with the room they hold.
    await door.selectOption('#door-place', 'veilige-wijk');
    await typeCode(door, anna.code);
    await resultShows(door, 'warn', /Verkeerde zaal/);
    expect(await door.locator('#door-result-detail').textContent()).toContain('Open data in de gemeente');
    expect((await summaryOf(eventId)).totals.present).toBe(1);
  });

  it('finds someone without their code by name and checks them in with one tap', async (ctx) => {
    const eventId = await env.createEvent();
    const bram = await attendee(eventId, 'Bram Zoekmans');
    await attendee(eventId, 'Carla Anders');
    const context = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
    ctx.onTestFinished(() => context.close());
    const door = await signedInDoor(context, eventId);
    await door.fill('#door-search', 'zoekmans');
    await door.click('#search-form button[type=submit]');
    const person = door.locator(`[data-registration-id="${bram.id}"]`);
    await person.waitFor();
    expect(await door.locator('#search-results li').count()).toBe(1);
    expect(await door.locator('#search-results').textContent()).not.toContain('@');
    await person.click();
    await resultShows(door, 'ok', /Welkom, Bram Zoekmans/);
  });

  it('queues scans while offline, shows how many wait, and sends them once when back, counting once', async (ctx) => {
    const eventId = await env.createEvent();
    const dana = await attendee(eventId, 'Dana Offline');
    const emil = await attendee(eventId, 'Emil Offline');
    const context = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
    ctx.onTestFinished(() => context.close());
    const door = await signedInDoor(context, eventId);
    await door.selectOption('#door-place', 'open-data');

    await context.setOffline(true);
    await typeCode(door, dana.code);
    await resultShows(door, 'warn', /Opgeslagen, nog niet verstuurd/);
    await typeCode(door, dana.code);
    await typeCode(door, emil.code);
    await door.locator('#door-queue[data-waiting="2"]').waitFor();
    expect(await door.locator('#door-queue').textContent()).toMatch(/2 scans wachten/);
    // What waits on the device: codes, the place and times; no names.
    const stored = await door.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).toContain(dana.code);
    expect(stored).not.toContain('Dana');
    expect((await summaryOf(eventId)).totals.present).toBe(0);

    await context.setOffline(false);
    await door.evaluate(() => window.dispatchEvent(new Event('online')));
    await door.locator('#door-queue[data-waiting="0"]').waitFor({ state: 'attached' });
    const summary = await summaryOf(eventId);
    expect(summary.totals.present).toBe(2);
    expect(summary.workshops.find((workshop) => workshop.id === 'open-data')?.present).toBe(2);
    // Sent again (say the page is reopened with an old queue): still counted once.
    await typeCode(door, dana.code);
    await resultShows(door, 'warn', /Al ingecheckt/);
    expect((await summaryOf(eventId)).totals.present).toBe(2);
  });

  it('scans a QR code with the camera (a fake camera playing a video of the code)', async (ctx) => {
    const eventId = await env.createEvent();
    const frits = await attendee(eventId, 'Frits Camera');
    const video = await qrVideo(frits.code);
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    ctx.onTestFinished(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.grantPermissions(['camera'], { origin: env.stack.apiUrl });
    const door = await signedInDoor(context, eventId);
    await door.click('#camera-toggle');
    await resultShows(door, 'ok', /Welkom, Frits Camera/);
    await door.screenshot({ path: path.join(artifactsDir, 'checkin-camera.png'), fullPage: true });
    expect((await summaryOf(eventId)).totals.present).toBe(1);
  });
});
