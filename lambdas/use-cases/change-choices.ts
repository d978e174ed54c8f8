import { newOutboxEntry, type OutboxEntry } from '../domain/email.js';
import { InvalidChoice, RegistrationCancelled, RegistrationWaiting } from '../domain/errors.js';
import type { EventDefinition } from '../domain/event-definition.js';
import type { Choices, StoredRegistration } from '../domain/registration.js';
import type { Clock, EventCatalog, RegistrationStore } from '../ports.js';
import { findOwnRegistration, withRetryOnChange } from './registration-access.js';
import { assertOpen, checkChoices, loadEvent } from './registration-steps.js';

export type ChangeChoicesCommand = { registrationId: string; manageToken: string; choices: Choices };

/**
 * Changes the workshops of the rounds named in `choices` (other rounds keep theirs). Only rounds that
 * change are touched; the new seats are taken under the same capacity conditions as a registration,
 * and the registration window applies.
 */
export async function changeChoices(
  command: ChangeChoicesCommand,
  deps: { registrations: RegistrationStore; events: EventCatalog; clock: Clock },
): Promise<{ registration: StoredRegistration; outbox?: OutboxEntry; event: EventDefinition }> {
  return withRetryOnChange(async () => {
    const current = await findOwnRegistration(command.registrationId, command.manageToken, deps);
    if (current.status === 'waiting') throw new RegistrationWaiting();
    if (current.status !== 'confirmed') throw new RegistrationCancelled();
    const event = await loadEvent(deps.events, current.eventId);
    const now = deps.clock.now();
    assertOpen(event.definition, now);

    const merged = { ...current.choices, ...command.choices };
    const issues = checkChoices(event.definition, merged);
    if (issues.length > 0) throw new InvalidChoice(issues);

    // An updated confirmation with a new calendar entry, committed with the change (a change bumps the version).
    const outbox = newOutboxEntry(
      current.id,
      current.eventId,
      'change',
      current.version + 1,
      now,
      undefined,
      {
        manageToken: command.manageToken,
      },
    );
    const registration = await deps.registrations.changeChoices(current, merged, now.toISOString(), outbox);
    // No round changed: nothing was written, nothing is owed.
    const changed = registration.version !== current.version;
    return { registration, outbox: changed ? outbox : undefined, event: event.definition };
  });
}
