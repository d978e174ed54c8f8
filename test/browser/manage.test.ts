import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactsDir,
  fillPerson,
  focused,
  giveToken,
  loadForm,
  newPage,
  openManage,
  seatsLeft,
  seriousA11yViolations,
  startWebEnv,
  submitForm,
  text,
  unique,
  type WebEnv,
  waitForText,
} from './support.js';

/**
 * The manage page (the link in the confirmation email) in Chromium against the local stack. The manage
 * token only ever travels in the email, so a test gives its registration a token it knows by writing the
 * token's hash to the table, as the store does.
 */

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => env?.close());

type Choices = Record<string, string>;

async function registrationWithToken(eventId: string, choices: Choices, locale?: 'nl' | 'en') {
  const email = `${unique('beheer')}@example.nl`;
  const response = await fetch(env.url(`/events/${eventId}/registrations`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: 'Eva Bakker',
      email,
      organisation: 'Gemeente Brunssum',
      jobTitle: 'Griffier',
      choices,
      consent: true,
      ...(locale ? { locale } : {}),
    }),
  });
  expect(response.status).toBe(201);
  const { registration } = (await response.json()) as { registration: { id: string } };
  const token = await giveToken(env, registration.id);
  return { id: registration.id, token, email };
}

/** The manage link from the confirmation email the local SES emulator received for `email`. */
async function manageLinkFromEmail(email: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const store = (await (await fetch(`${env.stack.sesUrl}/store`)).json()) as {
      emails: { destination: { to: string[] }; body: { text?: string } }[];
    };
    const mail = store.emails.find((candidate) => candidate.destination.to.includes(email));
    const link = /https?:\/\/\S+\/manage\.html\?id=\S+#token=\S+/.exec(mail?.body.text ?? '')?.[0];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no confirmation email with a manage link for ${email}`);
}

