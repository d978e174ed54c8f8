import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { repoRoot } from '../../local/stack.js';
import {
  newPage,
  seriousA11yViolations,
  signInToDashboard,
  startWebEnv,
  unique,
  type WebEnv,
} from './support.js';

/**
 * The organisers' dashboard (/admin/) in Chromium against the local stack: sign-in with the local admin token,
 * the overview against the API's summary, search, cancelling on someone's behalf, the Excel download, the
 * editor's refusals, and axe on every view. The screenshots of the README's organisers' section are taken
 * here: into docs/screenshots/ with `UPDATE_SCREENSHOTS=1`, otherwise into a temporary folder (so a test run
 * leaves the working tree as it was).
 */

let env: WebEnv;
let eventId: string;
const screenshots =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(repoRoot, 'docs', 'screenshots')
    : path.join(os.tmpdir(), 'vol-is-vol-screenshots');

const people = [
  { name: 'Zoë Çelik', organisation: 'Gemeente Oss', choices: { '1': 'veilige-wijk', '2': 'weerbare-raad' } },
  {
    name: 'Anna de Vries',
    organisation: 'Provincie Utrecht',
    choices: { '1': 'veilige-wijk', '2': 'nepnieuws' },
  },
  { name: 'Bram Bakker', organisation: 'Gemeente Ede', choices: { '1': 'open-data', '2': 'weerbare-raad' } },
  {
    name: 'Sanne Jansen',
    organisation: 'Waterschap Rivierenland',
    choices: { '1': 'veilige-wijk', '2': 'nepnieuws' },
  },
];

async function registerPerson(person: (typeof people)[number]): Promise<string> {
  const response = await fetch(env.url(`/events/${eventId}/registrations`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: person.name,
      email: `${unique('org')}@example.nl`,
      organisation: person.organisation,
      choices: person.choices,
      consent: true,
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { registration: { id: string } }).registration.id;
}

async function adminApi(urlPath: string) {
  const response = await fetch(env.url(urlPath), {
    headers: { Authorization: `Bearer ${env.stack.adminToken}` },
  });
  // biome-ignore lint/suspicious/noExplicitAny: the admin API's JSON, read field by field
  return response.json() as Promise<Record<string, any>>;
}

beforeAll(async () => {
  env = await startWebEnv();
  // Full workshop "veilige-wijk" (2 seats): someone waits for it.
  eventId = await env.createEvent({ 'veilige-wijk': 2 });
  // Through the API so that the event is in the registry of events, as the editor and list need.
  const definition = await adminApi(`/admin/events/${eventId}`);
  await fetch(env.url(`/admin/events/${eventId}`), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${env.stack.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(definition),
  });
  for (const person of people.slice(0, 3)) await registerPerson(person);
  await fetch(env.url(`/events/${eventId}/waiting-list`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: people[3]?.name,
      email: `${unique('wacht')}@example.nl`,
      organisation: people[3]?.organisation,
      accepts: { '1': ['veilige-wijk'], '2': ['nepnieuws'] },
      consent: true,
    }),
  });
  await mkdir(screenshots, { recursive: true });
});
afterAll(async () => env?.close());

/** Signs in with the local token as an organiser would: typed into the page's form. */
async function signIn(
  ctx: TestContext,
  options: { viewport?: { width: number; height: number }; bypassCSP?: boolean } = {},
): Promise<Page> {
  const page = await signInToDashboard(env, ctx, options);
  await page.getByRole('heading', { name: 'Evenementen' }).waitFor();
  return page;
}

async function openEvent(page: Page, view?: string): Promise<void> {
  await page.locator(`[data-event="${eventId}"]`).click();
  await page.getByRole('heading', { name: 'Overzicht' }).waitFor();
  await page.locator('#overview-body [data-workshop]').first().waitFor();
  if (view) {
    await page.locator(`button[data-view="${view}"]`).click();
    await page.locator('#view-heading').waitFor();
  }
}

