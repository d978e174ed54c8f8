import { newMessageEntry } from '../domain/email.js';
import type { Clock, MessageStore, RecipientList } from '../ports.js';

/**
 * One recipient list of an organisers' message (a new list item on the table's stream): one outbox entry
 * per recipient, each written only if it does not exist yet, so a retried record writes no copy twice. The
 * entries reach the sender through the same stream, which delivers them at SES's pace.
 */
export async function fanOutRecipients(
  list: RecipientList,
  deps: { messages: Pick<MessageStore, 'queueCopies'>; clock: Clock },
): Promise<number> {
  const now = deps.clock.now();
  const entries = list.registrationIds.map((registrationId) =>
    newMessageEntry(registrationId, list.eventId, list.messageId, now),
  );
  return deps.messages.queueCopies(list, entries);
}
