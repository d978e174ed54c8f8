import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactsDir,
  busyFor,
  fillPerson,
  focused,
  formOldEnough,
  formShownAt,
  newPage,
  openForm,
  type Person,
  recordPosts,
  SEED_EVENT,
  seatsLeft,
  seriousA11yViolations,
  startWebEnv,
  submitForm,
  tabTo,
  text,
  UUID,
  unique,
  type WebEnv,
  waitForText,
} from './support.js';

/**
 * The registration form in a real browser (the system's Chromium), against the whole local stack: the
 * form is built, served by the local API Gateway and talks to the real handlers and the embedded DynamoDB.
 */

let env: WebEnv;

beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => env?.close());

/** Every POST of a registration the page makes, with its Idempotency-Key and body. */
const recordRegistrations = (page: Page) => recordPosts(page, /\/registrations$/);

const person = (overrides: Partial<Person> = {}): Person => ({
  name: 'Anna de Vries',
  email: `${unique('anna')}@example.nl`,
  organisation: 'Gemeente Oss',
  jobTitle: 'Beleidsadviseur veiligheid',
  ...overrides,
});

describe.concurrent('the registration form', () => {
  it('registers for the seed event; the confirmation names both chosen workshops', async (ctx) => {
    const page = await openForm(env, ctx);
    const sent = recordRegistrations(page);
    expect(await text(page, '#event-title')).toBe('Dag van Weerbaar Bestuur');
    expect(await text(page, '#event-date')).toBe('donderdag 12 september 2019');
    expect(await page.getAttribute('#event-date', 'datetime')).toBe('2019-09-12');
    expect(await text(page, '#event-notice')).toContain('Let op');
    expect(await page.locator('fieldset.round legend').allTextContents()).toEqual([
      'Ronde 1: kies één workshop',
      'Ronde 2: kies één workshop',
    ]);
    expect(await page.locator('input[name="round-1"]').count()).toBe(4);
    expect(await page.locator('input[name="round-2"]').count()).toBe(3);
    const before = await seatsLeft(env, SEED_EVENT);
    expect(await text(page, '#ws-wijk-van-ons-allemaal-seats')).toBe(
      `nog ${before['wijk-van-ons-allemaal']} plaatsen`,
    );
    // The full description is one click away, the short one is always shown.
    const details = page.locator('[data-workshop-id="vrijheid-van-meningsuiting"] details');
    expect(await details.getAttribute('open')).toBeNull();
    await details.locator('summary').click();
    expect(await details.locator('.workshop-description').textContent()).toContain('afwegingskader handelen');

    const who = person();
    await page.check('#ws-wijk-van-ons-allemaal');
    await page.check('#ws-desinformatie-nepnieuws');
    await fillPerson(page, who);
    await submitForm(page);
    await page.locator('#confirmation').waitFor();

    expect(await text(page, '#confirmation-heading')).toBe('U bent aangemeld');
    expect((await focused(page)).id).toBe('confirmation-heading');
    expect(await page.locator('#confirmation-choices dd').allTextContents()).toEqual([
      'De wijk is van ons allemaal, maar hoe doen we dat samen?',
      'Desinformatie en nepnieuws',
    ]);
    expect(await text(page, '#confirmation-email')).toContain(who.email);
    expect(await text(page, '#confirmation-email')).toMatch(/wijzigen .* annuleren/);
    expect(await page.locator('#registration-form').isHidden()).toBe(true);
    await page.screenshot({ path: path.join(artifactsDir, 'confirmation.png'), fullPage: true });

    expect(sent).toHaveLength(1);
    expect(sent[0]?.key).toMatch(UUID);
    expect(sent[0]?.body).toEqual({
      name: who.name,
      email: who.email,
      organisation: who.organisation,
      jobTitle: who.jobTitle,
      choices: { '1': 'wijk-van-ons-allemaal', '2': 'desinformatie-nepnieuws' },
      consent: true,
      locale: 'nl',
      website: '',
      formStartedAt: expect.any(Number),
    });
    const after = await seatsLeft(env, SEED_EVENT);
    expect(after['wijk-van-ons-allemaal']).toBe((before['wijk-van-ons-allemaal'] ?? 0) - 1);
    expect(after['desinformatie-nepnieuws']).toBe((before['desinformatie-nepnieuws'] ?? 0) - 1);
  });

  it('shows seats left in words, and a full workshop as VOL that cannot be chosen', async (ctx) => {
    const eventId = await env.createEvent({ 'open-data': 1, 'crisis-oefenen': 0 });
    const page = await openForm(env, ctx, eventId);
    expect(await text(page, '#ws-veilige-wijk-seats')).toBe('nog 10 plaatsen');
    expect(await text(page, '#ws-open-data-seats')).toBe('nog 1 plaats');
    expect(await text(page, '#ws-crisis-oefenen-seats')).toBe('VOL');
    expect(await page.isDisabled('#ws-crisis-oefenen')).toBe(true);
    expect(await page.isDisabled('#ws-open-data')).toBe(false);
    // The seats are part of the radio button's description for screen readers.
    expect(await page.getAttribute('#ws-crisis-oefenen', 'aria-describedby')).toContain(
      'ws-crisis-oefenen-seats',
    );
    await page.click('label[for="ws-crisis-oefenen"]', { force: true });
    expect(await page.isChecked('#ws-crisis-oefenen')).toBe(false);
  });

  it('a workshop that fills up while the person types: full message, choice marked, the rest kept', async (ctx) => {
    const eventId = await env.createEvent({ 'open-data': 1 });
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);
    const who = person();
    await page.check('#ws-open-data');
    await page.check('#ws-nepnieuws');
    await fillPerson(page, who);

    // Someone else takes the last seat meanwhile.
    const other = await env.register(eventId, `${unique('other')}@example.nl`, {
      '1': 'open-data',
      '2': 'weerbare-raad',
    });
    expect(other.status).toBe(201);

    await submitForm(page);
    await waitForText(page, '#round-1-error', /vol/);
    expect(await text(page, '#round-1-error')).toContain('Open data in de gemeente');
    expect(await text(page, '#form-alert')).toContain('Vol is vol');
    expect(await page.isChecked('#ws-open-data')).toBe(false);
    expect(await page.isDisabled('#ws-open-data')).toBe(true);
    expect(await text(page, '#ws-open-data-seats')).toBe('VOL');
    expect(await page.getAttribute('#round-1', 'aria-describedby')).toContain('round-1-error');
    expect((await focused(page)).name).toBe('round-1');
    // Everything else is as the person left it.
    expect(await page.isChecked('#ws-nepnieuws')).toBe(true);
    expect(await page.inputValue('#name')).toBe(who.name);
    expect(await page.inputValue('#email')).toBe(who.email);
    expect(await page.inputValue('#organisation')).toBe(who.organisation);
    expect(await page.inputValue('#jobTitle')).toBe(who.jobTitle);
    expect(await page.isChecked('#consent')).toBe(true);

    await page.check('#ws-veilige-wijk');
    expect(await page.locator('#round-1-error').isHidden()).toBe(true);
    await page.click('#submit');
    await page.locator('#confirmation').waitFor();
    expect(await page.locator('#confirmation-choices dd').allTextContents()).toEqual([
      'Een veilige wijk, samen met bewoners',
      'Nepnieuws herkennen',
    ]);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.key).not.toBe(sent[0]?.key);
  });

  it('can be filled in and sent with the keyboard alone (Tab, Space, Enter)', async (ctx) => {
    const eventId = await env.createEvent();
    const page = await openForm(env, ctx, eventId);
    const visited = new Set<string>();

    await tabTo(page, (element) => element.name === 'round-1', visited);
    await page.keyboard.press('Space');
    await tabTo(page, (element) => element.name === 'round-2', visited);
    await page.keyboard.press('Space');
    for (const [id, value] of [
      ['name', 'Bram Jansen'],
      ['email', `${unique('bram')}@example.nl`],
      ['organisation', 'Provincie Utrecht'],
    ] as const) {
      await tabTo(page, (element) => element.id === id, visited);
      await page.keyboard.type(value);
    }
    await tabTo(page, (element) => element.id === 'consent', visited);
    await page.keyboard.press('Space');
    await tabTo(page, (element) => element.id === 'submit', visited);
    // The honeypot is never reached: out of the tab order, hidden from sight (clipped to a 1 px box that
    // shows nothing, not display:none, which simple bots skip), and labelled for people who find it anyway.
    const honeypot = page.locator('#website');
    expect(await honeypot.getAttribute('tabindex')).toBe('-1');
    expect(await honeypot.getAttribute('autocomplete')).toBe('off');
    expect(await text(page, 'label[for="website"]')).toMatch(/^Laat dit veld leeg/);
    const box = await page.locator('.hp').boundingBox();
    expect(box).not.toBeNull();
    expect((box?.width ?? 0) * (box?.height ?? 0)).toBeLessThanOrEqual(1);
    expect(await page.locator('.hp').evaluate((element) => getComputedStyle(element).clipPath)).toBe(
      'inset(50%)',
    );
    expect(visited.has('submit')).toBe(true);
    expect(visited.has('website')).toBe(false);
    await formOldEnough(page);
    await page.keyboard.press('Enter');

    await page.locator('#confirmation').waitFor();
    expect(await page.locator('#confirmation-choices dd').count()).toBe(2);
    expect((await focused(page)).id).toBe('confirmation-heading');
  });

  it('shows validation errors next to their fields and moves focus to the first', async (ctx) => {
    const eventId = await env.createEvent();
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);

    await page.click('#submit');
    await waitForText(page, '#form-alert', /nog niet verstuurd/);
    expect(sent).toHaveLength(0);
    expect(await text(page, '#form-alert')).toContain('6 velden');
    for (const id of ['round-1-error', 'round-2-error', 'name-error', 'email-error', 'organisation-error']) {
      expect(await page.locator(`#${id}`).isVisible(), id).toBe(true);
    }
    expect(await page.locator('#consent-error').isVisible()).toBe(true);
    expect(await page.locator('#jobTitle-error').isHidden()).toBe(true);
    expect(await text(page, '#name-error')).toBe('Fout: Vul uw naam in.');
    expect(await text(page, '#round-2-error')).toBe('Fout: Kies een workshop in Ronde 2.');
    expect(await page.getAttribute('#name', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#name', 'aria-describedby')).toBe('name-error');
    expect((await page.getAttribute('#email', 'aria-describedby'))?.split(' ').sort()).toEqual([
      'email-error',
      'email-hint',
    ]);
    expect(await page.getAttribute('#consent', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#round-1', 'aria-describedby')).toBe('round-1-error');
    expect((await focused(page)).name).toBe('round-1');

    // Fixing a field clears its error.
    await page.fill('#name', 'Chris Peters');
    expect(await page.locator('#name-error').isHidden()).toBe(true);
    expect(await page.getAttribute('#name', 'aria-invalid')).toBeNull();

    // An address that looks like one but that the API refuses: the API's error lands next to the field.
    await page.check('#ws-open-data');
    await page.check('#ws-weerbare-raad');
    await fillPerson(page, person({ name: 'Chris Peters', email: 'chris@voorbeeld.x' }));
    await submitForm(page);
    await waitForText(page, '#email-error', /geldig e-mailadres/);
    expect(sent).toHaveLength(1);
    expect((await focused(page)).id).toBe('email');
    expect(await page.getAttribute('#email', 'aria-invalid')).toBe('true');
    expect(await text(page, '#form-alert')).toContain('1 veld');
  });

  it('shows the refusal of a form sent too quickly, and sends it again later', async (ctx) => {
    const eventId = await env.createEvent();
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);
    // However fast a test types, the form is made "just shown" on its way to the API.
    await page.route('**/registrations', (route) =>
      route.continue({
        postData: JSON.stringify({ ...route.request().postDataJSON(), formStartedAt: Date.now() }),
      }),
    );
    await page.check('#ws-veilige-wijk');
    await page.check('#ws-nepnieuws');
    await fillPerson(page, person());
    await page.click('#submit');
    await waitForText(page, '#form-alert', /heel snel/);
    expect(await text(page, '#form-alert')).toBe(
      'Dat ging wel heel snel. Controleer uw gegevens en verstuur het formulier nog een keer.',
    );
    await page.unroute('**/registrations');
    await submitForm(page);
    await page.locator('#confirmation').waitFor();
    expect(sent).toHaveLength(2);
  });

  it('a device whose clock is 10 minutes fast still registers (the form start is sent in server time)', async (ctx) => {
    const eventId = await env.createEvent();
    const page = await openForm(env, ctx, eventId, { clockOffsetMs: 10 * 60_000 });
    const sent = recordRegistrations(page);
    expect((await page.evaluate(() => Date.now())) - Date.now()).toBeGreaterThan(9 * 60_000);
    await page.check('#ws-open-data');
    await page.check('#ws-nepnieuws');
    await fillPerson(page, person());
    // The form learns the server's clock from the `Date` header, in whole seconds: up to half a second off.
    await formOldEnough(page, 4_000);
    await page.click('#submit');
    await page.locator('#confirmation').waitFor();
    expect(Math.abs(Number(sent[0]?.body.formStartedAt) - (formShownAt(page) ?? 0))).toBeLessThan(3_000);
  });

  it('a network failure keeps everything; a retry reuses the Idempotency-Key, an edit starts a new attempt', async (ctx) => {
    const eventId = await env.createEvent();
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);
    await page.route('**/registrations', (route) => route.abort('internetdisconnected'));
    await page.check('#ws-crisis-oefenen');
    await page.check('#ws-weerbare-raad');
    const who = person();
    await fillPerson(page, who);

    await page.click('#submit');
    await waitForText(page, '#form-alert', /geen verbinding/);
    expect(await page.isEnabled('#submit')).toBe(true);
    expect(await page.inputValue('#email')).toBe(who.email);
    await page.click('#submit');
    await waitForText(page, '#form-alert', /geen verbinding/);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.key).toBe(sent[0]?.key);

    await page.fill('#organisation', 'Gemeente Maastricht');
    await page.unroute('**/registrations');
    await submitForm(page);
    await page.locator('#confirmation').waitFor();
    expect(sent).toHaveLength(3);
    expect(sent[2]?.key).not.toBe(sent[0]?.key);
    expect(sent[2]?.body.organisation).toBe('Gemeente Maastricht');
  });

  it('a double click sends one registration, with the button disabled while it is in flight', async (ctx) => {
    const eventId = await env.createEvent();
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/registrations', async (route) => {
      await held;
      await route.continue();
    });
    await page.check('#ws-veilige-wijk');
    await page.check('#ws-weerbare-raad');
    await fillPerson(page, person());
    await formOldEnough(page);
    await page.dblclick('#submit');
    await page.waitForFunction(() => (document.getElementById('submit') as HTMLButtonElement).disabled);
    expect(await text(page, '#submit')).toBe('Bezig met versturen…');
    await page.keyboard.press('Enter');
    release();
    await page.locator('#confirmation').waitFor();
    expect(sent).toHaveLength(1);
  });

  it('explains refusals in the alert region: already registered, busy (Retry-After), in progress', async (ctx) => {
    const eventId = await env.createEvent();
    const email = `${unique('dubbel')}@example.nl`;
    expect((await env.register(eventId, email, { '1': 'open-data', '2': 'nepnieuws' })).status).toBe(201);
    const page = await openForm(env, ctx, eventId);
    await page.check('#ws-open-data');
    await page.check('#ws-nepnieuws');
    await fillPerson(page, person({ email }));
    await submitForm(page);
    await waitForText(page, '#form-alert', /al aangemeld/);
    expect(await page.getAttribute('#form-alert', 'role')).toBe('alert');
    expect(await text(page, '#form-alert')).toContain('bevestigingsmail');

    const refuse = (status: number, code: string, headers: Record<string, string> = {}) =>
      page.route('**/registrations', (route) =>
        route.fulfill({
          status,
          headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
          body: JSON.stringify({ error: { code, message: 'x' } }),
        }),
      );
    await page.fill('#email', `${unique('druk')}@example.nl`);
    await refuse(503, 'TRY_AGAIN', { 'Retry-After': '7' });
    await page.click('#submit');
    await waitForText(page, '#form-alert', /over 7 seconden/);
    await page.unroute('**/registrations');
    await refuse(409, 'REQUEST_IN_PROGRESS');
    await page.click('#submit');
    await waitForText(page, '#form-alert', /al verwerkt/);
    await page.unroute('**/registrations');
    await refuse(502, 'INTERNAL_ERROR');
    await page.click('#submit');
    await waitForText(page, '#form-alert', /foutcode INTERNAL_ERROR/);
  });

  it('busy (503 TRY_AGAIN, Retry-After 1): the form sends the same request again by itself, saying so, and confirms', async (ctx) => {
    const eventId = await env.createEvent();
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);
    await busyFor(page, 2);
    await page.check('#ws-veilige-wijk');
    await page.check('#ws-weerbare-raad');
    await fillPerson(page, person());
    await submitForm(page);
    await waitForText(page, '#form-status', /wordt verwerkt/);
    expect(await page.isDisabled('#submit')).toBe(true);
    expect(await text(page, '#form-alert')).toBe('');
    await page.locator('#confirmation').waitFor();
    // Three sends of one request: one Idempotency-Key, so the API can never book it twice.
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((request) => request.key)).size).toBe(1);
    expect(new Set(sent.map((request) => JSON.stringify(request.body))).size).toBe(1);
    expect(await text(page, '#form-alert')).toBe('');
  });

  it('a closed registration says so and cannot be filled in', async (ctx) => {
    const eventId = unique('closed');
    const { testEventDefinition } = await import('./support.js');
    const definition = testEventDefinition();
    definition.registration = { closesAt: '2019-09-01T00:00:00+02:00' };
    await env.store.putEventDefinition(eventId, definition);
    const page = await openForm(env, ctx, eventId);
    await waitForText(page, '#window-message', /gesloten/);
    expect(await page.isDisabled('#ws-veilige-wijk')).toBe(true);
    expect(await page.isDisabled('#name')).toBe(true);
    expect(await page.locator('#submit').isHidden()).toBe(true);
  });

  it('an unknown event says so', async (ctx) => {
    const page = await newPage(env, ctx);
    await page.goto(env.url('/?event=bestaat-niet'));
    await waitForText(page, '#load-error-text', /bestaat niet/);
    expect(await page.locator('#registration-form').isHidden()).toBe(true);
  });

  it('switches to English and back: texts, date, lang attribute and the locale sent', async (ctx) => {
    const eventId = await env.createEvent({ 'open-data': 1, 'crisis-oefenen': 0 });
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);
    await page.fill('#name', 'Dana Smit');
    await page.click('button[data-lang="en"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getAttribute('button[data-lang="en"]', 'aria-pressed')).toBe('true');
    expect(await text(page, 'label[for="name"]')).toBe('Name');
    expect(await text(page, 'label[for="jobTitle"]')).toBe('Job title (optional)');
    expect(await text(page, '#submit')).toBe('Register');
    expect(await text(page, '#event-date')).toMatch(/^Thursday,? 12 September 2019$/);
    expect(await text(page, '#ws-veilige-wijk-seats')).toBe('10 seats left');
    expect(await text(page, '#ws-open-data-seats')).toBe('1 seat left');
    expect(await text(page, '#ws-crisis-oefenen-seats')).toBe('FULL');
    expect(await page.locator('fieldset.round legend').first().textContent()).toBe(
      'Ronde 1: choose one workshop',
    );
    expect(await page.getAttribute('label[for="ws-veilige-wijk"]', 'lang')).toBe('nl');
    expect(await page.getAttribute('#privacy-link', 'href')).toBe('privacy.html#en');
    expect(page.url()).toContain('lang=en');
    expect(await page.inputValue('#name')).toBe('Dana Smit');

    await page.click('#submit');
    await waitForText(page, '#email-error', /Enter your email address/);
    await page.click('button[data-lang="nl"]');
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await text(page, 'label[for="name"]')).toBe('Naam');
    expect(await text(page, '#email-error')).toBe('Fout: Vul uw e-mailadres in.');
    await page.click('button[data-lang="en"]');

    await page.check('#ws-veilige-wijk');
    await page.check('#ws-nepnieuws');
    await fillPerson(page, person({ name: 'Dana Smit' }));
    await submitForm(page);
    await page.locator('#confirmation').waitFor();
    expect(await text(page, '#confirmation-heading')).toBe('You are registered');
    expect(sent.at(-1)?.body.locale).toBe('en');
  });

  it('has no serious or critical accessibility violations (axe-core): form, errors, English, confirmation', async (ctx) => {
    const eventId = await env.createEvent({ 'crisis-oefenen': 0, 'open-data': 2 });
    const page = await openForm(env, ctx, eventId, { bypassCSP: true });
    await page.click('#submit');
    await waitForText(page, '#form-alert', /nog niet verstuurd/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.click('button[data-lang="en"]');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.check('#ws-open-data');
    await page.check('#ws-weerbare-raad');
    await fillPerson(page, person());
    await submitForm(page);
    await page.locator('#confirmation').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    const privacy = await newPage(env, ctx, { bypassCSP: true });
    await privacy.goto(env.url('/privacy.html'));
    expect(await privacy.getAttribute('#en', 'lang')).toBe('en');
    expect(await privacy.locator('.placeholder').count()).toBeGreaterThan(5);
    expect(await seriousA11yViolations(privacy)).toEqual([]);
  });

  it('reflows at 320 px and at 200 % zoom without horizontal scrolling; saves screenshots', async (ctx) => {
    const desktop = await openForm(env, ctx);
    await desktop.screenshot({ path: path.join(artifactsDir, 'form.png'), fullPage: true });

    const eventId = await env.createEvent({ 'crisis-oefenen': 0 });
    for (const [viewport, name, event] of [
      [{ width: 320, height: 640 }, 'form-320.png', undefined],
      [{ width: 640, height: 450 }, undefined, eventId], // 1280 × 900 at 200 %
    ] as const) {
      const page = await openForm(env, ctx, event, { viewport });
      await page.click('#submit'); // with every error message shown
      await waitForText(page, '#form-alert', /nog niet verstuurd/);
      for (const details of await page.locator('details').all())
        await details.evaluate((d) => d.setAttribute('open', ''));
      const overflow = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        wider: [...document.querySelectorAll('body *')]
          .filter(
            (element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
          )
          .filter((element) => !element.closest('.hp, .visually-hidden'))
          .map((element) => element.id || element.className || element.tagName)
          .slice(0, 5),
      }));
      expect(overflow.wider, `${viewport.width} px`).toEqual([]);
      expect(overflow.scrollWidth, `${viewport.width} px`).toBeLessThanOrEqual(overflow.clientWidth);
      if (name) {
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: path.join(artifactsDir, name), fullPage: true });
      }
    }
  });
});
