import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactsDir,
  busyFor,
  fillPerson,
  focused,
  openForm,
  type Person,
  recordPosts,
  seatsLeft,
  seriousA11yViolations,
  startWebEnv,
  submitForm,
  tabTo,
  text,
  unique,
  type WebEnv,
  waitForText,
} from './support.js';

/**
 * The reserve choice per round (`alternatives` in a registration, issue 21) in Chromium against the whole local
 * stack: numbered selects of the round's other workshops with seats, sent in the order given, the API falling back
 * to them in the same request when the choice is full, and the confirmation saying where it did.
 */

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => env?.close());

const recordRegistrations = (page: Page) => recordPosts(page, /\/registrations$/);

const person = (overrides: Partial<Person> = {}): Person => ({
  name: 'Noor Bakker',
  email: `${unique('noor')}@example.nl`,
  organisation: 'Gemeente Deventer',
  ...overrides,
});

async function takeSeat(eventId: string, choices: Record<string, string>) {
  expect((await env.register(eventId, `${unique('ander')}@example.nl`, choices)).status).toBe(201);
}

/** Round 1's fieldset (every round's reserve selects are labelled "uw 2e keus", "uw 3e keus", …). */
const round1 = (page: Page) => page.locator('#round-1');

/** The workshops a reserve select offers (its values, "geen" left out). */
const offered = (page: Page, selector: string) =>
  page
    .locator(`${selector} option`)
    .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value).filter(Boolean));

