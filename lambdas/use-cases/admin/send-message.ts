import { EventNotFound, ValidationFailed } from '../../domain/errors.js';
import {
  isInAudience,
  type LocalisedText,
  type MessageAudience,
  type MessageCounts,
  type MessageState,
  messageStatus,
  UNKNOWN_WORKSHOP_MESSAGE,
} from '../../domain/message.js';
import type { Locale } from '../../domain/registration.js';
import type {
  Actor,
  AuditLog,
  Clock,
  EventCatalog,
  IdSource,
  MessageStore,
  RegistrationIndex,
} from '../../ports.js';

export type SendMessageCommand = {
  eventId: string;
  subject: LocalisedText;
  body: LocalisedText;
  audience: MessageAudience;
  dryRun: boolean;
  actor: Actor;
  /** The organiser's language, for the field messages of a refusal. */
  locale: Locale;
};

export type SendMessageDeps = {
  events: Pick<EventCatalog, 'getEvent'>;
  index: RegistrationIndex;
  messages: Pick<MessageStore, 'createMessage'>;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
};

export type SendMessageResult = {
  message: { id: string | null; recipients: number; state: 'accepted' | 'dry-run' };
};

/**
 * Accepts a message to registrants: the audience is selected now (so the answer says how many), and the
 * message is stored with its recipient lists; the fan-out (fed by the table's stream) writes one outbox entry
 * per recipient after the answer, and the sender delivers them at SES's pace. A dry run only counts. Audited
 * without personal data: the message id, the audience and how many.
 */
export async function sendMessage(
  command: SendMessageCommand,
  deps: SendMessageDeps,
): Promise<SendMessageResult> {
  const event = await deps.events.getEvent(command.eventId);
  if (!event) throw new EventNotFound();
  const known = new Set(event.definition.rounds.flatMap((round) => round.workshops.map((w) => w.id)));
  const unknown = (command.audience.workshopIds ?? []).flatMap((workshopId, index) =>
    known.has(workshopId)
      ? []
      : [{ path: `audience.workshopIds.${index}`, message: UNKNOWN_WORKSHOP_MESSAGE[command.locale] }],
  );
  if (unknown.length > 0) throw new ValidationFailed(unknown);

  const recipientIds: string[] = [];
  for await (const { registration } of deps.index.registrationsOf(command.eventId, { pageSizeHint: 500 })) {
    if (isInAudience(registration, command.audience)) recipientIds.push(registration.id);
  }
  if (command.dryRun) {
    return { message: { id: null, recipients: recipientIds.length, state: 'dry-run' } };
  }

  const id = deps.ids.newId();
  const createdAt = deps.clock.now().toISOString();
  await deps.messages.createMessage(
    {
      id,
      eventId: command.eventId,
      subject: command.subject,
      body: command.body,
      audience: command.audience,
      recipients: recipientIds.length,
      createdAt,
    },
    recipientIds,
  );
  await deps.audit.append({
    id: deps.ids.newId(),
    at: createdAt,
    actor: command.actor,
    action: 'message.sent',
    eventId: command.eventId,
    details: { messageId: id, recipients: recipientIds.length, audience: command.audience },
  });
  return { message: { id, recipients: recipientIds.length, state: 'accepted' } };
}

export type MessageView = {
  id: string;
  createdAt: string;
  subject: LocalisedText;
  body: LocalisedText;
  audience: MessageAudience;
  recipients: number;
  state: MessageState;
  counts: MessageCounts;
};

/** An event's messages, newest first, each with its copies sent, pending and failed. */
export async function listMessages(
  eventId: string,
  deps: { events: Pick<EventCatalog, 'getEvent'>; messages: Pick<MessageStore, 'messagesOf'> },
): Promise<{ items: MessageView[] }> {
  if (!(await deps.events.getEvent(eventId))) throw new EventNotFound();
  const records = await deps.messages.messagesOf(eventId);
  return {
    items: records.map((record) => {
      const { state, counts } = messageStatus(record);
      return {
        id: record.id,
        createdAt: record.createdAt,
        subject: record.subject,
        body: record.body,
        audience: record.audience,
        recipients: record.recipients,
        state,
        counts,
      };
    }),
  };
}
