import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { main } from '../../scripts/admin.js';
import { cliIo } from '../support/cli-io.js';
import { api, startTestStack } from '../support/local-stack.js';
import { emailsTo, sentEmails } from '../support/mail.js';
import { registerWithManageLink } from '../support/registrations.js';

/** `put-event --dry-run` and `--no-notify`: the CLI's side of `PUT /admin/events/{eventId}?dryRun&notify`. */

let stack: LocalStack;
let dir: string;
let file: string;
const EVENT = 'cli-programma';

const definition = (change: { startTime?: string; venue?: string; workshops?: string[] } = {}) => ({
  title: 'CLI-programmadag',
  date: '2030-10-10',
  timezone: 'Europe/Amsterdam',
  startTime: change.startTime ?? '09:30',
  venue: change.venue ?? 'Stadhuis',
  rounds: [
    {
      id: '1',
      title: 'Ochtend',
      workshops: (change.workshops ?? ['lezen', 'schrijven']).map((id) => ({
        id,
        title: id === 'lezen' ? 'Lezen' : 'Schrijven',
        capacity: 5,
      })),
    },
  ],
});

/** Writes the definition file and runs `put-event` on it with the flags given. */
async function putEvent(body: unknown, ...flags: string[]) {
  await writeFile(file, JSON.stringify(body));
  const cli = cliIo(stack.adminToken);
  const code = await main(
    ['put-event', file, ...flags, '--url', stack.apiUrl, '--token', stack.adminToken],
    cli.io,
  );
  return { code, out: cli.out.join('\n'), err: cli.err.join('\n') };
}

const stored = async (eventId = EVENT) =>
  api(stack, 'GET', `/admin/events/${eventId}`, undefined, { Authorization: `Bearer ${stack.adminToken}` });
const programmeEmails = async (address: string) =>
  (await emailsTo(stack, address)).filter((email) => email.subject.startsWith('Het programma is gewijzigd'));
const allEmails = async () => {
  await stack.emailsSettled();
  return sentEmails(stack.sesUrl);
};

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(path.join(tmpdir(), 'vol-admin-cli-put-event-'));
  file = path.join(dir, `${EVENT}.json`);
  expect((await putEvent(definition())).code).toBe(0);
  for (const [n, workshop] of [
    [1, 'lezen'],
    [2, 'schrijven'],
  ] as const) {
    const who = { name: `Programma ${n}`, email: `programma${n}@example.nl`, organisation: 'Gemeente Oss' };
    await registerWithManageLink(stack, EVENT, { ...who, consent: true }, { '1': workshop });
  }
});
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run admin -- put-event with --dry-run and --no-notify', () => {
  it('--dry-run of an update prints how many would be emailed, changes and sends nothing, and is refused as the update would be', async () => {
    const before = await stored();
    const emailsBefore = await allEmails();

    const dry = await putEvent(definition({ startTime: '09:00' }), '--dry-run');
    expect(dry.err).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.out).toBe(
      `Proefrun: evenement ${EVENT} zou worden bijgewerkt; 2 personen zouden een gewijzigd programma per e-mail krijgen; er is niets gewijzigd.`,
    );
    expect((await stored()).body).toEqual(before.body);
    expect(await allEmails()).toEqual(emailsBefore);

    // Both flags: a dry run of an update that would email nobody.
    const quietDry = await putEvent(definition({ startTime: '09:00' }), '--dry-run', '--no-notify');
    expect(quietDry.code).toBe(0);
    expect(quietDry.out).toBe(
      `Proefrun: evenement ${EVENT} zou worden bijgewerkt zonder iemand te mailen (--no-notify); er is niets gewijzigd.`,
    );
    expect((await stored()).body).toEqual(before.body);

    // --json prints the API's dry-run answer as it is.
    const json = await putEvent(definition({ startTime: '09:00' }), '--dry-run', '--json');
    expect(JSON.parse(json.out)).toEqual({ dryRun: true, created: false, notified: 2 });
    expect((await stored()).body).toEqual(before.body);
    expect(await allEmails()).toEqual(emailsBefore);

    // Refused as the update would be (removing a workshop that holds registrations), in the CLI's error style.
    const refused = await putEvent(definition({ workshops: ['lezen'] }), '--dry-run');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^Geweigerd \(HTTP 409, WORKSHOP_IN_USE\): /);
    expect((await stored()).body).toEqual(before.body);
  });

  it('--dry-run of a new event says it would be created and creates nothing', async () => {
    const newFile = path.join(dir, 'cli-nog-niet.json');
    await writeFile(newFile, JSON.stringify(definition()));
    const cli = cliIo(stack.adminToken);
    expect(
      await main(
        ['put-event', newFile, '--dry-run', '--url', stack.apiUrl, '--token', stack.adminToken],
        cli.io,
      ),
    ).toBe(0);
    expect(cli.out.join('\n')).toBe(
      'Proefrun: evenement cli-nog-niet zou worden aangemaakt; er is niets gewijzigd.',
    );
    expect((await stored('cli-nog-niet')).status).toBe(404);
  });

  it('--no-notify updates the event and emails nobody; a normal update emails the people concerned', async () => {
    const quiet = await putEvent(definition({ startTime: '09:00' }), '--no-notify');
    expect(quiet.err).toBe('');
    expect(quiet.code).toBe(0);
    expect(quiet.out).toMatch(new RegExp(`^Evenement ${EVENT} bijgewerkt: CLI-programmadag`));
    expect(quiet.out).toMatch(/\nNiemand gemaild \(--no-notify\)\.$/);
    expect((await stored()).body.startTime).toBe('09:00');
    expect(await programmeEmails('programma1@example.nl')).toEqual([]);
    expect(await programmeEmails('programma2@example.nl')).toEqual([]);

    const told = await putEvent(definition({ startTime: '10:00' }));
    expect(told.code).toBe(0);
    expect(told.out).toMatch(/\n2 personen krijgen het gewijzigde programma per e-mail\.$/);
    expect((await stored()).body.startTime).toBe('10:00');
    for (const address of ['programma1@example.nl', 'programma2@example.nl']) {
      const [email, ...more] = await programmeEmails(address);
      expect(more).toEqual([]);
      expect(email?.body.text).toContain('Begintijd: 10:00 (was: 09:00)');
    }
  });
});