describe.concurrent('the reserve choice in the form', () => {
  it('a choice that filled up meanwhile: the first reserve with seats is taken, and the confirmation says so', async (ctx) => {
    const eventId = await env.createEvent({ 'open-data': 1 });
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);
    // The first send meets a busy API: the form sends the same body with the same key again by itself.
    await busyFor(page, 1);

    expect(await page.locator('#alt-1-2').isHidden()).toBe(true);
    await page.check('#ws-open-data');
    // The reserve offers the round's other workshops; one more select appears once the last is filled.
    expect(await offered(page, '#alt-1-2')).toEqual(['veilige-wijk', 'crisis-oefenen']);
    expect(await page.locator('#alt-1-3').isHidden()).toBe(true);
    await round1(page).getByLabel('uw 2e keus').selectOption('crisis-oefenen');
    expect(await offered(page, '#alt-1-3')).toEqual(['veilige-wijk']);
    await round1(page).getByLabel('uw 3e keus').selectOption('veilige-wijk');
    await page.check('#ws-nepnieuws');
    await fillPerson(page, person());

    // Someone else takes the last seat of the first choice meanwhile.
    await takeSeat(eventId, { '1': 'open-data', '2': 'weerbare-raad' });
    await submitForm(page);
    await page.locator('#confirmation').waitFor();

    expect(sent).toHaveLength(2);
    expect(sent[1]?.key).toBe(sent[0]?.key);
    expect(sent[1]?.body).toEqual(sent[0]?.body);
    // Only the round with a reserve, in the order given.
    expect(sent[0]?.body.alternatives).toEqual({ '1': ['crisis-oefenen', 'veilige-wijk'] });
    expect(sent[0]?.body.choices).toEqual({ '1': 'open-data', '2': 'nepnieuws' });

    expect(await page.locator('#confirmation-choices dd').first().getAttribute('data-workshop-id')).toBe(
      'crisis-oefenen',
    );
    expect(await text(page, '#confirmation-choices dd .alternative-taken')).toBe(
      'Uw eerste keus ‘Open data in de gemeente’ was vol; u bent ingeschreven voor ‘Crisis oefenen met de raad’.',
    );
    // Round 2 got its choice: nothing to say there.
    expect(await page.locator('#confirmation-choices .alternative-taken').count()).toBe(1);
    await page.click('button[data-lang="en"]');
    expect(await text(page, '#confirmation-choices .alternative-taken')).toBe(
      'Your first choice ‘Open data in de gemeente’ was full; you are registered for ‘Crisis oefenen met de raad’.',
    );
    const seats = await seatsLeft(env, eventId);
    expect(seats['crisis-oefenen']).toBe(9);
    expect(seats['veilige-wijk']).toBe(10);
    expect(seats['open-data']).toBe(0);
  });

  it('is labelled and works by keyboard; offers neither the choice, full workshops nor those already picked', async (ctx) => {
    const eventId = await env.createEvent({ 'crisis-oefenen': 0 });
    const page = await openForm(env, ctx, eventId, { bypassCSP: true });
    const sent = recordRegistrations(page);

    // Tab to round 1, Space takes the first workshop; the next Tab reaches its reserve choice.
    await tabTo(page, (element) => element.name === 'round-1');
    await page.keyboard.press('Space');
    expect(await page.isChecked('#ws-veilige-wijk')).toBe(true);
    await tabTo(page, (element) => element.tag === 'select');
    expect((await focused(page)).id).toBe('alt-1-2');
    const group = page.getByRole('group', { name: 'Reservekeuze (optioneel)' });
    expect(await group.count()).toBe(1); // round 2 has no choice yet, so no reserve
    expect(await group.getAttribute('aria-describedby')).toBe('alt-1-hint');
    expect(await text(page, '#alt-1-hint')).toContain('eerste workshop uit deze lijst waar nog plaats is');
    expect(await group.getByLabel('uw 2e keus').getAttribute('id')).toBe('alt-1-2');
    // Full (crisis-oefenen) and chosen (veilige-wijk) are not offered: one workshop left, so one select.
    expect(await offered(page, '#alt-1-2')).toEqual(['open-data']);
    await page.keyboard.press('ArrowDown');
    expect(await page.inputValue('#alt-1-2')).toBe('open-data');
    expect(await page.locator('#alt-1-3').isHidden()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // In the waiting-list mode there is no reserve: the choice and the reserve become the accepted ones, in order.
    await page.check('#mode-waiting');
    expect(await page.locator('.alternatives:visible').count()).toBe(0);
    expect(await text(page, '#ws-veilige-wijk-rank')).toBe('uw 1e keus');
    expect(await text(page, '#ws-open-data-rank')).toBe('uw 2e keus');
    await page.check('#mode-register');
    expect(await page.isChecked('#ws-veilige-wijk')).toBe(true);
    expect(await page.inputValue('#alt-1-2')).toBe('open-data');

    // Choosing the reserve workshop itself takes it out of the reserve.
    await page.check('#ws-open-data');
    expect(await page.inputValue('#alt-1-2')).toBe('');
    expect(await offered(page, '#alt-1-2')).toEqual(['veilige-wijk']);
    await round1(page).getByLabel('uw 2e keus').selectOption('veilige-wijk');

    await page.click('button[data-lang="en"]');
    expect(await page.getByRole('group', { name: 'Reserve choice (optional)' }).count()).toBe(1);
    expect(await round1(page).getByLabel('your choice no. 2').inputValue()).toBe('veilige-wijk');
    expect(await page.locator('#alt-1-2 option').first().textContent()).toBe('none');

    await page.check('#ws-nepnieuws');
    await fillPerson(page, person());
    await submitForm(page);
    await page.locator('#confirmation').waitFor();
    expect(sent[0]?.body.alternatives).toEqual({ '1': ['veilige-wijk'] });
    // The choice had seats: no reserve was needed.
    expect(await page.locator('#confirmation-choices .alternative-taken').count()).toBe(0);
  });

  it('a reserve workshop that fills up while the person types leaves the reserve, and the status says so', async (ctx) => {
    const eventId = await env.createEvent({ 'open-data': 1 });
    // An installed clock (1 ms off) lets the test move time on to the form's next refresh of the seats.
    const page = await openForm(env, ctx, eventId, { clockOffsetMs: 1 });
    await page.check('#ws-veilige-wijk');
    await round1(page).getByLabel('uw 2e keus').selectOption('open-data');
    await round1(page).getByLabel('uw 3e keus').selectOption('crisis-oefenen');
    await takeSeat(eventId, { '1': 'open-data', '2': 'nepnieuws' });

    await page.clock.fastForward(30_000);
    await waitForText(page, '#form-status', /reservekeuze/);
    expect(await text(page, '#form-status')).toBe(
      '‘Open data in de gemeente’ uit uw reservekeuze is inmiddels vol en staat er niet meer in.',
    );
    // The next one moves up; the full one is offered nowhere, so no select is left to add.
    expect(await page.inputValue('#alt-1-2')).toBe('crisis-oefenen');
    expect(await offered(page, '#alt-1-2')).toEqual(['crisis-oefenen']);
    expect(await page.locator('#alt-1-3').isHidden()).toBe(true);
    expect(await page.isChecked('#ws-veilige-wijk')).toBe(true);
  });

  it("fits a 320 px screen with the seed event's long titles; saves a screenshot", async (ctx) => {
    const page = await openForm(env, ctx, undefined, { viewport: { width: 320, height: 640 } });
    await page.check('#ws-wijk-van-ons-allemaal');
    await round1(page).getByLabel('uw 2e keus').selectOption({ index: 1 });
    expect(await page.locator('#alt-1-3').isVisible()).toBe(true);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(0);
    const box = await page.locator('#alt-1-3').boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(320);
    await page.locator('#round-1').screenshot({ path: path.join(artifactsDir, 'form-alternatives-320.png') });
  });

  it('WORKSHOP_FULL for the choice and every reserve: both named in the round, the full reserve dropped', async (ctx) => {
    const eventId = await env.createEvent({ 'open-data': 1, 'crisis-oefenen': 1 });
    const page = await openForm(env, ctx, eventId);
    const sent = recordRegistrations(page);
    await page.check('#ws-open-data');
    await round1(page).getByLabel('uw 2e keus').selectOption('crisis-oefenen');
    await page.check('#ws-nepnieuws');
    await fillPerson(page, person());
    await takeSeat(eventId, { '1': 'open-data', '2': 'weerbare-raad' });
    await takeSeat(eventId, { '1': 'crisis-oefenen', '2': 'weerbare-raad' });

    await submitForm(page);
    await waitForText(page, '#round-1-error', /vol/);
    expect(await text(page, '#round-1-error')).toBe(
      'Fout: Vol is vol: ‘Open data in de gemeente’ en ‘Crisis oefenen met de raad’ zijn net vol geraakt, uw keuze en uw reservekeuze. Kies een andere workshop.',
    );
    expect(await page.isChecked('#ws-open-data')).toBe(false);
    expect((await focused(page)).name).toBe('round-1');

    // The one workshop with seats left is the choice now: nothing left to offer as a reserve.
    await page.check('#ws-veilige-wijk');
    expect(await page.locator('#alt-1-2').isHidden()).toBe(true);
    await page.click('#submit');
    await page.locator('#confirmation').waitFor();
    expect(sent).toHaveLength(2);
    expect(sent[0]?.body.alternatives).toEqual({ '1': ['crisis-oefenen'] });
    expect(sent[1]?.body).not.toHaveProperty('alternatives');
    expect(sent[1]?.body.choices).toEqual({ '1': 'veilige-wijk', '2': 'nepnieuws' });
  });
});
