import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactsDir,
  fillPerson,
  focused,
  giveToken,
  openForm,
  openManage,
  type Person,
  recordPosts,
  seriousA11yViolations,
  startWebEnv,
  submitForm,
  type TestWorkshopId,
  testEventDefinition,
  text,
  UUID,
  unique,
  type WebEnv,
  waitForText,
} from './support.js';

/**
 * Waiting lists (docs/waiting-lists.md) in Chromium against the whole local stack: the form's "Zet mij op
 * de wachtlijst" next to a seat, signing up for a place on the waiting list when a round is full, and the
 * manage page's lists (join, leave, a place in line). Events are made small and full through the admin API.
 */

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => env?.close());

type Choices = Record<string, string>;
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert on them
type Json = any;

async function api(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(env.url(urlPath), {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

const admin = (method: string, urlPath: string, body?: unknown) =>
  api(method, urlPath, body, { Authorization: `Bearer ${env.stack.adminToken}` });

/** A small event made by an organiser through the admin API; capacities default to 10. */
async function createEvent(capacities: Partial<Record<TestWorkshopId, number>> = {}): Promise<string> {
  const eventId = unique('wacht');
  const created = await admin('PUT', `/admin/events/${eventId}`, testEventDefinition(capacities));
  expect(created.status).toBe(201);
  return eventId;
}

/** Fills seats: someone else registers straight through the API. */
async function takeSeats(eventId: string, choices: Choices) {
  const response = await env.register(eventId, `${unique('ander')}@example.nl`, choices);
  expect(response.status).toBe(201);
}

async function waitingList(eventId: string, workshopId?: string): Promise<Json[]> {
  const query = workshopId ? `?workshopId=${encodeURIComponent(workshopId)}` : '';
  const response = await admin('GET', `/admin/events/${eventId}/waiting-list${query}`);
  expect(response.status).toBe(200);
  return response.body.items;
}

async function apiRegistration(id: string, token: string): Promise<Json> {
  const response = await api('GET', `/registrations/${id}`, undefined, { Authorization: `Bearer ${token}` });
  expect(response.status).toBe(200);
  return response.body.registration;
}

const person = (overrides: Partial<Person> = {}): Person => ({
  name: 'Sanne Visser',
  email: `${unique('sanne')}@example.nl`,
  organisation: 'Gemeente Zwolle',
  jobTitle: 'Raadsgriffier',
  ...overrides,
});

/** Every POST of a registration or a waiting-list sign-up the page makes. */
const recordSignUps = (page: Page) => recordPosts(page, /\/(registrations|waiting-list)$/);

describe.concurrent('waiting lists in the form', () => {
  it('a full workshop shows VOL, how many wait and its waiting list; a registration with waitFor lands on it', async (ctx) => {
    const eventId = await createEvent({ 'crisis-oefenen': 1 });
    await takeSeats(eventId, { '1': 'crisis-oefenen', '2': 'nepnieuws' });
    const page = await openForm(env, ctx, eventId, { bypassCSP: true });
    const sent = recordSignUps(page);

    expect(await text(page, '#ws-crisis-oefenen-seats')).toBe('VOL');
    expect(await text(page, '#ws-crisis-oefenen-waiting')).toBe('nog niemand op de wachtlijst');
    expect(await page.isDisabled('#ws-crisis-oefenen')).toBe(true);
    expect(await page.getAttribute('#ws-crisis-oefenen', 'aria-describedby')).toContain(
      'ws-crisis-oefenen-waiting',
    );
    expect(await page.locator('#wait-crisis-oefenen').isVisible()).toBe(true);
    expect(await text(page, 'label[for="wait-crisis-oefenen"]')).toBe(
      'Zet mij op de wachtlijst voor ‘Crisis oefenen met de raad’',
    );
    // Only a full workshop has a waiting list.
    expect(await page.locator('#wait-open-data').isHidden()).toBe(true);
    expect(await page.locator('#ws-open-data-waiting').textContent()).toBe('');
    // The choice between a seat and the waiting list only: a seat is the default.
    expect(await page.locator('#mode').isVisible()).toBe(true);
    expect(await page.isChecked('#mode-register')).toBe(true);
    expect(await text(page, '#submit')).toBe('Aanmelden');

    // In English too.
    await page.click('button[data-lang="en"]');
    expect(await text(page, 'label[for="wait-crisis-oefenen"]')).toBe(
      'Put me on the waiting list for ‘Crisis oefenen met de raad’',
    );
    expect(await text(page, '#ws-crisis-oefenen-waiting')).toBe('nobody waiting yet');
    await page.click('button[data-lang="nl"]');

    // Waiting for a full workshop needs a seat elsewhere in that round.
    const who = person();
    await page.check('#wait-crisis-oefenen');
    await page.check('#ws-nepnieuws');
    await fillPerson(page, who);
    await page.click('#submit');
    await waitForText(page, '#round-1-error', /ook een workshop met plaats/);
    expect(sent).toHaveLength(0);
    expect((await focused(page)).name).toBe('round-1');

    await page.check('#ws-veilige-wijk');
    expect(await page.locator('#round-1-error').isHidden()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await submitForm(page);
    await page.locator('#confirmation').waitFor();

    expect(await text(page, '#confirmation-heading')).toBe('U bent aangemeld');
    expect(await page.locator('#confirmation-choices dd').allTextContents()).toEqual([
      'Een veilige wijk, samen met bewoners',
      'Nepnieuws herkennen',
    ]);
    expect(await page.locator('#confirmation-waiting').isVisible()).toBe(true);
    expect(await text(page, '#confirmation-waiting-list')).toBe(
      '‘Crisis oefenen met de raad’ (Ronde 1): plaats 1 op de wachtlijst',
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({
      path: path.join(artifactsDir, 'waiting-confirmation-waitfor.png'),
      fullPage: true,
    });

    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toMatch(/\/registrations$/);
    expect(sent[0]?.key).toMatch(UUID);
    expect(sent[0]?.body).toEqual({
      name: who.name,
      email: who.email,
      organisation: who.organisation,
      jobTitle: who.jobTitle,
      choices: { '1': 'veilige-wijk', '2': 'nepnieuws' },
      waitFor: { '1': 'crisis-oefenen' },
      consent: true,
      locale: 'nl',
      website: '',
      formStartedAt: expect.any(Number),
    });

    // The organiser sees the person in the workshop's line, holding the seat in the other workshop.
    const line = await waitingList(eventId, 'crisis-oefenen');
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({
      position: 1,
      kind: 'preference',
      email: who.email,
      choices: { '1': 'veilige-wijk', '2': 'nepnieuws' },
      wants: { '1': ['crisis-oefenen'] },
    });

    // The next person sees one waiting.
    const next = await openForm(env, ctx, eventId);
    expect(await text(next, '#ws-crisis-oefenen-waiting')).toBe('1 wachtende');
  });

  it('signs up for a place on the waiting list when a round is full: "U staat op de wachtlijst"', async (ctx) => {
    const eventId = await createEvent({ 'weerbare-raad': 1, nepnieuws: 1 });
    await takeSeats(eventId, { '1': 'veilige-wijk', '2': 'weerbare-raad' });
    await takeSeats(eventId, { '1': 'veilige-wijk', '2': 'nepnieuws' });
    const page = await openForm(env, ctx, eventId, { bypassCSP: true });
    const sent = recordSignUps(page);

    // No seat in round 2: only the waiting list is possible, and the form says why.
    expect(await page.isChecked('#mode-waiting')).toBe(true);
    expect(await page.isDisabled('#mode-register')).toBe(true);
    expect(await text(page, '#mode-note')).toContain('In Ronde 2 is elke workshop vol');
    expect(await text(page, '#submit')).toBe('Aanmelden voor de wachtlijst');
    expect(await page.locator('fieldset.round legend').allTextContents()).toEqual([
      'Ronde 1: welke workshops vindt u goed?',
      'Ronde 2: welke workshops vindt u goed?',
    ]);
    // Every workshop, full or not, can be ticked as acceptable.
    expect(await page.getAttribute('#ws-nepnieuws', 'type')).toBe('checkbox');
    expect(await page.isEnabled('#ws-nepnieuws')).toBe(true);
    expect(await page.locator('#wait-nepnieuws').isHidden()).toBe(true);

    await page.click('#submit');
    await waitForText(page, '#round-1-error', /minstens één workshop/);
    expect(await text(page, '#round-2-error')).toBe(
      'Fout: Vink in Ronde 2 minstens één workshop aan die u goed vindt.',
    );
    expect(sent).toHaveLength(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.check('#ws-open-data');
    await page.check('#ws-nepnieuws');
    await page.check('#ws-weerbare-raad');
    expect(await text(page, '#ws-nepnieuws-rank')).toBe('uw 1e keus');
    expect(await text(page, '#ws-weerbare-raad-rank')).toBe('uw 2e keus');
    const who = person();
    await fillPerson(page, who);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifactsDir, 'waiting-form.png'), fullPage: true });
    await submitForm(page);

    await page.locator('#waiting-confirmation').waitFor();
    expect(await text(page, '#waiting-heading')).toBe('U staat op de wachtlijst');
    expect((await focused(page)).id).toBe('waiting-heading');
    expect(await page.locator('#registration-form').isHidden()).toBe(true);
    expect(await page.locator('#confirmation').isHidden()).toBe(true);
    const confirmation = await text(page, '#waiting-confirmation');
    expect(confirmation).toContain('u krijgt een e-mail');
    expect(confirmation).toContain(who.email);
    expect(await page.locator('#waiting-choices dt').allTextContents()).toEqual(['Ronde 1', 'Ronde 2']);
    expect(await page.locator('#waiting-choices dd').nth(1).locator('li').allTextContents()).toEqual([
      'Nepnieuws herkennen – plaats 1 op de wachtlijst',
      'De weerbare gemeenteraad – plaats 1 op de wachtlijst',
    ]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifactsDir, 'waiting-confirmation.png'), fullPage: true });

    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toMatch(new RegExp(`/events/${eventId}/waiting-list$`));
    expect(sent[0]?.key).toMatch(UUID);
    expect(sent[0]?.body).toEqual({
      name: who.name,
      email: who.email,
      organisation: who.organisation,
      jobTitle: who.jobTitle,
      accepts: { '1': ['open-data'], '2': ['nepnieuws', 'weerbare-raad'] },
      consent: true,
      locale: 'nl',
      website: '',
      formStartedAt: expect.any(Number),
    });
    const line = await waitingList(eventId);
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({ kind: 'place', email: who.email, position: 1 });

    // The same address again: already on the waiting list.
    const again = await openForm(env, ctx, eventId);
    await again.check('#ws-veilige-wijk');
    await again.check('#ws-nepnieuws');
    await fillPerson(again, person({ email: who.email }));
    await submitForm(again);
    await waitForText(again, '#form-alert', /al op de wachtlijst/);
    expect(await again.locator('#waiting-confirmation').isHidden()).toBe(true);
  });

  it('waiting list only while every round has seats: NOT_FULL brings the normal form back', async (ctx) => {
    const eventId = await createEvent({ 'crisis-oefenen': 1 });
    await takeSeats(eventId, { '1': 'crisis-oefenen', '2': 'nepnieuws' });
    const page = await openForm(env, ctx, eventId);
    const sent = recordSignUps(page);

    // What was ticked carries over: the full workshop waited for first, then the seat.
    await page.check('#ws-open-data');
    await page.check('#wait-crisis-oefenen');
    await page.check('#mode-waiting');
    expect(await page.isChecked('#ws-crisis-oefenen')).toBe(true);
    expect(await page.isChecked('#ws-open-data')).toBe(true);
    expect(await text(page, '#ws-crisis-oefenen-rank')).toBe('uw 1e keus');
    expect(await text(page, '#ws-open-data-rank')).toBe('uw 2e keus');
    expect(await text(page, '#submit')).toBe('Aanmelden voor de wachtlijst');
    await page.check('#ws-weerbare-raad');
    await fillPerson(page, person());
    await submitForm(page);

    await waitForText(page, '#form-alert', /Er is nog plaats: meld u gewoon aan/);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body.accepts).toEqual({ '1': ['crisis-oefenen', 'open-data'], '2': ['weerbare-raad'] });
    expect(await page.isChecked('#mode-register')).toBe(true);
    expect(await text(page, '#submit')).toBe('Aanmelden');
    expect(await page.getAttribute('#ws-open-data', 'type')).toBe('radio');
    expect(await page.isChecked('#ws-open-data')).toBe(true);
    expect(await page.isChecked('#ws-weerbare-raad')).toBe(true);
    expect(await page.isChecked('#wait-crisis-oefenen')).toBe(true);

    await page.click('#submit');
    await page.locator('#confirmation').waitFor();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.url).toMatch(/\/registrations$/);
    expect(sent[1]?.body.waitFor).toEqual({ '1': 'crisis-oefenen' });
  });
});

