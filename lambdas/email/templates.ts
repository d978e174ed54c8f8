import { type MailKind, needsManageLink } from '../domain/email.js';
import type { EventDefinition } from '../domain/event-definition.js';
import type { ProgrammeChange } from '../domain/programme-change.js';
import type { Choices, Locale, Registration, WaitingFor } from '../domain/registration.js';
import { findWorkshop, ownValue } from '../domain/registration.js';
import { cancelStepUrl, escapeHtml, formatEventDate } from './format.js';

export type RenderedEmail = { subject: string; text: string; html: string };

export type EmailContext = {
  kind: MailKind;
  event: EventDefinition;
  registration: Registration;
  /**
   * The personal link to view, change or cancel (or to view or leave the waiting list). Only the kinds that
   * carry one show it (`needsManageLink`); it is left out of every other kind even when given.
   */
  manageUrl?: string;
  /** Workshop id → 1-based position in that workshop's waiting line, where known. */
  waitingPositions?: Record<string, number>;
  /** `waiting-list-left`: the workshops whose list was left (the registration no longer says so). */
  workshopIds?: string[];
  /** `message`: the organisers' subject and plain-text body, already in the registration's language. */
  message?: { subject: string; body: string };
  /** `programme-change`: what changed that the confirmation showed. */
  changes?: ProgrammeChange[];
  /** The check-in block (email/check-in-section.ts), shown after the workshops where the kind has one. */
  checkIn?: Section;
};

type Texts = {
  subject: Record<MailKind, string>;
  greeting: string;
  lead: Record<MailKind, string>;
  when: string;
  where: string;
  yourWorkshops: string;
  currentWorkshops: string;
  by: string;
  manage: string;
  manageWaiting: string;
  personalLink: string;
  replacesLinks: string;
  howToCancel: string;
  howToLeave: string;
  cancelledNote: string;
  calendar: string;
  waitingHeading: string;
  waitingNote: string;
  acceptedHeading: string;
  position: (position: number) => string;
  leftNoWorkshops: string;
  seatsStay: string;
  leftAltogether: string;
  comeAfterAll: string;
  cantCome: string;
  cantComeNote: string;
  changeLabels: Record<ProgrammeChange['field'], string>;
  was: string;
  none: string;
  workshop: string;
  closing: string;
  signature: string;
};