async function apiRegistration(id: string, token: string) {
  const response = await fetch(env.url(`/registrations/${id}`), {
    headers: { Authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { registration: { status: string; choices: Choices } }).registration;
}

/** The subjects of the emails the local SES emulator received for `email`. */
async function emailSubjects(email: string): Promise<string[]> {
  await env.stack.emailsSettled();
  const store = (await (await fetch(`${env.stack.sesUrl}/store`)).json()) as {
    emails: { destination: { to: string[] }; subject?: string }[];
  };
  return store.emails
    .filter((candidate) => candidate.destination.to.includes(email))
    .map((candidate) => candidate.subject ?? '');
}

describe.concurrent('the manage page', () => {
  it('says the link is not valid when it has no token, without asking the API', async (ctx) => {
    const page = await openManage(env, ctx, '?id=abcdefghijklmnop');
    await waitForText(page, '#load-error-text', /niet geldig/);
    expect(await page.locator('#retry').isHidden()).toBe(true);
    expect(await page.locator('#registration').isHidden()).toBe(true);
  });

  it('the link in the confirmation email of a registration made with the form opens it', async (ctx) => {
    const eventId = await env.createEvent();
    const form = await newPage(env, ctx);
    await loadForm(env, form, eventId);
    const email = `${unique('mail')}@example.nl`;
    await form.check('#ws-crisis-oefenen');
    await form.check('#ws-weerbare-raad');
    await fillPerson(form, { name: 'Femke de Jong', email, organisation: 'Gemeente Eindhoven' });
    await submitForm(form);
    await form.locator('#confirmation').waitFor();

    const link = await manageLinkFromEmail(email);
    expect(new URL(link).origin).toBe(env.stack.apiUrl);
    const page = await newPage(env, ctx);
    await page.goto(link);
    await page.locator('#change-form').waitFor();
    expect(await text(page, '#reg-name')).toBe('Femke de Jong');
    expect(await page.locator('#reg-choices dd').allTextContents()).toEqual([
      'Crisis oefenen met de raad',
      'De weerbare gemeenteraad',
    ]);
  });

  it('takes the token from the fragment only: a valid token in ?token= opens nothing (issue 15.8)', async (ctx) => {
    const eventId = await env.createEvent();
    const { id, token } = await registrationWithToken(eventId, { '1': 'open-data', '2': 'nepnieuws' });
    const page = await openManage(env, ctx, `?id=${id}&token=${token}`);
    await waitForText(page, '#load-error-text', /niet geldig/);
    expect(await page.locator('#registration').isHidden()).toBe(true);
    expect(await page.locator('#change-form').isHidden()).toBe(true);
  });

  it('says the link is not valid for a wrong token', async (ctx) => {
    const eventId = await env.createEvent();
    const { id } = await registrationWithToken(eventId, { '1': 'open-data', '2': 'nepnieuws' });
    const page = await openManage(env, ctx, `?id=${id}#token=${'x'.repeat(32)}`);
    await waitForText(page, '#load-error-text', /niet geldig/);
    expect(await page.locator('#change-form').isHidden()).toBe(true);
  });

  it('shows the registration and changes a workshop', async (ctx) => {
    const eventId = await env.createEvent({ 'crisis-oefenen': 0 });
    const { id, token, email } = await registrationWithToken(eventId, { '1': 'open-data', '2': 'nepnieuws' });
    const page = await openManage(env, ctx, `?id=${id}#token=${token}`, { bypassCSP: true });
    await page.locator('#change-form').waitFor();

    expect(await text(page, '#reg-name')).toBe('Eva Bakker');
    expect(await text(page, '#reg-email')).toBe(email);
    expect(await text(page, '#reg-jobTitle')).toBe('Griffier');
    expect(await text(page, '#reg-status')).toMatch(/^Bevestigd/);
    expect(await text(page, '#event-title')).toBe('Testdag Weerbaar Bestuur');
    expect(await page.locator('#reg-choices dd').allTextContents()).toEqual([
      'Open data in de gemeente',
      'Nepnieuws herkennen',
    ]);
    expect(await page.isChecked('#change-ws-open-data')).toBe(true);
    expect(await page.isChecked('#change-ws-nepnieuws')).toBe(true);
    expect(await text(page, '#change-ws-open-data-seats')).toMatch(/^uw huidige keuze/);
    expect(await text(page, '#change-ws-crisis-oefenen-seats')).toBe('VOL');
    expect(await page.isDisabled('#change-ws-crisis-oefenen')).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifactsDir, 'manage.png'), fullPage: true });

    // Saving without a change says so and sends nothing.
    await page.click('#save');
    await waitForText(page, '#page-status', /niets gewijzigd/);

    const before = await seatsLeft(env, eventId);
    await page.check('#change-ws-weerbare-raad');
    await page.click('#save');
    await waitForText(page, '#page-status', /gewijzigd/);
    expect(await text(page, '#page-status')).toBe('Uw workshops zijn gewijzigd.');
    expect(await page.locator('#reg-choices dd').allTextContents()).toEqual([
      'Open data in de gemeente',
      'De weerbare gemeenteraad',
    ]);
    expect((await apiRegistration(id, token)).choices).toEqual({ '1': 'open-data', '2': 'weerbare-raad' });
    const after = await seatsLeft(env, eventId);
    expect(after.nepnieuws).toBe((before.nepnieuws ?? 0) + 1);
    expect(after['weerbare-raad']).toBe((before['weerbare-raad'] ?? 0) - 1);
  });

  it('a workshop that fills up before saving: full message in its round', async (ctx) => {
    const eventId = await env.createEvent({ 'veilige-wijk': 1 });
    const { id, token } = await registrationWithToken(eventId, { '1': 'open-data', '2': 'nepnieuws' });
    const page = await openManage(env, ctx, `?id=${id}#token=${token}`);
    await page.locator('#change-form').waitFor();
    await page.check('#change-ws-veilige-wijk');
    const other = await env.register(eventId, `${unique('sneller')}@example.nl`, {
      '1': 'veilige-wijk',
      '2': 'nepnieuws',
    });
    expect(other.status).toBe(201);
    await page.click('#save');
    await waitForText(page, '#change-round-1-error', /vol/);
    expect(await text(page, '#change-alert')).toContain('Vol is vol');
    expect(await page.isDisabled('#change-ws-veilige-wijk')).toBe(true);
    expect(await page.isChecked('#change-ws-veilige-wijk')).toBe(false);
    expect((await apiRegistration(id, token)).choices).toEqual({ '1': 'open-data', '2': 'nepnieuws' });
  });

  it('cancels only after confirming, and releases the seats', async (ctx) => {
    const eventId = await env.createEvent();
    const { id, token } = await registrationWithToken(
      eventId,
      { '1': 'crisis-oefenen', '2': 'weerbare-raad' },
      'en',
    );
    const page = await openManage(env, ctx, `?id=${id}#token=${token}`);
    await page.locator('#cancel-section').waitFor();
    // Made in English, so the page is in English.
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await text(page, '#page-heading')).toBe('Your registration');
    await page.click('button[data-lang="nl"]');

    await page.click('#cancel-open');
    await page.locator('#cancel-dialog').waitFor();
    await page.click('#cancel-keep');
    expect(await page.locator('#cancel-dialog').isHidden()).toBe(true);
    expect((await apiRegistration(id, token)).status).toBe('confirmed');

    const before = await seatsLeft(env, eventId);
    await page.click('#cancel-open');
    await page.click('#cancel-confirm');
    await waitForText(page, '#page-status', /geannuleerd/);
    expect(await text(page, '#reg-status')).toMatch(/^Geannuleerd/);
    expect(await page.locator('#change-form').isHidden()).toBe(true);
    expect(await page.locator('#cancel-section').isHidden()).toBe(true);
    expect((await apiRegistration(id, token)).status).toBe('cancelled');
    const after = await seatsLeft(env, eventId);
    expect(after['crisis-oefenen']).toBe((before['crisis-oefenen'] ?? 0) + 1);
    expect(after['weerbare-raad']).toBe((before['weerbare-raad'] ?? 0) + 1);

    // Opening the link again shows the cancelled registration (in its language), with nothing left to change.
    const again = await openManage(env, ctx, `?id=${id}#token=${token}`);
    await waitForText(again, '#page-status', /registration has been cancelled/);
    expect(await text(again, '#reg-status')).toMatch(/^Cancelled/);
    expect(await again.locator('#change-form').isHidden()).toBe(true);
  });

  it('downloads everything stored as a JSON file', async (ctx) => {
    const eventId = await env.createEvent();
    const { id, token, email } = await registrationWithToken(eventId, { '1': 'open-data', '2': 'nepnieuws' });
    // Without bypassing the CSP: the blob download must work under the page's own policy.
    const page = await openManage(env, ctx, `?id=${id}#token=${token}`);
    await page.locator('#data-section').waitFor();
    expect(await text(page, '#data-heading')).toBe('Uw gegevens');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#data-download')]);
    expect(download.suggestedFilename()).toBe(`registration-${id}.json`);
    const file = JSON.parse(await readFile(await download.path(), 'utf8'));
    expect(file.registration).toMatchObject({ id, email, name: 'Eva Bakker', status: 'confirmed' });
    await waitForText(page, '#data-status', /gedownload/);
    expect((await focused(page)).id).toBe('data-download');
  });

  it('erases the personal data only after confirming', async (ctx) => {
    const eventId = await env.createEvent();
    const { id, token, email } = await registrationWithToken(eventId, {
      '1': 'crisis-oefenen',
      '2': 'nepnieuws',
    });
    const page = await openManage(env, ctx, `?id=${id}#token=${token}`, { bypassCSP: true });
    await page.locator('#data-section').waitFor();

    // Going back changes nothing.
    await page.click('#erase-open');
    await page.locator('#erase-dialog').waitFor();
    expect(await text(page, '#erase-dialog-text')).toMatch(/geannuleerd.*niet ongedaan/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.click('#erase-keep');
    expect(await page.locator('#erase-dialog').isHidden()).toBe(true);
    expect((await focused(page)).id).toBe('erase-open');
    const kept = await apiRegistration(id, token);
    expect(kept.status).toBe('confirmed');

    const before = await seatsLeft(env, eventId);
    await page.click('#erase-open');
    await page.click('#erase-confirm');
    await waitForText(page, '#page-status', /Uw gegevens zijn verwijderd/);
    expect((await focused(page)).id).toBe('page-status');
    for (const selector of ['#registration', '#change-form', '#cancel-section', '#data-section']) {
      expect(await page.locator(selector).isHidden()).toBe(true);
    }
    expect(await seriousA11yViolations(page)).toEqual([]);

    const response = await fetch(env.url(`/registrations/${id}`), {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    const after = await seatsLeft(env, eventId);
    expect(after['crisis-oefenen']).toBe((before['crisis-oefenen'] ?? 0) + 1);
    expect(
      (await emailSubjects(email)).some((subject) => subject.startsWith('Uw gegevens zijn verwijderd')),
    ).toBe(true);
  });
});