describe('the organisers’ dashboard', () => {
  it('signs in with the local token, kept for the tab only and never in the address', async (ctx) => {
    const page = await signIn(ctx);
    expect(page.url()).toBe(env.url('/admin/'));
    const storage = await page.evaluate(() => ({
      session: sessionStorage.getItem('vol-admin-token'),
      local: localStorage.length,
    }));
    expect(storage).toEqual({ session: env.stack.adminToken, local: 0 });
    await expect(page.locator(`[data-event="${eventId}"]`).textContent()).resolves.toBe(
      'Testdag Weerbaar Bestuur',
    );
    await expect(page.locator('[data-event="dag-van-weerbaar-bestuur-2019"]').count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(screenshots, 'admin-events.png') });

    // A wrong token: back to the sign-in, told so, and nothing kept.
    const wrong = await newPage(env, ctx);
    await wrong.goto(env.url('/admin/'));
    await wrong.evaluate(() => sessionStorage.clear());
    await wrong.reload();
    await wrong.getByLabel('Beheertoken').fill('niet-de-token');
    await wrong.getByRole('button', { name: 'Aanmelden' }).click();
    await wrong.getByText('Deze token wordt niet geaccepteerd').waitFor();
    expect(await wrong.evaluate(() => sessionStorage.getItem('vol-admin-token'))).toBeNull();
  });

  it('sends door staff, signed in with the door token, to the check-in page with a note', async (ctx) => {
    const page = await newPage(env, ctx, { bypassCSP: true });
    await page.goto(env.url('/admin/'));
    await page.getByLabel('Beheertoken').fill(env.stack.doorToken);
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await page.waitForURL(/\/checkin\.html/);
    // Still signed in there: the desk opens for the event, no access code asked again.
    await page.locator('#door-desk').waitFor();
    expect(page.url()).toBe(env.url('/checkin.html?event=dag-van-weerbaar-bestuur-2019'));
    await page.getByText('U bent aangemeld als deurmedewerker').waitFor();
    expect(await page.locator('#door-note').textContent()).toContain('Signed in as door staff');
    const violations = await seriousA11yViolations(page);
    expect(violations, JSON.stringify(violations)).toEqual([]);
  });

  it('shows in the overview the numbers of the API’s summary', async (ctx) => {
    const page = await signIn(ctx);
    await openEvent(page);
    const summary = await adminApi(`/admin/events/${eventId}/summary`);
    for (const workshop of summary.workshops) {
      const cell = page.locator(`[data-workshop="${workshop.workshopId}"]`);
      await expect(cell.getAttribute('data-taken')).resolves.toBe(String(workshop.taken));
      await expect(cell.getAttribute('data-capacity')).resolves.toBe(String(workshop.capacity));
      await expect(page.locator(`[data-seats-left="${workshop.workshopId}"]`).textContent()).resolves.toBe(
        String(workshop.seatsLeft),
      );
      await expect(page.locator(`[data-waiting="${workshop.workshopId}"]`).textContent()).resolves.toBe(
        String(workshop.waiting),
      );
    }
    for (const [key, value] of Object.entries(summary.totals)) {
      await expect(page.locator(`[data-total="${key}"]`).textContent()).resolves.toBe(String(value));
    }
    expect(
      summary.workshops.find((w: { workshopId: string }) => w.workshopId === 'veilige-wijk'),
    ).toMatchObject({ taken: 2, seatsLeft: 0, waiting: 1 });
    await expect(page.getByRole('img', { name: /Aanmeldingen per dag/ }).count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(screenshots, 'admin-overview.png'), fullPage: true });
  });

  it('finds a registrant by search (accents ignored) and cancels on their behalf, which frees the seat', async (ctx) => {
    const page = await signIn(ctx);
    await openEvent(page, 'registrations');
    await page.getByLabel('Zoeken (naam, e-mail, organisatie)').fill('zoe celik');
    await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
    await page.getByText('1 aanmelding getoond').waitFor();
    await page.getByRole('button', { name: 'Details: Zoë Çelik' }).click();
    await page.getByRole('heading', { name: /Details van de aanmelding: Zoë Çelik/ }).waitFor();
    await page.screenshot({ path: path.join(screenshots, 'admin-registration.png'), fullPage: true });

    // Bram holds a seat nobody waits for: cancelling frees it for the next registrant.
    await page.getByLabel('Zoeken (naam, e-mail, organisatie)').fill('bakker');
    await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
    await page.getByRole('button', { name: 'Details: Bram Bakker' }).click();
    await page.getByRole('heading', { name: /Details van de aanmelding: Bram Bakker/ }).waitFor();
    const before = await adminApi(`/admin/events/${eventId}/summary`);
    const seatsBefore = before.workshops.find(
      (w: { workshopId: string }) => w.workshopId === 'open-data',
    ).seatsLeft;

    await page.getByRole('button', { name: 'Annuleren namens deelnemer' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Deze aanmelding annuleren?').waitFor();
    await dialog.getByRole('button', { name: 'Ja, doorgaan' }).click();
    await page.getByText('De aanmelding is geannuleerd').waitFor();
    // The details show this registration's audit entries, asked of the API by its id: the cancellation, and not
    // the event's own entries (the event was saved, audited without a registration).
    const eventLog = await adminApi(`/admin/events/${eventId}/audit`);
    expect(eventLog.items.some((entry: { registrationId?: string }) => !entry.registrationId)).toBe(true);
    const detailsLog = page.locator('h4:has-text("Logboek van deze aanmelding") + div li');
    await detailsLog.filter({ hasText: 'aanmelding geannuleerd' }).waitFor();
    expect(await detailsLog.allTextContents()).toEqual([expect.stringMatching(/: aanmelding geannuleerd$/)]);

    const after = await adminApi(`/admin/events/${eventId}/summary`);
    expect(after.workshops.find((w: { workshopId: string }) => w.workshopId === 'open-data').seatsLeft).toBe(
      seatsBefore + 1,
    );
    expect(after.totals.cancelled).toBe(before.totals.cancelled + 1);
    // Nothing personal in the address or the title.
    expect(page.url()).toBe(env.url('/admin/'));
    expect(await page.title()).not.toMatch(/Bakker/);
  });

  it('downloads the Excel workbook, which the library reads back', async (ctx) => {
    const page = await signIn(ctx);
    await openEvent(page, 'downloads');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Alle aanmeldingen (Excel)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${eventId}-registrations.xlsx`);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'vol-admin-download-')), 'download.xlsx');
    await download.saveAs(file);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'Aanmeldingen',
      '1. Een veilige wijk, samen met',
      '1. Open data in de gemeente',
      '1. Crisis oefenen met de raad',
      '2. De weerbare gemeenteraad',
      '2. Nepnieuws herkennen',
    ]);
    const all = workbook.getWorksheet('Aanmeldingen');
    expect(all?.getCell(1, 1).value).toBe('Naam');
    const names = [2, 3, 4, 5].map((row) => all?.getCell(row, 1).value);
    expect(names).toEqual(expect.arrayContaining(['Anna de Vries', 'Zoë Çelik']));
    expect(all?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('shows the API’s refusal of a capacity below what is taken next to that field', async (ctx) => {
    const page = await signIn(ctx);
    await openEvent(page, 'editor');
    const capacity = page.getByLabel('Ronde 1: Een veilige wijk, samen met bewoners');
    await capacity.fill('1');
    await page.getByRole('button', { name: 'Opslaan' }).click();
    await page
      .locator('#capacity-veilige-wijk-error')
      .getByText('Lager dan het aantal bezette plaatsen')
      .waitFor();
    await expect(capacity.getAttribute('aria-invalid')).resolves.toBe('true');
    await page.screenshot({ path: path.join(screenshots, 'admin-editor.png'), fullPage: true });
    expect((await adminApi(`/admin/events/${eventId}`)).rounds[0].workshops[0].capacity).toBe(2);

    await capacity.fill('2');
    await page.getByLabel('Bewaartermijn (dagen na het evenement)').fill('60');
    await page.getByRole('button', { name: 'Opslaan' }).click();
    await page.getByText('Het evenement is opgeslagen.').waitFor();
    await expect(capacity.getAttribute('aria-invalid')).resolves.toBeNull();
    expect((await adminApi(`/admin/events/${eventId}`)).privacy.retentionDays).toBe(60);
  });

  it('has no serious or critical accessibility violations on any view, also at 320 px and in English', async (ctx) => {
    const views = ['overview', 'registrations', 'waiting', 'editor', 'messages', 'audit', 'downloads'];
    for (const viewport of [undefined, { width: 320, height: 800 }]) {
      const page = await signIn(ctx, { bypassCSP: true, viewport });
      expect(await seriousA11yViolations(page), 'events').toEqual([]);
      await openEvent(page);
      for (const view of views) {
        await page.locator(`button[data-view="${view}"]`).click();
        await page.locator('#view-heading').waitFor();
        await page.waitForLoadState('networkidle');
        expect(await seriousA11yViolations(page), `${view} at ${viewport?.width ?? 1280} px`).toEqual([]);
        if (viewport) {
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, `${view} scrolls sideways at 320 px`).toBeLessThanOrEqual(0);
        }
      }
      if (viewport)
        await page.screenshot({ path: path.join(screenshots, 'admin-320px.png'), fullPage: true });
    }
    const english = await signIn(ctx, { bypassCSP: true });
    await english.getByRole('button', { name: 'English' }).click();
    await english.getByRole('heading', { name: 'Events' }).waitFor();
    await openEventEnglish(english);
    expect(await seriousA11yViolations(english)).toEqual([]);
  });

  it('is usable with the keyboard alone: sign in, choose the event, open the waiting lists', async (ctx) => {
    const page = await newPage(env, ctx);
    await page.goto(env.url('/admin/'));
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByLabel('Beheertoken').focus();
    await page.keyboard.type(env.stack.adminToken);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Evenementen' }).waitFor();
    await page.locator(`[data-event="${eventId}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#overview-body [data-workshop]').first().waitFor();
    await page.locator('button[data-view="waiting"]').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Wachtlijsten' }).waitFor();
    await page
      .getByRole('button', { name: `Nu plaatsen: ${people[3]?.name}` })
      .first()
      .waitFor();
    await page.screenshot({ path: path.join(screenshots, 'admin-waiting.png'), fullPage: true });
  });
});

async function openEventEnglish(page: Page): Promise<void> {
  await page.locator(`[data-event="${eventId}"]`).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.locator('#overview-body [data-workshop]').first().waitFor();
}
