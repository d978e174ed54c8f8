import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { emailsTo } from '../support/mail.js';
import {
  focused,
  type NewPageOptions,
  seriousA11yViolations,
  signInToDashboard,
  startWebEnv,
  tabTo,
  unique,
  type WebEnv,
} from './support.js';

/**
 * The organisers' dashboard's Messages view and the editor's count of whom a change emails (issue 18, items 5
 * and 6, on the messages API of issue 16), in Chromium against the local stack: the count shown is the API's
 * dry run, a sent message reaches exactly its audience in the local SES and shows in the list with its delivery
 * counts, the editor counts before saving and "email nobody" emails nobody, and axe finds nothing serious.
 */

let env: WebEnv;
let eventId: string;
const ADMIN = () => ({ Authorization: `Bearer ${env.stack.adminToken}` });

/** Confirmed: two in "veilige-wijk" (full), one in "open-data"; one waits for "veilige-wijk". */
const addresses = {
  wijkA: unique('wijk-a'),
  wijkB: unique('wijk-b'),
  openData: unique('open'),
  waiting: unique('wacht'),
};
const mail = (local: string) => `${local}@example.nl`;

// biome-ignore lint/suspicious/noExplicitAny: the admin API's JSON, read field by field
async function adminApi(method: string, urlPath: string, body?: unknown): Promise<Record<string, any>> {
  const response = await fetch(env.url(urlPath), {
    method,
    headers: { ...ADMIN(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${urlPath}`).toBeLessThan(300);
  return response.json();
}

beforeAll(async () => {
  env = await startWebEnv();
  eventId = await env.createEvent({ 'veilige-wijk': 2 });
  // Through the API so that the event is in the registry of events, as the dashboard's list needs.
  await adminApi('PUT', `/admin/events/${eventId}`, await adminApi('GET', `/admin/events/${eventId}`));
  for (const [local, first] of [
    [addresses.wijkA, 'veilige-wijk'],
    [addresses.wijkB, 'veilige-wijk'],
    [addresses.openData, 'open-data'],
  ] as const) {
    expect((await env.register(eventId, mail(local), { '1': first, '2': 'nepnieuws' })).status).toBe(201);
  }
  const waiting = await fetch(env.url(`/events/${eventId}/waiting-list`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: 'Wil Wachten',
      email: mail(addresses.waiting),
      organisation: 'Gemeente Test',
      accepts: { '1': ['veilige-wijk'], '2': ['nepnieuws'] },
      consent: true,
    }),
  });
  expect(waiting.status).toBeLessThan(300);
});
afterAll(async () => env?.close());

async function signInTo(ctx: TestContext, view: string, options: NewPageOptions = {}) {
  const page = await signInToDashboard(env, ctx, options);
  await page.locator(`[data-event="${eventId}"]`).click();
  await page.locator('#overview-body [data-workshop]').first().waitFor();
  await page.locator(`button[data-view="${view}"]`).click();
  // The page moves the focus to the view's heading once the view is drawn.
  await page.waitForFunction(() => document.activeElement?.id === 'view-heading');
  return page;
}

async function shownCount(page: Page): Promise<number> {
  await page.locator('#recipients-count[data-recipients]').waitFor();
  return Number(await page.locator('#recipients-count').getAttribute('data-recipients'));
}

describe('the dashboard’s messages', () => {
  it('shows the API’s dry-run count, sends after confirming that number, and lists the delivery counts', async (ctx) => {
    const page = await signInTo(ctx, 'messages');
    await page.getByRole('heading', { name: 'Berichten', exact: true }).waitFor();
    const subject = `Zaalwijziging ${unique('s')}`;
    await page.getByLabel('Onderwerp (Nederlands)').fill(subject);
    await page.getByLabel('Tekst (Nederlands)').fill('De workshop is verplaatst naar zaal 2.');

    // Everyone confirmed (the default), then only those of one workshop, confirmed and waiting.
    await page.getByRole('button', { name: 'Bekijk ontvangers' }).click();
    const everyone = await adminApi('POST', `/admin/events/${eventId}/messages`, {
      subject: { nl: subject },
      body: { nl: 'x' },
      dryRun: true,
    });
    expect(everyone.message).toMatchObject({ id: null, state: 'dry-run', recipients: 3 });
    expect(await shownCount(page)).toBe(everyone.message.recipients);
    await page.getByText('Dit bericht gaat naar 3 personen.').waitFor();

    await page.getByLabel('Een veilige wijk, samen met bewoners').check();
    await page.getByLabel('Wie op de wachtlijst staat').check();
    await page.getByRole('button', { name: 'Bekijk ontvangers' }).click();
    const audience = { workshopIds: ['veilige-wijk'], statuses: ['confirmed', 'waiting'] };
    const chosen = await adminApi('POST', `/admin/events/${eventId}/messages`, {
      subject: { nl: subject },
      body: { nl: 'x' },
      audience,
      dryRun: true,
    });
    expect(chosen.message.recipients).toBe(3);
    await page.getByText('Dit bericht gaat naar 3 personen.').waitFor();
    // Only the waiting list of that workshop: the count changes with the choice.
    await page.getByLabel('Bevestigde deelnemers').uncheck();
    await page.getByRole('button', { name: 'Bekijk ontvangers' }).click();
    await page.getByText('Dit bericht gaat naar 1 persoon.').waitFor();
    await page.getByLabel('Bevestigde deelnemers').check();

    await page.getByRole('button', { name: 'Versturen' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Dit bericht versturen?').waitFor();
    await dialog.getByText('Het bericht gaat naar 3 personen.').waitFor();
    await dialog.getByRole('button', { name: 'Ja, doorgaan' }).click();
    await page.getByText('Het bericht wordt verstuurd naar 3 personen.').first().waitFor();

    // Stored as chosen, and the emails reach exactly that audience.
    const list = await adminApi('GET', `/admin/events/${eventId}/messages`);
    const message = list.items.find((item: { subject: { nl: string } }) => item.subject.nl === subject);
    expect(message).toMatchObject({ recipients: 3, audience });
    for (const local of [addresses.wijkA, addresses.wijkB, addresses.waiting]) {
      const emails = await emailsTo(env.stack, mail(local));
      expect(
        emails.filter((email) => email.subject === subject),
        local,
      ).toHaveLength(1);
    }
    expect((await emailsTo(env.stack, mail(addresses.openData))).map((email) => email.subject)).not.toContain(
      subject,
    );

    // The list (refreshed while open) shows the message with its delivery counts.
    const row = page.locator('#message-list tr', { hasText: subject });
    await row.waitFor();
    await expect(row.locator('[data-count="recipients"]').textContent()).resolves.toBe('3');
    await row.locator('[data-count="sent"]', { hasText: /^3$/ }).waitFor({ timeout: 30_000 });
    await expect(row.locator('[data-count="pending"]').textContent()).resolves.toBe('0');
    await expect(row.locator('[data-count="failed"]').textContent()).resolves.toBe('0');
    // The form is empty again; nothing of the message went into the address or the title.
    await expect(page.getByLabel('Onderwerp (Nederlands)').inputValue()).resolves.toBe('');
    expect(page.url()).toBe(env.url('/admin/'));
    expect(await page.title()).not.toContain('Zaalwijziging');
  });

  it('is usable with the keyboard alone: compose, choose a workshop, see the count', async (ctx) => {
    const page = await signInTo(ctx, 'messages');
    await page.getByLabel('Onderwerp (Nederlands)').focus();
    await page.keyboard.type('Parkeren');
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('message-body-nl');
    await page.keyboard.type('Parkeer bij de achteringang.');
    // "Open data in de gemeente": one person holds it.
    await tabTo(page, (element) => element.id === 'audience-workshop-1');
    await page.keyboard.press('Space');
    await tabTo(page, (element) => element.id === 'preview-recipients');
    await page.keyboard.press('Enter');
    await page.getByText('Dit bericht gaat naar 1 persoon.').waitFor();
  });

  it('marks a missing subject or text and an empty audience, and sends nothing', async (ctx) => {
    const page = await signInTo(ctx, 'messages');
    const before = (await adminApi('GET', `/admin/events/${eventId}/messages`)).items.length;
    await page.getByLabel('Bevestigde deelnemers').uncheck();
    await page.getByRole('button', { name: 'Versturen' }).click();
    await expect(page.getByLabel('Onderwerp (Nederlands)').getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
    await expect(page.getByLabel('Tekst (Nederlands)').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByText('Kies bevestigde deelnemers, de wachtlijst of allebei.').waitFor();
    // A subject of over 200 characters: the API's refusal next to the field.
    await page.getByLabel('Bevestigde deelnemers').check();
    await page.getByLabel('Onderwerp (Nederlands)').evaluate((input: HTMLInputElement) => {
      input.removeAttribute('maxlength');
      input.value = 'x'.repeat(201);
    });
    await page.getByLabel('Tekst (Nederlands)').fill('Tekst');
    await page.getByRole('button', { name: 'Bekijk ontvangers' }).click();
    await page.locator('#message-subject-nl-error:not(:empty)').waitFor();
    await expect(page.locator('#recipients-count').getAttribute('data-recipients')).resolves.toBeNull();
    expect((await adminApi('GET', `/admin/events/${eventId}/messages`)).items).toHaveLength(before);
  });

  it('has no serious or critical accessibility violations, at 320 px and in English', async (ctx) => {
    for (const viewport of [undefined, { width: 320, height: 800 }]) {
      const page = await signInTo(ctx, 'messages', { bypassCSP: true, viewport });
      await page.waitForLoadState('networkidle');
      expect(await seriousA11yViolations(page), `${viewport?.width ?? 1280} px`).toEqual([]);
      // With the errors shown, too.
      await page.getByRole('button', { name: 'Versturen' }).click();
      await page.locator('#message-subject-nl[aria-invalid="true"]').waitFor();
      expect(await seriousA11yViolations(page), `errors at ${viewport?.width ?? 1280} px`).toEqual([]);
      if (viewport) {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, 'scrolls sideways at 320 px').toBeLessThanOrEqual(0);
      }
    }
    const english = await signInTo(ctx, 'messages', { bypassCSP: true });
    await english.getByRole('button', { name: 'English' }).click();
    // The view is drawn again in English.
    await english.getByRole('heading', { name: 'Messages', exact: true }).waitFor();
    await english.getByLabel('Subject (Dutch)').waitFor();
    expect(await seriousA11yViolations(english)).toEqual([]);
  });
});

/** The "updated programme" emails a person has had. */
async function programmeEmailsTo(local: string) {
  return (await emailsTo(env.stack, mail(local))).filter((email) =>
    email.subject.startsWith('Het programma is gewijzigd'),
  );
}

/** How many "updated programme" emails each test person has had. */
async function programmeEmailCounts(): Promise<Record<keyof typeof addresses, number>> {
  const counts = await Promise.all(
    Object.entries(addresses).map(async ([who, local]) => [who, (await programmeEmailsTo(local)).length]),
  );
  return Object.fromEntries(counts);
}

describe('the editor’s count of whom a change emails', () => {
  it('shows the dry run’s count for a title change; "email nobody" saves without emails, else they go out', async (ctx) => {
    const page = await signInTo(ctx, 'editor');
    const stored = await adminApi('GET', `/admin/events/${eventId}`);
    const typo = `${stored.title} (tikfout)`;
    const expected = await adminApi('PUT', `/admin/events/${eventId}?dryRun=true`, {
      ...stored,
      title: typo,
    });
    expect(expected).toMatchObject({ dryRun: true, created: false });
    expect(expected.notified).toBeGreaterThan(0);
    const programmeEmails = async () => (await programmeEmailsTo(addresses.wijkA)).length;
    const emailsBefore = await programmeEmails();

    await page.getByLabel('Naam van het evenement').fill(typo);
    await page.getByRole('button', { name: 'Opslaan', exact: true }).click();
    await page.getByText(`Deze wijziging mailt ${expected.notified} personen`).waitFor();
    // Nothing is saved before the second step.
    expect((await adminApi('GET', `/admin/events/${eventId}`)).title).toBe(stored.title);

    await page.getByLabel('Niemand mailen (alleen een tikfout)').check();
    await page.getByRole('button', { name: 'Definitief opslaan' }).click();
    await page.getByText('Het evenement is opgeslagen.').waitFor();
    expect((await adminApi('GET', `/admin/events/${eventId}`)).title).toBe(typo);
    expect(await programmeEmails()).toBe(emailsBefore);

    // A real change: saved after the count, and the updated programme goes out.
    await page.getByLabel('Locatie').fill('Stadhuis, zaal 2');
    await page.getByRole('button', { name: 'Opslaan', exact: true }).click();
    await page.getByText(`Deze wijziging mailt ${expected.notified} personen`).waitFor();
    await page.getByRole('button', { name: 'Definitief opslaan' }).click();
    await page.getByText(`${expected.notified} personen krijgen een e-mail`).waitFor();
    expect((await adminApi('GET', `/admin/events/${eventId}`)).venue).toBe('Stadhuis, zaal 2');
    expect(await programmeEmails()).toBe(emailsBefore + 1);

    // A capacity change emails nobody: saved straight away, no count asked for.
    await page.getByLabel('Ronde 1: Open data in de gemeente').fill('12');
    await page.getByRole('button', { name: 'Opslaan', exact: true }).click();
    await page.getByText('Het evenement is opgeslagen.').waitFor();
    await expect(page.locator('#editor-notify').isHidden()).resolves.toBe(true);
  });

  it('counts and emails only the confirmed holders of a workshop whose title, speakers or notice change', async (ctx) => {
    const page = await signInTo(ctx, 'editor');
    const stored = await adminApi('GET', `/admin/events/${eventId}`);
    const workshop = page.getByRole('group', { name: 'Ronde 1 · Een veilige wijk, samen met bewoners' });
    const title = workshop.getByLabel('Titel', { exact: true });

    // An empty title and a speaker's name over 200 characters: the API's refusals next to their fields, nothing
    // saved, nobody emailed.
    const before = await programmeEmailCounts();
    /** The holders of "veilige-wijk" had `times` more updated programmes since `before`; everyone else none. */
    const onlyHoldersTold = async (times: number) =>
      expect(await programmeEmailCounts()).toEqual({
        ...before,
        wijkA: before.wijkA + times,
        wijkB: before.wijkB + times,
      });
    const speakers = workshop.getByLabel('Sprekers', { exact: true });
    await title.fill('');
    await speakers.fill(`Sanne de Boer\n${'x'.repeat(201)}`);
    await page.getByRole('button', { name: 'Opslaan', exact: true }).click();
    await page.locator('#workshop-title-veilige-wijk-error:not(:empty)').waitFor();
    await page.locator('#workshop-speakers-veilige-wijk-error:not(:empty)').waitFor();
    await expect(title.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(speakers.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#editor-notify').isHidden()).resolves.toBe(true);
    expect(await adminApi('GET', `/admin/events/${eventId}`)).toEqual(stored);
    await speakers.fill(stored.rounds[0].workshops[0].speakers.join('\n'));

    // A new title of "veilige-wijk": the count is the API's dry run, that workshop's two confirmed holders.
    const newTitle = 'Een veilige wijk, samen met bewoners en wijkagent';
    const changed = structuredClone(stored);
    changed.rounds[0].workshops[0].title = newTitle;
    const expected = await adminApi('PUT', `/admin/events/${eventId}?dryRun=true`, changed);
    expect(expected.notified).toBe(2);
    await title.fill(newTitle);
    await page.getByRole('button', { name: 'Opslaan', exact: true }).click();
    await page.getByText(`Deze wijziging mailt ${expected.notified} personen`).waitFor();
    await page.getByRole('button', { name: 'Definitief opslaan' }).click();
    await page.getByText(`${expected.notified} personen krijgen een e-mail`).waitFor();
    expect((await adminApi('GET', `/admin/events/${eventId}`)).rounds[0].workshops[0].title).toBe(newTitle);
    // Exactly those two get the updated programme naming the new title; the other workshop's and the waiting
    // list's people get nothing.
    await onlyHoldersTold(1);
    for (const local of [addresses.wijkA, addresses.wijkB])
      expect((await programmeEmailsTo(local)).at(-1)?.body.text).toContain(newTitle);

    // With the keyboard alone: speakers one a line and a notice, saved with Enter, confirmed with Tab and Enter.
    await title.focus();
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('workshop-speakers-veilige-wijk');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Sanne de Boer');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Piet Jansen');
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('workshop-notice-veilige-wijk');
    await page.keyboard.type('Vervangt het werkbezoek.');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    // The count (focused) shows once the dry run has answered; once saved, the focus returns to "Opslaan".
    await page.locator('#notify-count', { hasText: 'Deze wijziging mailt 2 personen' }).waitFor();
    await tabTo(page, (element) => element.id === 'notify-confirm');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'editor-save');
    await page.getByText('2 personen krijgen een e-mail').waitFor();
    const saved = (await adminApi('GET', `/admin/events/${eventId}`)).rounds[0].workshops[0];
    expect(saved).toMatchObject({
      speakers: ['Sanne de Boer', 'Piet Jansen'],
      notice: 'Vervangt het werkbezoek.',
    });
    await onlyHoldersTold(2);
  });

  it('names the workshop fields in English, with no serious accessibility violations, refusals shown', async (ctx) => {
    const page = await signInTo(ctx, 'editor', { bypassCSP: true });
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('group', { name: 'Workshops (shown in the emails)' }).waitFor();
    const workshop = page.getByRole('group', { name: /^Ronde 2 · Nepnieuws herkennen$/ });
    await workshop.getByLabel('Speakers', { exact: true }).waitFor();
    await workshop.getByLabel('Notice', { exact: true }).waitFor();
    await workshop.getByLabel('Title', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#workshop-title-nepnieuws-error:not(:empty)').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
