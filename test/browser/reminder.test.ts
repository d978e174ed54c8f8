import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailsTo } from '../support/mail.js';
import { daysAfter, zoneWhereRemindersAreDue } from '../support/reminders.js';
import {
  openManage,
  startWebEnv,
  testEventDefinition,
  text,
  unique,
  type WebEnv,
  waitForText,
} from './support.js';

/**
 * The reminder's "Ik kan niet komen" link (issue 16) in Chromium against the local stack: the schedule runs
 * through `POST /local/schedules/sendReminders`, the link comes from the reminder email the local SES received,
 * and one click in the page confirms the cancellation.
 */

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => env?.close());

const adminAuth = () => ({ Authorization: `Bearer ${env.stack.adminToken}` });

/** The "Ik kan niet komen" link of the reminder the local SES received for `email`. */
async function cantComeLink(email: string): Promise<string> {
  const reminder = (await emailsTo(env.stack, email)).find((candidate) =>
    candidate.subject.startsWith('Herinnering'),
  );
  const link = /Ik kan niet komen: (\S+)/.exec(reminder?.body.text ?? '')?.[1];
  if (!link) throw new Error(`no reminder with the "Ik kan niet komen" link for ${email}`);
  return link;
}

describe('the reminder email', () => {
  it('"Ik kan niet komen" opens the manage page at the cancel step; one click cancels', async (ctx) => {
    const { timezone, today } = zoneWhereRemindersAreDue();
    const eventId = unique('herinnering');
    const put = await fetch(env.url(`/admin/events/${eventId}`), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', ...adminAuth() },
      body: JSON.stringify({
        ...testEventDefinition(),
        date: daysAfter(today, 2),
        timezone,
        reminders: { daysBefore: [2] },
      }),
    });
    expect(put.status).toBe(201);
    const email = `${unique('komt-niet')}@example.nl`;
    const registered = await env.register(eventId, email, { '1': 'crisis-oefenen', '2': 'weerbare-raad' });
    expect(registered.status).toBe(201);
    const { registration } = (await registered.json()) as { registration: { id: string } };

    const run = await fetch(env.url('/local/schedules/sendReminders'), {
      method: 'POST',
      headers: adminAuth(),
    });
    expect(run.status).toBe(200);
    const link = await cantComeLink(email);
    expect(new URL(link).searchParams.get('step')).toBe('cancel');

    const page = await openManage(env, ctx, link.slice(link.indexOf('?')));
    // The cancel confirmation is open without a click; nothing is cancelled yet.
    await page.locator('#cancel-dialog[open]').waitFor();
    const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token') ?? '';
    const status = async () =>
      (
        (await (
          await fetch(env.url(`/registrations/${registration.id}`), {
            headers: { Authorization: `Bearer ${token}` },
          })
        ).json()) as { registration: { status: string } }
      ).registration.status;
    expect(await status()).toBe('confirmed');

    await page.click('#cancel-confirm');
    await waitForText(page, '#page-status', /geannuleerd/);
    expect(await text(page, '#reg-status')).toMatch(/^Geannuleerd/);
    expect(await status()).toBe('cancelled');
  });
});