describe.concurrent('waiting lists on the manage page', () => {
  it('a place on the waiting list: status, accepted workshops with positions, and leaving it', async (ctx) => {
    const eventId = await createEvent({ 'weerbare-raad': 1, nepnieuws: 1 });
    await takeSeats(eventId, { '1': 'veilige-wijk', '2': 'weerbare-raad' });
    await takeSeats(eventId, { '1': 'veilige-wijk', '2': 'nepnieuws' });
    const signUp = await api('POST', `/events/${eventId}/waiting-list`, {
      name: 'Joris Kok',
      email: `${unique('joris')}@example.nl`,
      organisation: 'Gemeente Deventer',
      accepts: { '1': ['open-data'], '2': ['weerbare-raad', 'nepnieuws'] },
      consent: true,
    });
    expect(signUp.status).toBe(201);
    expect(signUp.body.registration.status).toBe('waiting');
    const { id } = signUp.body.registration;
    const token = await giveToken(env, id);

    const page = await openManage(env, ctx, `?id=${id}#token=${token}`, { bypassCSP: true });
    await page.locator('#registration').waitFor();
    await waitForText(page, '#reg-status', /Op de wachtlijst/);
    expect(await text(page, '#reg-status')).toMatch(/^Op de wachtlijst \(aangemeld op /);
    expect(await text(page, '#reg-waiting-note')).toContain('automatisch aangemeld');
    expect(await text(page, '#reg-choices-heading')).toBe('Workshops die u goed vindt');
    expect(await page.locator('#reg-choices dd').nth(1).locator('li').allTextContents()).toEqual([
      'De weerbare gemeenteraad – plaats 1 op de wachtlijst',
      'Nepnieuws herkennen – plaats 1 op de wachtlijst',
    ]);
    // Nothing to change while waiting: no seats are held.
    expect(await page.locator('#change-form').isHidden()).toBe(true);
    expect(await page.locator('#waiting-section').isHidden()).toBe(true);
    expect(await text(page, '#cancel-heading')).toBe('Van de wachtlijst af');
    expect(await text(page, '#cancel-open')).toBe('Van de wachtlijst af');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifactsDir, 'manage-waiting.png'), fullPage: true });

    await page.click('#cancel-open');
    await page.locator('#cancel-dialog').waitFor();
    expect(await text(page, '#cancel-dialog-title')).toBe('Weet u zeker dat u van de wachtlijst af wilt?');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.click('#cancel-confirm');
    await waitForText(page, '#page-status', /niet meer op de wachtlijst/);
    expect((await focused(page)).id).toBe('page-status');
    expect(await page.locator('#cancel-section').isHidden()).toBe(true);
    expect((await apiRegistration(id, token)).status).toBe('cancelled');
    expect(await waitingList(eventId)).toEqual([]);
  });

  it('a confirmed registration joins the list of a full workshop, sees its place and leaves it', async (ctx) => {
    const eventId = await createEvent({ 'crisis-oefenen': 1 });
    await takeSeats(eventId, { '1': 'crisis-oefenen', '2': 'weerbare-raad' });
    const made = await env.register(eventId, `${unique('eva')}@example.nl`, {
      '1': 'open-data',
      '2': 'nepnieuws',
    });
    expect(made.status).toBe(201);
    const { id } = ((await made.json()) as { registration: { id: string } }).registration;
    const token = await giveToken(env, id);

    const page = await openManage(env, ctx, `?id=${id}#token=${token}`, { bypassCSP: true });
    await page.locator('#waiting-section').waitFor();
    expect(await text(page, '#join-crisis-oefenen')).toBe(
      'Op de wachtlijst voor ‘Crisis oefenen met de raad’',
    );
    expect(await text(page, '[data-round-id="1"] [data-workshop-id="crisis-oefenen"]')).toBe(
      'Crisis oefenen met de raad – VOL · nog niemand op de wachtlijst',
    );
    // A round without a full workshop has nothing to wait for.
    expect(await text(page, '[data-round-id="2"]')).toContain('Geen volle workshops');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.click('#join-crisis-oefenen');
    await waitForText(page, '#page-status', /nu op de wachtlijst/);
    expect(await text(page, '#page-status')).toBe(
      'U staat nu op de wachtlijst voor ‘Crisis oefenen met de raad’ (plaats 1). Uw huidige plaats houdt u tot er een plaats vrijkomt.',
    );
    expect(await text(page, '[data-round-id="1"] .waiting-on')).toBe(
      'U staat op de wachtlijst voor ‘Crisis oefenen met de raad’ (plaats 1).',
    );
    expect(await text(page, '#leave-1')).toBe('Van de wachtlijst af voor ‘Crisis oefenen met de raad’');
    expect(await page.locator('#join-crisis-oefenen').count()).toBe(0);
    const joined = await apiRegistration(id, token);
    expect(joined.waitingFor).toEqual({ '1': ['crisis-oefenen'] });
    expect(joined.choices).toEqual({ '1': 'open-data', '2': 'nepnieuws' });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifactsDir, 'manage-waiting-lists.png'), fullPage: true });

    await page.click('#leave-1');
    await waitForText(page, '#page-status', /niet meer op de wachtlijst/);
    expect(await text(page, '#page-status')).toBe(
      'U staat niet meer op de wachtlijst voor ‘Crisis oefenen met de raad’. Uw huidige plaats houdt u.',
    );
    await page.locator('#join-crisis-oefenen').waitFor();
    const left = await apiRegistration(id, token);
    expect(left.waitingFor?.['1'] ?? []).toEqual([]);
    expect(left.choices).toEqual({ '1': 'open-data', '2': 'nepnieuws' });
    expect(await waitingList(eventId, 'crisis-oefenen')).toEqual([]);
  });

  it('joining a list whose workshop has a seat again (NOT_FULL) offers changing to it', async (ctx) => {
    const eventId = await createEvent({ 'crisis-oefenen': 1 });
    await takeSeats(eventId, { '1': 'crisis-oefenen', '2': 'weerbare-raad' });
    const made = await env.register(eventId, `${unique('kees')}@example.nl`, {
      '1': 'open-data',
      '2': 'nepnieuws',
    });
    const { id } = ((await made.json()) as { registration: { id: string } }).registration;
    const token = await giveToken(env, id);

    const page = await openManage(env, ctx, `?id=${id}#token=${token}`);
    await page.locator('#join-crisis-oefenen').waitFor();
    // Meanwhile the organiser adds a seat.
    const raised = await admin(
      'PUT',
      `/admin/events/${eventId}`,
      testEventDefinition({ 'crisis-oefenen': 2 }),
    );
    expect(raised.status).toBe(200);

    await page.click('#join-crisis-oefenen');
    await waitForText(page, '#waiting-alert', /Er is nog plaats in ‘Crisis oefenen met de raad’/);
    expect(await text(page, '#waiting-switch')).toBe('Wissel naar ‘Crisis oefenen met de raad’');
    expect((await focused(page)).id).toBe('waiting-switch');
    await page.click('#waiting-switch');
    await waitForText(page, '#page-status', /workshops zijn gewijzigd/);
    expect((await apiRegistration(id, token)).choices).toEqual({ '1': 'crisis-oefenen', '2': 'nepnieuws' });
    expect(await page.locator('#reg-choices dd').first().textContent()).toBe('Crisis oefenen met de raad');
  });

  it('explains ALREADY_WAITING when the page was out of date', async (ctx) => {
    const eventId = await createEvent({ 'crisis-oefenen': 1, 'veilige-wijk': 1 });
    await takeSeats(eventId, { '1': 'crisis-oefenen', '2': 'weerbare-raad' });
    await takeSeats(eventId, { '1': 'veilige-wijk', '2': 'weerbare-raad' });
    const made = await env.register(eventId, `${unique('lot')}@example.nl`, {
      '1': 'open-data',
      '2': 'nepnieuws',
    });
    const { id } = ((await made.json()) as { registration: { id: string } }).registration;
    const token = await giveToken(env, id);

    const page = await openManage(env, ctx, `?id=${id}#token=${token}`);
    await page.locator('#join-veilige-wijk').waitFor();
    // Another tab joins a list in round 1 first.
    const elsewhere = await api(
      'POST',
      `/registrations/${id}/waiting-list`,
      { workshopId: 'crisis-oefenen' },
      { Authorization: `Bearer ${token}` },
    );
    expect(elsewhere.status).toBe(200);

    await page.click('#join-veilige-wijk');
    await waitForText(page, '#waiting-alert', /al op een wachtlijst/);
    // The page shows what is true now: waiting for the other workshop.
    expect(await text(page, '[data-round-id="1"] .waiting-on')).toContain('Crisis oefenen met de raad');
    expect(await page.locator('#join-veilige-wijk').count()).toBe(0);
  });
});
