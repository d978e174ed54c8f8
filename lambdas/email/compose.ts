import type { MailKind, OutgoingEmail } from '../domain/email.js';
import type { EventDefinition } from '../domain/event-definition.js';
import type { Registration } from '../domain/registration.js';
import { buildCalendar } from './calendar.js';
import { renderEmail } from './templates.js';

/** The personal manage link. The token sits in the fragment, so it never reaches a server's access log. */
export function manageUrl(publicBaseUrl: string, registrationId: string, manageToken: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return `${base}/manage.html?id=${encodeURIComponent(registrationId)}#token=${encodeURIComponent(manageToken)}`;
}

export type ComposeInput = {
  kind: MailKind;
  eventId: string;
  event: EventDefinition;
  registration: Registration & { version?: number };
  manageUrl?: string;
};

/** The whole email a registration owes: texts in its language and the calendar entry as attachment. */
export function composeEmail(input: ComposeInput): OutgoingEmail {
  const rendered = renderEmail(input);
  const cancelled = input.kind === 'cancellation';
  // An erasure confirmation carries nothing to keep: no calendar entry.
  if (input.kind === 'erasure') return { to: input.registration.email, ...rendered, attachments: [] };
  return {
    to: input.registration.email,
    ...rendered,
    attachments: [
      {
        filename: `${input.eventId}.ics`,
        contentType: `text/calendar; charset=utf-8; method=${cancelled ? 'CANCEL' : 'PUBLISH'}`,
        content: buildCalendar({
          event: input.event,
          registration: input.registration,
          kind: input.kind,
          sequence: input.registration.version ?? 1,
        }),
      },
    ],
  };
}
