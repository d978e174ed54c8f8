import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { MailKind } from '../../lambdas/domain/email.js';
import { type EventDefinition, eventDefinitionSchema } from '../../lambdas/domain/event-definition.js';
import type { Locale, StoredRegistration } from '../../lambdas/domain/registration.js';
import { type ComposeInput, composeEmail, manageUrl } from '../../lambdas/email/compose.js';

const eventId = 'dag-van-weerbaar-bestuur-2019';
const event: EventDefinition = eventDefinitionSchema.parse(
  JSON.parse(await readFile(new URL(`../../events/${eventId}.json`, import.meta.url), 'utf8')),
);

// Ronde 1
const WIJK = 'wijk-van-ons-allemaal';
const VRIJHEID = 'vrijheid-van-meningsuiting';
const AMBTELIJK = 'ambtelijke-bestuurlijke-weerbaarheid';
// Ronde 2
const ZICHT = 'zicht-op-ondermijning';
const INTEGRITEIT = 'integriteit-bestuurscultuur';
const DESINFORMATIE = 'desinformatie-nepnieuws';

function title(definition: EventDefinition, workshopId: string): string {
  for (const round of definition.rounds) {
    const workshop = round.workshops.find((candidate) => candidate.id === workshopId);
    if (workshop) return workshop.title;
  }
  throw new Error(`no workshop ${workshopId}`);
}

const EMAIL = 'anna.secret@example.nl';
const TOKEN = 'tok_abcdefghijklmnopqrstuvwxyz';
const link = manageUrl('https://aanmelden.example.nl/', 'reg123456789', TOKEN);

const registration = (overrides: Partial<StoredRegistration> = {}): StoredRegistration => ({
  id: 'reg123456789',
  eventId,
  name: 'Anna de Vries',
  email: EMAIL,
  organisation: 'Gemeente Utrecht',
  choices: { '1': VRIJHEID, '2': ZICHT },
  status: 'confirmed',
  locale: 'nl',
  createdAt: '2019-09-01T10:00:00.000Z',
  updatedAt: '2019-09-01T10:00:00.000Z',
  version: 1,
  emailHash: 'h',
  manageTokenHash: 'h',
  ...overrides,
});

/** The text of an iCalendar file with folded lines joined and TEXT escapes undone. */
function icsText(ics: string | Buffer): string {
  return String(ics)
    .replace(/\r\n[ \t]/g, '')
    .replace(/\\n/gi, '\n')
    .replace(/\\([,;\\])/g, '$1');
}

/** Every email of one kind, as the sender would build it: always given the link, to see who drops it. */
function compose(input: Omit<ComposeInput, 'eventId' | 'event'> & { event?: EventDefinition }) {
  return composeEmail({ eventId, event, manageUrl: link, ...input });
}

const T = {
  nl: {
    position: (n: number) => `nummer ${n} op de wachtlijst`,
    subject: {
      'waiting-list': 'U staat op de wachtlijst: Dag van Weerbaar Bestuur',
      'waiting-list-joined': 'U staat op de wachtlijst voor een workshop: Dag van Weerbaar Bestuur',
      promotion: 'Er is een plaats vrijgekomen: Dag van Weerbaar Bestuur',
      'waiting-list-left': 'U staat niet meer op de wachtlijst: Dag van Weerbaar Bestuur',
    },
    automatically: 'melden we u automatisch aan en krijgt u een e-mail',
    movedAutomatically: 'zetten we u automatisch over en krijgt u een e-mail',
    keepSeat: 'Uw huidige plaats houdt u',
    replacesLinks: 'Deze link vervangt de links in eerdere e-mails',
    seatsStay: 'Uw plaatsen blijven staan.',
    leftAltogether: 'U staat nu op geen enkele wachtlijst meer en u bent niet aangemeld voor deze dag.',
    waitingHeading: 'Wachtlijst:',
  },
  en: {
    position: (n: number) => `number ${n} on the waiting list`,
    subject: {
      'waiting-list': 'You are on the waiting list: Dag van Weerbaar Bestuur',
      'waiting-list-joined': 'You are on the waiting list for a workshop: Dag van Weerbaar Bestuur',
      promotion: 'A seat has become available: Dag van Weerbaar Bestuur',
      'waiting-list-left': 'You are no longer on the waiting list: Dag van Weerbaar Bestuur',
    },
    automatically: 'we register you automatically and email you',
    movedAutomatically: 'we move you over automatically and email you',
    keepSeat: 'You keep your current seat',
    replacesLinks: 'This link replaces the links in earlier emails',
    seatsStay: 'You keep your seats.',
    leftAltogether: 'You are no longer on any waiting list, and you are not registered for this day.',
    waitingHeading: 'Waiting list:',
  },
} as const;

