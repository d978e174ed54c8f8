import { beforeEach, describe, expect, it } from 'vitest';
import {
  AlreadyRegistered,
  EventNotFound,
  InvalidChoice,
  RegistrationClosed,
  WorkshopFull,
} from '../../lambdas/domain/errors.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import { mailboxOf } from '../../lambdas/domain/registration.js';
import { type RegisterCommand, register } from '../../lambdas/use-cases/register.js';
import { earlierEmailGuardHash, emailGuardHash } from '../../lambdas/use-cases/registration-steps.js';
import { fixedClock, InMemoryStore, sampleDefinition, sequentialSecrets } from '../support/fakes.js';

const command = (overrides: Partial<RegisterCommand> = {}): RegisterCommand => ({
  eventId: 'testdag',
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  organisation: 'Gemeente Utrecht',
  choices: { '1': 'a', '2': 'c' },
  locale: 'nl',
  ...overrides,
});

describe('register', () => {
  let store: InMemoryStore;
  const deps = () => ({
    events: store,
    registrations: store,
    clock: fixedClock(),
    secrets: sequentialSecrets(),
  });

  beforeEach(async () => {
    store = new InMemoryStore();
    await store.putEventDefinition('testdag', sampleDefinition());
  });

  it('takes one seat in every chosen workshop and returns a confirmed registration', async () => {
    const { registration, manageToken } = await register(command(), deps());
    expect(registration).toMatchObject({
      eventId: 'testdag',
      status: 'confirmed',
      choices: { '1': 'a', '2': 'c' },
    });
    expect(registration.createdAt).toBe('2030-01-01T10:00:00.000Z');
    const event = await store.getEvent('testdag');
    expect(event?.seats.get('a')?.taken).toBe(1);
    expect(event?.seats.get('c')?.taken).toBe(1);
    expect(event?.seats.get('b')?.taken).toBe(0);
    // The registration keeps only the hash of the token; the token itself rides in the outbox entry alone,
    // for the link in the email, until the sender's first attempt removes it.
    const { outbox, ...registrationItems } = store.registrations[0] ?? ({} as never);
    expect(registrationItems.manageTokenHash).toBe(sha256Hex(manageToken));
    expect(JSON.stringify(registrationItems)).not.toContain(manageToken);
    expect(outbox?.manageToken).toBe(manageToken);
  });

  it('guards one registration per email, compared trimmed and case-insensitively', async () => {
    await register(command({ email: 'Anna@Example.NL' }), deps());
    await expect(register(command({ email: '  anna@example.nl ' }), deps())).rejects.toBeInstanceOf(
      AlreadyRegistered,
    );
  });

  it('salts the email guard with the event, so guards of two events cannot be linked', () => {
    expect(emailGuardHash('dag-a', ' Anna@Example.nl')).toBe(emailGuardHash('dag-a', 'anna@example.nl'));
    expect(emailGuardHash('dag-a', 'anna@example.nl')).not.toBe(emailGuardHash('dag-b', 'anna@example.nl'));
  });

  it.each([
    ['a +tag sub-address', 'anna@example.org', 'anna+1@example.org'],
    ['another +tag of a +tag', 'anna+seat1@example.org', 'Anna+seat2@Example.org'],
    ['dots in a Gmail address', 'annadevries@gmail.com', 'anna.de.vries@gmail.com'],
    ['googlemail for gmail, with dots and a tag', 'anna.devries@gmail.com', 'annadevries+x@googlemail.com'],
  ])('treats %s as the same mailbox: ALREADY_REGISTERED (issue 15.2)', async (_, first, variant) => {
    const { registration } = await register(command({ email: first }), deps());
    expect(registration.email).toBe(first);
    await expect(register(command({ email: variant }), deps())).rejects.toBeInstanceOf(AlreadyRegistered);
  });

  it('keeps different mailboxes apart: dots outside Gmail, and other local parts', async () => {
    const roomy = sampleDefinition();
    for (const workshop of roomy.rounds.flatMap((round) => round.workshops)) workshop.capacity = 10;
    await store.putEventDefinition('testdag', roomy);
    await register(command({ email: 'anna.devries@example.org' }), deps());
    for (const email of ['annadevries@example.org', 'anna@example.org', 'anna.devries@example.com']) {
      await expect(register(command({ email }), deps())).resolves.toBeDefined();
    }
  });

  it('stores the address as typed, and folds only for the guard', () => {
    expect(mailboxOf('  Anna.De.Vries+Conf@GoogleMail.com ')).toBe('annadevries@gmail.com');
    expect(mailboxOf('anna+1@example.org')).toBe('anna@example.org');
    expect(mailboxOf('+tag@example.org')).toBe('+tag@example.org');
    // Addresses without a tag outside Gmail hash as before, so their guards still match.
    expect(emailGuardHash('e', 'Anna@Example.org')).toBe(sha256Hex('e\nanna@example.org'));
    expect(earlierEmailGuardHash('e', 'anna@example.org')).toBeUndefined();
    expect(earlierEmailGuardHash('e', 'Anna+1@example.org')).toBe(sha256Hex('e\nanna+1@example.org'));
  });

  it('refuses an unknown event', async () => {
    await expect(register(command({ eventId: 'nope' }), deps())).rejects.toBeInstanceOf(EventNotFound);
  });

  it('requires a choice for every round and a workshop of that round', async () => {
    const missing = register(command({ choices: { '1': 'a' } }), deps());
    await expect(missing).rejects.toBeInstanceOf(InvalidChoice);
    await expect(missing).rejects.toMatchObject({ details: [{ roundId: '2', reason: 'missing' }] });

    const wrongRound = register(command({ choices: { '1': 'c', '2': 'c' } }), deps());
    await expect(wrongRound).rejects.toMatchObject({
      details: [{ roundId: '1', workshopId: 'c', reason: 'wrong-round' }],
    });

    const unknown = register(command({ choices: { '1': 'zz', '2': 'c', '9': 'a' } }), deps());
    await expect(unknown).rejects.toMatchObject({
      details: [
        { roundId: '9', reason: 'unknown-round' },
        { roundId: '1', workshopId: 'zz', reason: 'unknown-workshop' },
      ],
    });
    expect(store.registrations).toHaveLength(0);
  });

  it('refuses a full workshop and takes no other seat', async () => {
    await register(command({ email: 'one@example.nl', choices: { '1': 'b', '2': 'c' } }), deps());
    const attempt = register(command({ email: 'two@example.nl', choices: { '1': 'b', '2': 'c' } }), deps());
    await expect(attempt).rejects.toBeInstanceOf(WorkshopFull);
    await expect(attempt).rejects.toMatchObject({ details: { workshopIds: ['b'] } });
    expect((await store.getEvent('testdag'))?.seats.get('c')?.taken).toBe(1);
  });

  it('respects the registration window, whatever the event date', async () => {
    await store.putEventDefinition(
      'testdag',
      sampleDefinition({
        date: '2019-09-12',
        registration: { opensAt: '2030-02-01T00:00:00Z', closesAt: '2030-03-01T00:00:00Z' },
      }),
    );
    const at = (iso: string) => ({ ...deps(), clock: fixedClock(iso) });
    await expect(register(command(), at('2030-01-31T23:59:59Z'))).rejects.toMatchObject({
      details: { status: 'not-yet-open' },
    });
    await expect(register(command(), at('2030-03-01T00:00:00Z'))).rejects.toBeInstanceOf(RegistrationClosed);
    await expect(register(command(), at('2030-02-15T12:00:00Z'))).resolves.toBeDefined();
  });

  it('is open when no window is given, even for an event in the past', async () => {
    await store.putEventDefinition('testdag', sampleDefinition({ date: '2019-09-12' }));
    await expect(register(command(), deps())).resolves.toBeDefined();
  });

  it('reads choices as own properties only: a round id such as `constructor` never reads what objects inherit', async () => {
    // Stored before such ids were refused (the store holds whatever was once accepted).
    const definition = sampleDefinition();
    const [first, second] = definition.rounds;
    if (!first || !second) throw new Error('sample has two rounds');
    await store.putEventDefinition('testdag', {
      ...definition,
      rounds: [{ ...first, id: 'constructor' }, second],
    });
    await expect(register(command({ choices: { '2': 'c' } }), deps())).rejects.toMatchObject({
      details: [{ roundId: 'constructor', reason: 'missing' }],
    });
    const { registration } = await register(command({ choices: { constructor: 'a', '2': 'c' } }), deps());
    expect(registration.choices).toEqual({ constructor: 'a', '2': 'c' });
  });

  it('with waitFor, takes an alternative of a full choice and still joins the list (issue 21)', async () => {
    const definition = sampleDefinition();
    const [first, second] = definition.rounds;
    if (!first || !second) throw new Error('sample has two rounds');
    const e = { id: 'e', title: 'E', description: '', speakers: [], capacity: 1 };
    await store.putEventDefinition('testdag', {
      ...definition,
      rounds: [{ ...first, workshops: [...first.workshops, e] }, second],
    });
    for (const email of ['a1@example.nl', 'a2@example.nl']) await register(command({ email }), deps());
    const waiting = (email: string) =>
      command({
        email,
        choices: { '1': 'b', '2': 'c' },
        alternatives: { '1': ['a', 'e'] },
        waitFor: { '1': 'a' },
      });

    const withChoice = await register(waiting('w1@example.nl'), deps());
    expect(withChoice.registration).toMatchObject({ choices: { '1': 'b' }, waitingFor: { '1': ['a'] } });
    const withAlternative = await register(waiting('w2@example.nl'), deps());
    expect(withAlternative.registration).toMatchObject({ choices: { '1': 'e' }, waitingFor: { '1': ['a'] } });
    // The workshop waited for is never an alternative: what is refused is the choice and the other alternative.
    await expect(register(waiting('w3@example.nl'), deps())).rejects.toMatchObject({
      code: 'WORKSHOP_FULL',
      details: { workshopIds: ['b', 'e'] },
    });
  });

  it('refuses alternatives of rounds or workshops the event does not have, before any seat', async () => {
    await expect(
      register(command({ alternatives: { '1': ['c'], '7': ['a'] } }), deps()),
    ).rejects.toMatchObject({
      code: 'INVALID_CHOICE',
      details: [
        { roundId: '1', workshopId: 'c', reason: 'wrong-round' },
        { roundId: '7', reason: 'unknown-round' },
      ],
    });
    expect(store.registrations).toEqual([]);
  });
});
