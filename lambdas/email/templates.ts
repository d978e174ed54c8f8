import type { MailKind } from '../domain/email.js';
import type { EventDefinition } from '../domain/event-definition.js';
import type { Locale, Registration } from '../domain/registration.js';
import { escapeHtml, formatEventDate } from './format.js';

export type RenderedEmail = { subject: string; text: string; html: string };

export type EmailContext = {
  kind: MailKind;
  event: EventDefinition;
  registration: Registration;
  /** The personal link to view, change or cancel; absent in a cancellation. */
  manageUrl?: string;
};

type Texts = {
  subject: Record<MailKind, string>;
  greeting: string;
  lead: Record<MailKind, string>;
  when: string;
  where: string;
  yourWorkshops: string;
  by: string;
  manage: string;
  personalLink: string;
  howToCancel: string;
  cancelledNote: string;
  calendar: string;
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
    },
    greeting: 'Beste',
    lead: {
      confirmation: 'U bent aangemeld. Uw plaats in de workshops hieronder staat vast.',
      change: 'Uw aanmelding is gewijzigd. Dit zijn nu uw workshops:',
      cancellation: 'Uw aanmelding is geannuleerd. Uw plaatsen zijn vrijgegeven voor anderen.',
      erasure:
        'Op uw verzoek verwijderen we uw naam, e-mailadres, organisatie en functie bij deze aanmelding. Uw plaatsen zijn vrijgegeven. Dit is de laatste e-mail die u over deze aanmelding van ons krijgt.',
    },
    when: 'Wanneer',
    where: 'Waar',
    yourWorkshops: 'Uw workshops',
    by: 'door',
    manage: 'Aanmelding bekijken, wijzigen of annuleren',
    personalLink: 'Deze link is persoonlijk: deel hem niet met anderen.',
    howToCancel:
      'Kunt u niet komen? Annuleer dan via deze link, zodat uw plaats vrijkomt voor iemand anders.',
    cancelledNote: 'Wilt u toch komen? Meld u dan opnieuw aan via het aanmeldformulier, zolang er plaats is.',
    calendar: 'In de bijlage vindt u een agenda-afspraak (.ics).',
    closing: 'Met vriendelijke groet,',
    signature: 'De organisatie',
  },
  en: {
    subject: {
      confirmation: 'Your registration is confirmed',
      change: 'Your registration has been changed',
      cancellation: 'Your registration has been cancelled',
      erasure: 'Your personal data has been erased',
    },
    greeting: 'Dear',
    lead: {
      confirmation: 'You are registered. Your seats in the workshops below are confirmed.',
      change: 'Your registration has been changed. These are now your workshops:',
      cancellation: 'Your registration has been cancelled. Your seats have been released for others.',
      erasure:
        'As you asked, we are erasing your name, email address, organisation and job title from this registration. Your seats have been released. This is the last email you will receive about this registration.',
    },
    when: 'When',
    where: 'Where',
    yourWorkshops: 'Your workshops',
    by: 'by',
    manage: 'View, change or cancel your registration',
    personalLink: 'This link is personal: please do not share it.',
    howToCancel:
      'Cannot come after all? Please cancel through this link so that someone else can have your seat.',
    cancelledNote:
      'Would you like to come after all? Register again through the registration form while seats are left.',
    calendar: 'A calendar entry (.ics) is attached.',
    closing: 'Kind regards,',
    signature: 'The organisers',
  },
};

type WorkshopLine = { round: string; title: string; speakers: string[] };

function workshopLines(context: EmailContext): WorkshopLine[] {
  return context.event.rounds.flatMap((round) => {
    const workshop = round.workshops.find(
      (candidate) => candidate.id === context.registration.choices[round.id],
    );
    return workshop ? [{ round: round.title, title: workshop.title, speakers: workshop.speakers }] : [];
  });
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
  const workshops = workshopLines(context);
  const showWorkshops = kind === 'confirmation' || kind === 'change';

  const text = [
    `${texts.greeting} ${registration.name},`,
    '',
    texts.lead[kind],
    '',
    event.title,
    `${texts.when}: ${when}`,
    ...(event.venue ? [`${texts.where}: ${event.venue}`] : []),
    ...(showWorkshops
      ? [
          '',
          `${texts.yourWorkshops}:`,
          ...workshops.map(
            (line) =>
              `- ${line.round}: ${line.title}${line.speakers.length > 0 ? ` (${texts.by} ${line.speakers.join(', ')})` : ''}`,
          ),
        ]
      : []),
    '',
    ...(context.manageUrl
      ? [`${texts.manage}:`, context.manageUrl, texts.personalLink, '', texts.howToCancel, '']
      : kind === 'cancellation'
        ? [texts.cancelledNote, '']
        : []),
    ...(showWorkshops ? [texts.calendar, ''] : []),
    texts.closing,
    `${texts.signature} – ${event.title}`,
  ].join('\n');

  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="${registration.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(texts.subject[kind])}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#ffffff">
<p>${e(texts.greeting)} ${e(registration.name)},</p>
<p>${e(texts.lead[kind])}</p>
<h1 style="font-size:20px;margin:16px 0 8px">${e(event.title)}</h1>
<p style="margin:0">${e(texts.when)}: ${e(when)}</p>
${event.venue ? `<p style="margin:0">${e(texts.where)}: ${e(event.venue)}</p>` : ''}
${
  showWorkshops
    ? `<h2 style="font-size:17px;margin:16px 0 8px">${e(texts.yourWorkshops)}</h2>
<ul>
${workshops
  .map(
    (line) =>
      `<li><strong>${e(line.round)}:</strong> ${e(line.title)}${line.speakers.length > 0 ? `<br><span style="color:#444">${e(texts.by)} ${e(line.speakers.join(', '))}</span>` : ''}</li>`,
  )
  .join('\n')}
</ul>`
    : ''
}
${
  context.manageUrl
    ? `<p><a href="${e(context.manageUrl)}" style="color:#0b4f9c">${e(texts.manage)}</a></p>
<p style="color:#444">${e(texts.personalLink)}</p>
<p>${e(texts.howToCancel)}</p>`
    : kind === 'cancellation'
      ? `<p>${e(texts.cancelledNote)}</p>`
      : ''
}
${showWorkshops ? `<p style="color:#444">${e(texts.calendar)}</p>` : ''}
<p>${e(texts.closing)}<br>${e(texts.signature)} – ${e(event.title)}</p>
</body>
</html>
`;

  return { subject: `${texts.subject[kind]}: ${event.title}`, text, html };
}