describe.each(['nl', 'en'] as const)('waiting-list emails (%s)', (locale: Locale) => {
  const t = T[locale];

  it('waiting-list: lists the accepted workshops per round in order, with positions, and a manage link', () => {
    const email = compose({
      kind: 'waiting-list',
      registration: registration({
        locale,
        status: 'waiting',
        choices: {},
        waitingFor: { '1': [WIJK, VRIJHEID], '2': [DESINFORMATIE] },
      }),
      waitingPositions: { [WIJK]: 3, [VRIJHEID]: 1, [DESINFORMATIE]: 2 },
    });
    expect(email.subject).toBe(t.subject['waiting-list']);
    expect(email.text).toContain(`1. ${title(event, WIJK)} (${t.position(3)})`);
    expect(email.text).toContain(`2. ${title(event, VRIJHEID)} (${t.position(1)})`);
    expect(email.text).toContain(`- Ronde 2: ${title(event, DESINFORMATIE)} (${t.position(2)})`);
    expect(email.text.indexOf(title(event, WIJK))).toBeLessThan(email.text.indexOf(title(event, VRIJHEID)));
    expect(email.text).not.toContain(title(event, AMBTELIJK));
    expect(email.text).toContain(t.automatically);
    expect(email.text).toContain(link);
    expect(email.html).toContain(`href="${link}"`);
    expect(email.html).toContain(t.position(3));
    expect(email.attachments).toEqual([]);
  });

  it('waiting-list: leaves positions out when they are not known', () => {
    const email = compose({
      kind: 'waiting-list',
      registration: registration({
        locale,
        status: 'waiting',
        choices: {},
        waitingFor: { '1': [WIJK], '2': [ZICHT] },
      }),
    });
    expect(email.text).toContain(`- Ronde 1: ${title(event, WIJK)}\n`);
    expect(email.text).not.toMatch(/nummer \d+ op de wachtlijst|number \d+ on the waiting list/);
    expect(email.html).not.toMatch(/nummer \d+ op de wachtlijst|number \d+ on the waiting list/);
  });

  it('waiting-list-joined: the workshop waited for with its position and the seats kept; no link, no .ics', () => {
    const email = compose({
      kind: 'waiting-list-joined',
      registration: registration({ locale, waitingFor: { '1': [WIJK] } }),
      waitingPositions: { [WIJK]: 2 },
    });
    expect(email.subject).toBe(t.subject['waiting-list-joined']);
    expect(email.text).toContain(`- Ronde 1: ${title(event, WIJK)} (${t.position(2)})`);
    expect(email.text).toContain(`- Ronde 1: ${title(event, VRIJHEID)}`);
    expect(email.text).toContain(`- Ronde 2: ${title(event, ZICHT)}`);
    expect(email.text).toContain(t.keepSeat);
    expect(email.text).toContain(t.movedAutomatically);
    expect(email.text).not.toContain('manage.html');
    expect(email.html).not.toContain('manage.html');
    expect(email.attachments).toEqual([]);
  });

  it('promotion: the new workshops, an updated .ics (PUBLISH, sequence = version) and a fresh link', () => {
    const email = compose({
      kind: 'promotion',
      registration: registration({ locale, version: 4, choices: { '1': WIJK, '2': ZICHT } }),
    });
    expect(email.subject).toBe(t.subject.promotion);
    expect(email.text).toContain(`- Ronde 1: ${title(event, WIJK)}`);
    expect(email.text).toContain(`- Ronde 2: ${title(event, ZICHT)}`);
    expect(email.text).toContain(link);
    expect(email.text).toContain(t.replacesLinks);
    expect(email.html).toContain(t.replacesLinks);
    expect(email.text).not.toContain(t.waitingHeading);

    expect(email.attachments).toHaveLength(1);
    const [ics] = email.attachments;
    expect(ics?.contentType).toBe('text/calendar; charset=utf-8; method=PUBLISH');
    const calendar = icsText(ics?.content ?? '');
    expect(calendar).toContain('METHOD:PUBLISH');
    expect(calendar).toMatch(/^SEQUENCE:4$/m);
    expect(calendar).toContain('STATUS:CONFIRMED');
    expect(calendar).toContain(`Ronde 1: ${title(event, WIJK)}`);
    expect(calendar).not.toContain(title(event, VRIJHEID));
  });

  it('promotion: mentions the lists the registration is still on', () => {
    const email = compose({
      kind: 'promotion',
      registration: registration({
        locale,
        version: 5,
        choices: { '1': WIJK, '2': ZICHT },
        waitingFor: { '2': [INTEGRITEIT] },
      }),
      waitingPositions: { [INTEGRITEIT]: 1 },
    });
    expect(email.text).toContain(t.waitingHeading);
    expect(email.text).toContain(`- Ronde 2: ${title(event, INTEGRITEIT)} (${t.position(1)})`);
    expect(icsText(email.attachments[0]?.content ?? '')).toMatch(/^SEQUENCE:5$/m);
  });

  it('waiting-list-left (seat held): names the lists left and keeps the seats; no link, no .ics', () => {
    const email = compose({
      kind: 'waiting-list-left',
      registration: registration({ locale }),
      workshopIds: [WIJK],
    });
    expect(email.subject).toBe(t.subject['waiting-list-left']);
    const [leftPart, rest] = email.text.split('Dag van Weerbaar Bestuur\n');
    expect(leftPart).toContain(`- Ronde 1: ${title(event, WIJK)}`);
    expect(rest).toContain(t.seatsStay);
    expect(rest).toContain(`- Ronde 1: ${title(event, VRIJHEID)}`);
    expect(rest).toContain(`- Ronde 2: ${title(event, ZICHT)}`);
    expect(rest).not.toContain(title(event, WIJK));
    expect(email.text).not.toContain(t.leftAltogether);
    expect(email.text).not.toContain('manage.html');
    expect(email.attachments).toEqual([]);
  });

  it('waiting-list-left (a place at the event, now cancelled): off every list, not registered', () => {
    const email = compose({
      kind: 'waiting-list-left',
      registration: registration({ locale, status: 'cancelled', choices: {} }),
      workshopIds: [WIJK, DESINFORMATIE],
    });
    expect(email.subject).toBe(t.subject['waiting-list-left']);
    expect(email.text).toContain(`- Ronde 1: ${title(event, WIJK)}`);
    expect(email.text).toContain(`- Ronde 2: ${title(event, DESINFORMATIE)}`);
    expect(email.text).toContain(t.leftAltogether);
    expect(email.text).not.toContain(t.seatsStay);
    expect(email.text).not.toContain('manage.html');
    expect(email.attachments).toEqual([]);
  });

  it.each(['confirmation', 'change'] as const)(
    '%s: mentions the lists joined with their positions',
    (kind) => {
      const email = compose({
        kind,
        registration: registration({ locale, version: 2, waitingFor: { '1': [WIJK] } }),
        waitingPositions: { [WIJK]: 7 },
      });
      expect(email.text).toContain(t.waitingHeading);
      expect(email.text).toContain(`- Ronde 1: ${title(event, WIJK)} (${t.position(7)})`);
      expect(email.html).toContain(t.position(7));
      expect(email.attachments).toHaveLength(1);
      // The calendar entry holds the seats, not the workshop waited for.
      expect(icsText(email.attachments[0]?.content ?? '')).not.toContain(title(event, WIJK));

      const plain = compose({ kind, registration: registration({ locale }) });
      expect(plain.text).not.toContain(t.waitingHeading);
    },
  );
});