const TEXTS: Record<Locale, Texts> = {
  nl: {
    subject: {
      confirmation: 'Bevestiging van uw aanmelding',
      change: 'Uw aanmelding is gewijzigd',
      cancellation: 'Uw aanmelding is geannuleerd',
      erasure: 'Uw gegevens zijn verwijderd',
      'waiting-list': 'U staat op de wachtlijst',
      'waiting-list-joined': 'U staat op de wachtlijst voor een workshop',
      promotion: 'Er is een plaats vrijgekomen',
      'waiting-list-left': 'U staat niet meer op de wachtlijst',
      message: 'Bericht van de organisatie',
      reminder: 'Herinnering',
      'programme-change': 'Het programma is gewijzigd',
    },
    greeting: 'Beste',
    lead: {
      confirmation: 'U bent aangemeld. Uw plaats in de workshops hieronder staat vast.',
      change: 'Uw aanmelding is gewijzigd. Dit zijn nu uw workshops:',
      cancellation: 'Uw aanmelding is geannuleerd. Uw plaatsen zijn vrijgegeven voor anderen.',
      erasure:
        'Op uw verzoek verwijderen we uw naam, e-mailadres, organisatie en functie bij deze aanmelding. Uw plaatsen zijn vrijgegeven. Dit is de laatste e-mail die u over deze aanmelding van ons krijgt.',
      'waiting-list':
        'U staat op de wachtlijst. Zodra er in elke ronde een plaats vrij is in een van de workshops die u hieronder kiest, melden we u automatisch aan en krijgt u een e-mail. Tot dan bent u nog niet aangemeld.',
      'waiting-list-joined':
        'U staat op de wachtlijst voor de workshop die u liever volgt. Uw huidige plaats houdt u tot daar een plaats vrijkomt.',
      promotion: 'Er is een plaats vrijgekomen en die is nu van u. Dit zijn nu uw workshops:',
      'waiting-list-left': 'U staat niet meer op de wachtlijst voor:',
      message: 'Een bericht van de organisatie:',
      reminder: 'Binnenkort is het zover. Dit zijn uw workshops:',
      'programme-change': 'Het programma is gewijzigd. Dit is wat er voor u verandert:',
    },
    when: 'Wanneer',
    where: 'Waar',
    yourWorkshops: 'Uw workshops',
    currentWorkshops: 'Uw huidige workshops',
    by: 'door',
    manage: 'Aanmelding bekijken, wijzigen of annuleren',
    manageWaiting: 'Wachtlijst bekijken of verlaten',
    personalLink: 'Deze link is persoonlijk: deel hem niet met anderen.',
    replacesLinks: 'Deze link vervangt de links in eerdere e-mails; die werken niet meer.',
    howToCancel:
      'Kunt u niet komen? Annuleer dan via deze link, zodat uw plaats vrijkomt voor iemand anders.',
    howToLeave: 'Wilt u niet meer op de wachtlijst staan? Verlaat hem dan via deze link.',
    cancelledNote: 'Wilt u toch komen? Meld u dan opnieuw aan via het aanmeldformulier, zolang er plaats is.',
    calendar: 'In de bijlage vindt u een agenda-afspraak (.ics).',
    waitingHeading: 'Wachtlijst',
    waitingNote:
      'Komt daar een plaats vrij, dan zetten we u automatisch over en krijgt u een e-mail. Uw huidige plaats in die ronde gaat dan naar iemand anders.',
    acceptedHeading: 'Uw keuzes, in volgorde van voorkeur',
    position: (position) => `nummer ${position} op de wachtlijst`,
    leftNoWorkshops: 'U staat niet meer op de wachtlijst.',
    seatsStay: 'Uw plaatsen blijven staan.',
    leftAltogether: 'U staat nu op geen enkele wachtlijst meer en u bent niet aangemeld voor deze dag.',
    comeAfterAll:
      'Wilt u toch komen? Meld u dan opnieuw aan via het aanmeldformulier; is alles vol, dan kunt u zich daar opnieuw op de wachtlijst zetten.',
    changeLabels: {
      title: 'Titel',
      date: 'Datum',
      startTime: 'Begintijd',
      endTime: 'Eindtijd',
      venue: 'Locatie',
      speakers: 'Sprekers',
      notice: 'Mededeling',
    },
    was: 'was',
    none: '(geen)',
    workshop: 'Workshop',
    cantCome: 'Ik kan niet komen',
    cantComeNote:
      'Kunt u toch niet komen? Met deze link annuleert u in twee klikken; uw plaats gaat dan meteen naar iemand op de wachtlijst.',
    closing: 'Met vriendelijke groet,',
    signature: 'De organisatie',
  },
  en: {
    subject: {
      confirmation: 'Your registration is confirmed',
      change: 'Your registration has been changed',
      cancellation: 'Your registration has been cancelled',
      erasure: 'Your personal data has been erased',
      'waiting-list': 'You are on the waiting list',
      'waiting-list-joined': 'You are on the waiting list for a workshop',
      promotion: 'A seat has become available',
      'waiting-list-left': 'You are no longer on the waiting list',
      message: 'A message from the organisers',
      reminder: 'Reminder',
      'programme-change': 'The programme has changed',
    },
    greeting: 'Dear',
    lead: {
      confirmation: 'You are registered. Your seats in the workshops below are confirmed.',
      change: 'Your registration has been changed. These are now your workshops:',
      cancellation: 'Your registration has been cancelled. Your seats have been released for others.',
      erasure:
        'As you asked, we are erasing your name, email address, organisation and job title from this registration. Your seats have been released. This is the last email you will receive about this registration.',
      'waiting-list':
        'You are on the waiting list. As soon as every round has a free seat in one of the workshops you chose below, we register you automatically and email you. Until then, you are not registered yet.',
      'waiting-list-joined':
        'You are on the waiting list for the workshop you would rather attend. You keep your current seat until a seat comes free there.',
      promotion: 'A seat has become available and it is now yours. These are now your workshops:',
      'waiting-list-left': 'You are no longer on the waiting list for:',
      message: 'A message from the organisers:',
      reminder: 'The day is coming soon. These are your workshops:',
      'programme-change': 'The programme has changed. This is what changes for you:',
    },
    when: 'When',
    where: 'Where',
    yourWorkshops: 'Your workshops',
    currentWorkshops: 'Your current workshops',
    by: 'by',
    manage: 'View, change or cancel your registration',
    manageWaiting: 'View or leave the waiting list',
    personalLink: 'This link is personal: please do not share it.',
    replacesLinks: 'This link replaces the links in earlier emails; those no longer work.',
    howToCancel:
      'Cannot come after all? Please cancel through this link so that someone else can have your seat.',
    howToLeave: 'No longer want a place? Please leave the waiting list through this link.',
    cancelledNote:
      'Would you like to come after all? Register again through the registration form while seats are left.',
    calendar: 'A calendar entry (.ics) is attached.',
    waitingHeading: 'Waiting list',
    waitingNote:
      'When a seat comes free there, we move you over automatically and email you. Your current seat in that round then goes to someone else.',
    acceptedHeading: 'Your choices, in order of preference',
    position: (position) => `number ${position} on the waiting list`,
    leftNoWorkshops: 'You are no longer on the waiting list.',
    seatsStay: 'You keep your seats.',
    leftAltogether: 'You are no longer on any waiting list, and you are not registered for this day.',
    comeAfterAll:
      'Would you like to come after all? Register again through the registration form; if everything is full, you can join the waiting list there again.',
    changeLabels: {
      title: 'Title',
      date: 'Date',
      startTime: 'Start time',
      endTime: 'End time',
      venue: 'Venue',
      speakers: 'Speakers',
      notice: 'Notice',
    },
    was: 'was',
    none: '(none)',
    workshop: 'Workshop',
    cantCome: "I can't come",
    cantComeNote:
      'Cannot come after all? This link cancels in two clicks; your seat then goes straight to someone on the waiting list.',
    closing: 'Kind regards,',
    signature: 'The organisers',
  },
};

