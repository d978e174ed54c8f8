import type { MailKind, OutgoingEmail } from '../domain/email.js';
import type { EventDefinition } from '../domain/event-definition.js';
import type { ProgrammeChange } from '../domain/programme-change.js';
import type { Registration } from '../domain/registration.js';
import { buildCalendar } from './calendar.js';
import { carriesCheckInCode, checkInSection } from './check-in-section.js';
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
  /** Workshop id → 1-based position in that workshop's waiting line, where known. */
  waitingPositions?: Record<string, number>;
  /** `waiting-list-left`: the workshops whose list was left. */
  workshopIds?: string[];
  /** `message`: the organisers' subject and body in the registration's language. */
  message?: { subject: string; body: string };
  /** `programme-change`: what changed. */
  changes?: ProgrammeChange[];
  /** The registration's check-in code (from the manage token this email carries), for the kinds that show it. */
  checkInCode?: string;
};

/**
 * The kinds that carry a calendar entry: those that give or change seats (PUBLISH) and a cancellation (CANCEL).
 * Waiting-list notices hold no seat to put in a calendar; an erasure leaves nothing to keep.
 */
export function carriesCalendar(kind: MailKind): boolean {
  return (
    kind === 'confirmation' ||
    kind === 'change' ||
    kind === 'promotion' ||
    kind === 'cancellation' ||
    kind === 'reminder' ||
    kind === 'programme-change'
  );
}

/** The whole email a registration owes: texts in its language and, where it has one, the calendar entry. */
export function composeEmail(input: ComposeInput): OutgoingEmail {
  const checkIn =
    input.checkInCode && carriesCheckInCode(input.kind) && input.registration.status === 'confirmed'
      ? checkInSection(input.checkInCode, input.registration.locale)
      : undefined;
  const rendered = renderEmail({ ...input, checkIn: checkIn?.section });
  const reference = { registrationId: input.registration.id, kind: input.kind };
  const inline = checkIn ? [checkIn.attachment] : [];
  if (!carriesCalendar(input.kind)) {
    return { to: input.registration.email, ...rendered, attachments: inline, reference };
  }
  const cancelled = input.kind === 'cancellation';
  return {
    to: input.registration.email,
    ...rendered,
    reference,
    attachments: [
      {
        filename: `${input.eventId}.ics`,
        contentType: `text/calendar; charset=utf-8; method=${cancelled ? 'CANCEL' : 'PUBLISH'}`,
        content: buildCalendar({
          event: input.event,
          registration: input.registration,
          kind: input.kind,
          // Grows with every change and promotion, so calendar clients replace the entry they have.
          sequence: input.registration.version ?? 1,
        }),
      },
      ...inline,
    ],
  };
}