describe('which waiting-list emails carry what', () => {
  const all: { kind: MailKind; ics: 'PUBLISH' | 'CANCEL' | null; link: boolean }[] = [
    { kind: 'confirmation', ics: 'PUBLISH', link: true },
    { kind: 'change', ics: 'PUBLISH', link: true },
    { kind: 'promotion', ics: 'PUBLISH', link: true },
    { kind: 'cancellation', ics: 'CANCEL', link: false },
    { kind: 'waiting-list', ics: null, link: true },
    { kind: 'waiting-list-joined', ics: null, link: false },
    { kind: 'waiting-list-left', ics: null, link: false },
    { kind: 'erasure', ics: null, link: false },
  ];

  it.each(all)('$kind: .ics $ics, manage link $link', ({ kind, ics, link: hasLink }) => {
    const email = compose({
      kind,
      registration: registration({ waitingFor: { '1': [WIJK] } }),
      waitingPositions: { [WIJK]: 1 },
      workshopIds: [WIJK],
    });
    expect(email.attachments.map((attachment) => attachment.contentType)).toEqual(
      ics ? [`text/calendar; charset=utf-8; method=${ics}`] : [],
    );
    expect(email.text.includes(link)).toBe(hasLink);
    expect(email.html.includes(`href="${link}"`)).toBe(hasLink);
  });

  it.each(all.map(({ kind }) => kind))(
    '%s: the address and the token appear only in `to` and the manage link',
    (kind) => {
      const email = compose({
        kind,
        registration: registration({ waitingFor: { '1': [WIJK] } }),
        waitingPositions: { [WIJK]: 1 },
        workshopIds: [WIJK],
      });
      expect(email.to).toBe(EMAIL);
      const everythingElse = [
        email.subject,
        email.text,
        email.html,
        ...email.attachments.map((attachment) => `${attachment.filename}\n${attachment.content}`),
      ].join('\n');
      expect(everythingElse).not.toContain(EMAIL);
      expect(everythingElse.replaceAll(link, '')).not.toContain(TOKEN);
    },
  );
});