const e = escapeHtml;
const MUTED = 'color:#444';

/** One block of the email: its plain-text lines and its HTML. Blocks are separated by a blank line. */
export type Section = { text: string[]; html: string };

function paragraph(text: string, muted = false): Section {
  return { text: [text], html: `<p${muted ? ` style="${MUTED}"` : ''}>${e(text)}</p>` };
}

/** A web address in escaped text, up to whitespace, a tag or an escaped quote, without closing punctuation. */
const WEB_ADDRESS = /https?:\/\/[^\s<]+?(?=[.,;:!?)]*(?:\s|<|&quot;|&#39;|$))/g;

/**
 * Organiser text is plain text: every character escaped, blank lines become paragraphs, line breaks `<br>`,
 * and web addresses (http and https only) clickable. No HTML from organisers reaches an email.
 */
function organiserText(body: string): Section {
  const paragraphs = body.split(/\r?\n\s*\r?\n/).filter((part) => part.trim() !== '');
  return {
    text: [body.trim()],
    html: paragraphs
      .map((part) => {
        const linked = e(part.trim()).replace(
          WEB_ADDRESS,
          (address) => `<a href="${address}" style="color:#0b4f9c">${address}</a>`,
        );
        return `<p>${linked.replace(/\r?\n/g, '<br>\n')}</p>`;
      })
      .join('\n'),
  };
}

function heading(text: string): string {
  return `<h2 style="font-size:17px;margin:16px 0 8px">${e(text)}</h2>`;
}

type WorkshopLine = { round: string; title: string; speakers: string[] };

/** The workshops held (round id → workshop id), in the event's round order. */
function workshopLines(event: EventDefinition, choices: Choices): WorkshopLine[] {
  return event.rounds.flatMap((round) => {
    const workshop = round.workshops.find((candidate) => candidate.id === ownValue(choices, round.id));
    return workshop ? [{ round: round.title, title: workshop.title, speakers: workshop.speakers }] : [];
  });
}

/** Named workshops (by id), in the event's order, without speakers. */
function namedWorkshopLines(event: EventDefinition, workshopIds: readonly string[]): WorkshopLine[] {
  const wanted = new Set(workshopIds);
  return event.rounds.flatMap((round) =>
    round.workshops
      .filter((workshop) => wanted.has(workshop.id))
      .map((workshop) => ({ round: round.title, title: workshop.title, speakers: [] })),
  );
}

function workshopList(lines: WorkshopLine[], texts: Texts): Section {
  return {
    text: lines.map(
      (line) =>
        `- ${line.round}: ${line.title}${line.speakers.length > 0 ? ` (${texts.by} ${line.speakers.join(', ')})` : ''}`,
    ),
    html: `<ul>
${lines
  .map(
    (line) =>
      `<li><strong>${e(line.round)}:</strong> ${e(line.title)}${line.speakers.length > 0 ? `<br><span style="${MUTED}">${e(texts.by)} ${e(line.speakers.join(', '))}</span>` : ''}</li>`,
  )
  .join('\n')}
</ul>`,
  };
}

function workshopsSection(title: string, lines: WorkshopLine[], texts: Texts): Section[] {
  if (lines.length === 0) return [];
  const list = workshopList(lines, texts);
  return [{ text: [`${title}:`, ...list.text], html: `${heading(title)}\n${list.html}` }];
}

type WaitingLine = { round: string; workshops: { title: string; position?: number }[] };

/** The lists a registration is on, per round in the event's order, each round's workshops in preference order. */
function waitingLines(
  event: EventDefinition,
  waitingFor: WaitingFor | undefined,
  positions: Record<string, number> | undefined,
): WaitingLine[] {
  if (!waitingFor) return [];
  return event.rounds.flatMap((round) => {
    const workshops = (ownValue(waitingFor, round.id) ?? []).flatMap((workshopId) => {
      const workshop = round.workshops.find((candidate) => candidate.id === workshopId);
      if (!workshop) return [];
      const position = ownValue(positions, workshopId);
      const known = typeof position === 'number' && Number.isInteger(position) && position > 0;
      return [{ title: workshop.title, ...(known ? { position } : {}) }];
    });
    return workshops.length > 0 ? [{ round: round.title, workshops }] : [];
  });
}

function waitingList(lines: WaitingLine[], texts: Texts): Section {
  const positionText = (position?: number) => (position ? ` (${texts.position(position)})` : '');
  const positionHtml = (position?: number) =>
    position ? ` <span style="${MUTED}">(${e(texts.position(position))})</span>` : '';
  return {
    text: lines.flatMap((line) => {
      const [only] = line.workshops;
      if (line.workshops.length === 1 && only) {
        return [`- ${line.round}: ${only.title}${positionText(only.position)}`];
      }
      return [
        `- ${line.round}:`,
        ...line.workshops.map(
          (workshop, index) => `  ${index + 1}. ${workshop.title}${positionText(workshop.position)}`,
        ),
      ];
    }),
    html: `<ul>
${lines
  .map((line) => {
    const [only] = line.workshops;
    if (line.workshops.length === 1 && only) {
      return `<li><strong>${e(line.round)}:</strong> ${e(only.title)}${positionHtml(only.position)}</li>`;
    }
    return `<li><strong>${e(line.round)}:</strong>
<ol>
${line.workshops.map((workshop) => `<li>${e(workshop.title)}${positionHtml(workshop.position)}</li>`).join('\n')}
</ol></li>`;
  })
  .join('\n')}
</ul>`,
  };
}

/**
 * The lists a registration is on. A place at the event shows every round's accepted workshops in order of
 * preference; a preference (a seat held) shows the workshop waited for and what happens when a seat comes free.
 */
function waitingSections(lines: WaitingLine[], place: boolean, texts: Texts): Section[] {
  if (lines.length === 0) return [];
  const title = place ? texts.acceptedHeading : texts.waitingHeading;
  const list = waitingList(lines, texts);
  return [
    { text: [`${title}:`, ...list.text], html: `${heading(title)}\n${list.html}` },
    ...(place ? [] : [paragraph(texts.waitingNote)]),
  ];
}

function manageSections(url: string, label: string, notes: string[], after: string, texts: Texts): Section[] {
  return [
    {
      text: [`${label}:`, url, texts.personalLink, ...notes],
      html: [
        `<p><a href="${e(url)}" style="color:#0b4f9c">${e(label)}</a></p>`,
        `<p style="${MUTED}">${e(texts.personalLink)}</p>`,
        ...notes.map((note) => `<p style="${MUTED}">${e(note)}</p>`),
      ].join('\n'),
    },
    paragraph(after),
  ];
}

/** The changes named, each with what it is now and what it was. */
function changeList(
  event: EventDefinition,
  changes: ProgrammeChange[],
  locale: Locale,
  texts: Texts,
): Section {
  const value = (change: ProgrammeChange, raw: string | undefined) =>
    raw === undefined ? texts.none : change.field === 'date' ? formatEventDate(raw, locale) : raw;
  const lines = changes.map((change) => {
    const workshop =
      change.scope === 'workshop' ? findWorkshop(event, change.workshopId)?.workshop : undefined;
    const subject = workshop
      ? `${texts.workshop} ${workshop.title}, ${texts.changeLabels[change.field].toLowerCase()}`
      : texts.changeLabels[change.field];
    return `${subject}: ${value(change, change.to)} (${texts.was}: ${value(change, change.from)})`;
  });
  return {
    text: lines.map((line) => `- ${line}`),
    html: `<ul>\n${lines.map((line) => `<li>${e(line)}</li>`).join('\n')}\n</ul>`,
  };
}

/** "Ik kan niet komen": the manage page at its cancel step. */
function cantComeSection(url: string, texts: Texts): Section {
  return {
    text: [texts.cantComeNote, `${texts.cantCome}: ${url}`],
    html: [
      `<p>${e(texts.cantComeNote)}</p>`,
      `<p><a href="${e(url)}" style="color:#9c0b0b;font-weight:bold">${e(texts.cantCome)}</a></p>`,
    ].join('\n'),
  };
}

function whenLine(event: EventDefinition, locale: Locale): string {
  const date = formatEventDate(event.date, locale);
  if (!event.startTime) return date;
  return `${date}, ${event.startTime}${event.endTime ? `–${event.endTime}` : ''}`;
}

/** Subject, plain text and simple HTML (no remote images, inline styles only) in the registration's language. */
export function renderEmail(context: EmailContext): RenderedEmail {
  const texts = TEXTS[context.registration.locale];
  const { event, registration, kind } = context;
  const when = whenLine(event, registration.locale);
  const seats = workshopLines(event, registration.choices);
  const waiting = waitingLines(event, registration.waitingFor, context.waitingPositions);
  const placeWaiting = kind === 'waiting-list' || registration.status === 'waiting';
  // The token travels only in the manage link, and only in the kinds that carry one.
  const link = context.manageUrl && needsManageLink(kind) ? context.manageUrl : undefined;
  // The check-in block, where the kind shows one (composeEmail decides).
  const checkIn = context.checkIn ? [context.checkIn] : [];

  const sections: Section[] = [
    {
      text: [`${texts.greeting} ${registration.name},`],
      html: `<p>${e(texts.greeting)} ${e(registration.name)},</p>`,
    },
  ];

  if (kind === 'waiting-list-left') {
    const left = namedWorkshopLines(event, context.workshopIds ?? []);
    if (left.length === 0) sections.push(paragraph(texts.leftNoWorkshops));
    else {
      const list = workshopList(left, texts);
      sections.push({
        text: [texts.lead[kind], ...list.text],
        html: `<p>${e(texts.lead[kind])}</p>\n${list.html}`,
      });
    }
  } else if (kind === 'message') {
    sections.push(paragraph(texts.lead[kind], true), organiserText(context.message?.body ?? ''));
  } else {
    sections.push(paragraph(texts.lead[kind]));
  }

  sections.push({
    text: [event.title, `${texts.when}: ${when}`, ...(event.venue ? [`${texts.where}: ${event.venue}`] : [])],
    html: [
      `<h1 style="font-size:20px;margin:16px 0 8px">${e(event.title)}</h1>`,
      `<p style="margin:0">${e(texts.when)}: ${e(when)}</p>`,
      ...(event.venue ? [`<p style="margin:0">${e(texts.where)}: ${e(event.venue)}</p>`] : []),
    ].join('\n'),
  });

  switch (kind) {
    case 'confirmation':
    case 'change':
    case 'promotion':
      sections.push(
        ...workshopsSection(texts.yourWorkshops, seats, texts),
        ...checkIn,
        ...waitingSections(waiting, placeWaiting, texts),
        ...(link
          ? manageSections(
              link,
              texts.manage,
              kind === 'promotion' ? [texts.replacesLinks] : [],
              texts.howToCancel,
              texts,
            )
          : []),
        paragraph(texts.calendar, true),
      );
      break;
    case 'cancellation':
      sections.push(paragraph(texts.cancelledNote));
      break;
    case 'erasure':
      break;
    case 'waiting-list':
      sections.push(
        ...waitingSections(waiting, true, texts),
        ...(link ? manageSections(link, texts.manageWaiting, [], texts.howToLeave, texts) : []),
      );
      break;
    case 'waiting-list-joined':
      sections.push(
        ...waitingSections(waiting, placeWaiting, texts),
        ...workshopsSection(texts.currentWorkshops, seats, texts),
      );
      break;
    case 'message':
      sections.push(
        ...workshopsSection(texts.yourWorkshops, seats, texts),
        ...checkIn,
        ...waitingSections(waiting, placeWaiting, texts),
        ...(link
          ? manageSections(
              link,
              placeWaiting ? texts.manageWaiting : texts.manage,
              [texts.replacesLinks],
              placeWaiting ? texts.howToLeave : texts.howToCancel,
              texts,
            )
          : []),
      );
      break;
    case 'programme-change':
      sections.push(
        changeList(event, context.changes ?? [], registration.locale, texts),
        ...workshopsSection(texts.yourWorkshops, seats, texts),
        ...checkIn,
        ...(link ? manageSections(link, texts.manage, [texts.replacesLinks], texts.howToCancel, texts) : []),
        paragraph(texts.calendar, true),
      );
      break;
    case 'reminder':
      sections.push(
        ...workshopsSection(texts.yourWorkshops, seats, texts),
        ...checkIn,
        ...waitingSections(waiting, placeWaiting, texts),
        ...(link ? [cantComeSection(cancelStepUrl(link), texts)] : []),
        ...(link ? manageSections(link, texts.manage, [texts.replacesLinks], texts.howToCancel, texts) : []),
        paragraph(texts.calendar, true),
      );
      break;
    case 'waiting-list-left':
      if (registration.status === 'cancelled') {
        sections.push(paragraph(texts.leftAltogether), paragraph(texts.comeAfterAll));
      } else {
        sections.push(
          ...(seats.length > 0 ? [paragraph(texts.seatsStay)] : []),
          ...workshopsSection(texts.yourWorkshops, seats, texts),
          ...waitingSections(waiting, placeWaiting, texts),
        );
      }
      break;
  }

  sections.push({
    text: [texts.closing, `${texts.signature} – ${event.title}`],
    html: `<p>${e(texts.closing)}<br>${e(texts.signature)} – ${e(event.title)}</p>`,
  });

  const text = sections.map((section) => section.text.join('\n')).join('\n\n');
  const html = `<!doctype html>
<html lang="${registration.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(context.message?.subject ?? texts.subject[kind])}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#ffffff">
${sections.map((section) => section.html).join('\n')}
</body>
</html>
`;

  // An organisers' message keeps its own subject (single-line, checked when it was accepted).
  const subject = context.message ? context.message.subject : `${texts.subject[kind]}: ${event.title}`;
  return { subject, text, html };
}
