import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../lambdas/domain/email.js';
import {
  RegistrationCancelled,
  RegistrationChanged,
  RegistrationErased,
  RegistrationNotFound,
} from '../../lambdas/domain/errors.js';
import { matchesHash } from '../../lambdas/domain/hashing.js';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import type { AuditEntry } from '../../lambdas/ports.js';
import { resendConfirmation } from '../../lambdas/use-cases/admin/resend-confirmation.js';
import { fixedClock, sequentialSecrets } from '../support/fakes.js';

const actor = { sub: 'sub-1', username: 'organisator' };

function stored(overrides: Partial<StoredRegistration> = {}): StoredRegistration {
  return {
    id: 'reg-1',
    eventId: 'testdag',
    name: 'Anna de Vries',
    email: 'anna@example.nl',
    organisation: 'Gemeente Oss',
    choices: { '1': 'a', '2': 'c' },
    status: 'confirmed',
    locale: 'nl',
    createdAt: '2030-01-01T09:00:00.000Z',
    updatedAt: '2030-01-01T09:00:00.000Z',
    consent: { givenAt: '2030-01-01T09:00:00.000Z', privacyVersion: '1' },
    version: 3,
    emailHash: 'e',
    manageTokenHash: 'old-hash',
    ...overrides,
  } as StoredRegistration;
}

/** The registration store as far as resending goes: a changed version fails the first write when asked to. */
function setup(registration: StoredRegistration | undefined, options: { changedOnce?: boolean } = {}) {
  const writes: { current: StoredRegistration; hash: string; outbox: OutboxEntry }[] = [];
  const audit: AuditEntry[] = [];
  let changed = options.changedOnce ?? false;
  const deps = {
    registrations: {
      getRegistration: async () => registration,
      resendConfirmation: async (current: StoredRegistration, hash: string, outbox: OutboxEntry) => {
        if (changed) {
          changed = false;
          throw new RegistrationChanged();
        }
        writes.push({ current, hash, outbox });
        return { ...current, manageTokenHash: hash, version: current.version + 1 };
      },
    },
    audit: {
      append: async (entry: AuditEntry) => void audit.push(entry),
      entries: async () => ({ items: [] }),
    },
    clock: fixedClock('2030-02-02T12:00:00.000Z'),
    ids: { newId: () => 'audit-1' },
    secrets: sequentialSecrets(),
  };
  return { deps, writes, audit };
}

describe('resending the confirmation', () => {
  it('owes a confirmation with a fresh manage link, stores only its hash, and audits it', async () => {
    const { deps, writes, audit } = setup(stored());
    const result = await resendConfirmation({ eventId: 'testdag', registrationId: 'reg-1', actor }, deps);

    expect(writes).toHaveLength(1);
    const [write] = writes;
    expect(write?.outbox).toMatchObject({
      id: 'reg-1.confirmation.4',
      kind: 'confirmation',
      state: 'pending',
      attempts: 0,
      registrationId: 'reg-1',
      eventId: 'testdag',
    });
    const token = write?.outbox.manageToken ?? '';
    expect(token).not.toBe('');
    expect(matchesHash(token, write?.hash ?? '')).toBe(true);
    expect(write?.hash).not.toBe('old-hash');

    expect(audit).toEqual([
      {
        id: 'audit-1',
        at: '2030-02-02T12:00:00.000Z',
        actor,
        action: 'registration.confirmation-resent',
        eventId: 'testdag',
        registrationId: 'reg-1',
        details: { kind: 'confirmation' },
      },
    ]);
    expect(Object.keys(result).filter((key) => /hash|token|version/i.test(key))).toEqual([]);
  });

  it('sends someone waiting for a place their waiting-list email again', async () => {
    const { deps, writes } = setup(stored({ status: 'waiting', choices: {} }));
    await resendConfirmation({ eventId: 'testdag', registrationId: 'reg-1', actor }, deps);
    expect(writes[0]?.outbox.kind).toBe('waiting-list');
  });

  it('reads again when the registration changed between reading and writing', async () => {
    const { deps, writes, audit } = setup(stored(), { changedOnce: true });
    await resendConfirmation({ eventId: 'testdag', registrationId: 'reg-1', actor }, deps);
    expect(writes).toHaveLength(1);
    expect(audit).toHaveLength(1);
  });

  it.each([
    ['unknown', undefined, RegistrationNotFound],
    ['of another event', stored({ eventId: 'andere-dag' }), RegistrationNotFound],
    ['cancelled', stored({ status: 'cancelled' }), RegistrationCancelled],
    [
      'anonymised',
      stored({ personalDataRemoved: { at: '2030-01-02T00:00:00.000Z', reason: 'retention' } }),
      RegistrationErased,
    ],
  ])(
    'refuses a registration that is %s, writing and auditing nothing',
    async (_what, registration, error) => {
      const { deps, writes, audit } = setup(registration);
      await expect(
        resendConfirmation({ eventId: 'testdag', registrationId: 'reg-1', actor }, deps),
      ).rejects.toBeInstanceOf(error);
      expect(writes).toEqual([]);
      expect(audit).toEqual([]);
    },
  );
});