describe('HTML escaping in the waiting-list emails', () => {
  const hostile: EventDefinition = structuredClone(event);
  const [round1, round2] = hostile.rounds;
  if (!round1?.workshops[0] || !round2?.workshops[2]) throw new Error('the seed event changed');
  round1.workshops[0].title = 'Wijk <script>alert(1)</script>';
  round2.workshops[2].title = 'Nepnieuws "><img src=x onerror=alert(1)>';

  it.each(['waiting-list', 'waiting-list-joined', 'promotion', 'waiting-list-left', 'confirmation'] as const)(
    '%s escapes workshop titles',
    (kind) => {
      const email = compose({
        kind,
        event: hostile,
        registration: registration({
          choices: { '1': WIJK, '2': DESINFORMATIE },
          waitingFor: { '1': [WIJK], '2': [DESINFORMATIE] },
        }),
        waitingPositions: { [WIJK]: 1, [DESINFORMATIE]: 2 },
        workshopIds: [WIJK, DESINFORMATIE],
      });
      expect(email.html).not.toMatch(/<script|<img/);
      expect(email.html).toContain('Wijk &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(email.html).toContain('Nepnieuws &quot;&gt;&lt;img');
      expect(email.text).toContain('Wijk <script>alert(1)</script>');
    },
  );
});
