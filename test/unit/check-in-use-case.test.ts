import { beforeEach, describe, expect, it } from 'vitest';
import { type CheckInPlace, type CheckInRecord, checkInCodeOf } from '../../lambdas/domain/check-in.js';
import {
  CheckInCodeUnknown,
  NotRegisteredForWorkshop,
  RegistrationCancelled,
  RegistrationWaiting,
} from '../../lambdas/domain/errors.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import type { AuditEntry, CheckInStore } from '../../lambdas/ports.js';
import { type CheckInDeps, checkIn, undoCheckIn } from '../../lambdas/use-cases/admin/check-in.js';
import { fixedClock, InMemoryStore, twoRoundsOfTwo } from '../support/fakes.js';

/** Check-ins in memory: one record per registration, a place set once (what the conditional write does). */
class InMemoryCheckIns implements CheckInStore {
  readonly codes = new Map<string, string>();
  readonly records = new Map<string, CheckInRecord>();
  async registrationIdForCode(eventId: string, code: string) {
    return this.codes.get(`${eventId}#${code}`);
  }
  async checkIn(eventId: string, registrationId: string, place: CheckInPlace, at: string) {
    const record = this.records.get(registrationId) ?? { registrationId, eventId, workshops: {} };
    const first = place.kind === 'entrance' ? record.entranceAt : record.workshops[place.workshopId];
    if (first) return { at: first, alreadyCheckedInAt: first };
    if (place.kind === 'entrance') record.entranceAt = at;
    else record.workshops[place.workshopId] = at;
    this.records.set(registrationId, record);
    return { at };
  }
  async undoCheckIn(_eventId: string, registrationId: string, place: CheckInPlace) {
    const record = this.records.get(registrationId);
    if (!record) return false;
    const had = place.kind === 'entrance' ? record.entranceAt : record.workshops[place.workshopId];
    if (place.kind === 'entrance') delete record.entranceAt;
    else delete record.workshops[place.workshopId];
    return had !== undefined;
  }
  async checkInsOf(_eventId: string, registrationId: string) {
    return this.records.get(registrationId);
  }
  async checkInsAt() {
    return [...this.records.values()];
  }
}

const registration = (overrides: Partial<StoredRegistration> = {}): StoredRegistration => ({
  id: 'r1',
  eventId: 'dag',
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  organisation: 'Gemeente Oss',
  choices: { '1': 'a', '2': 'c' },
  status: 'confirmed',
  locale: 'nl',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
  version: 1,
  emailHash: 'e',
  manageTokenHash: sha256Hex('token-1'),
  ...overrides,
});

let deps: CheckInDeps;
let checkIns: InMemoryCheckIns;
let stored: Map<string, StoredRegistration>;
let audit: AuditEntry[];
const code = checkInCodeOf(sha256Hex('token-1')) ?? '';

beforeEach(async () => {
  const events = new InMemoryStore();
  await events.putEventDefinition('dag', twoRoundsOfTwo('Dag', { a: 5, b: 5, c: 5, d: 5 }));
  checkIns = new InMemoryCheckIns();
  stored = new Map([['r1', registration()]]);
  checkIns.codes.set(`dag#${code}`, 'r1');
  audit = [];
  deps = {
    events,
    registrations: { getRegistration: async (id) => stored.get(id) },
    index: { registrationsOf: async function* () {} },
    checkIns,
    audit: { append: async (entry) => void audit.push(entry), entries: async () => ({ items: [] }) },
    clock: fixedClock('2030-05-01T07:30:00.000Z'),
    ids: { newId: () => 'audit-1' },
  };
});

describe('checking in (use case)', () => {
  it('by code: the person without their email address, and the first time on a repeat', async () => {
    const first = await checkIn({ eventId: 'dag', code }, deps);
    expect(first).toEqual({
      registrationId: 'r1',
      name: 'Anna de Vries',
      organisation: 'Gemeente Oss',
      choices: { '1': 'a', '2': 'c' },
      at: '2030-05-01T07:30:00.000Z',
    });
    const again = await checkIn({ eventId: 'dag', registrationId: 'r1' }, deps);
    expect(again.alreadyCheckedInAt).toBe('2030-05-01T07:30:00.000Z');
  });

  it('a replaced code is unknown even while its lookup item still points at the registration', async () => {
    stored.set('r1', registration({ manageTokenHash: sha256Hex('token-2') }));
    await expect(checkIn({ eventId: 'dag', code }, deps)).rejects.toBeInstanceOf(CheckInCodeUnknown);
  });

  it('unknown: another event’s registration, an erased one, a code that cannot be one', async () => {
    stored.set('r2', registration({ id: 'r2', eventId: 'andere-dag' }));
    stored.set(
      'r3',
      registration({ id: 'r3', personalDataRemoved: { at: '2030-06-01T00:00:00Z', reason: 'request' } }),
    );
    for (const command of [{ registrationId: 'r2' }, { registrationId: 'r3' }, { code: 'hallo' }]) {
      await expect(checkIn({ eventId: 'dag', ...command }, deps)).rejects.toBeInstanceOf(CheckInCodeUnknown);
    }
  });

  it('cancelled and waiting registrations never check in', async () => {
    stored.set('r1', registration({ status: 'cancelled' }));
    await expect(checkIn({ eventId: 'dag', code }, deps)).rejects.toBeInstanceOf(RegistrationCancelled);
    stored.set('r1', registration({ status: 'waiting', choices: {} }));
    await expect(checkIn({ eventId: 'dag', registrationId: 'r1' }, deps)).rejects.toBeInstanceOf(
      RegistrationWaiting,
    );
    expect(checkIns.records.size).toBe(0);
  });

  it('the wrong room names the workshop held in that round, and checks nothing in', async () => {
    const refused = checkIn({ eventId: 'dag', code, workshopId: 'd' }, deps);
    await expect(refused).rejects.toBeInstanceOf(NotRegisteredForWorkshop);
    await expect(refused).rejects.toMatchObject({
      details: { roundId: '2', workshopId: 'c', title: 'Workshop c' },
    });
    expect(checkIns.records.size).toBe(0);
  });

  it('undo is audited only when there was a check-in to undo', async () => {
    await checkIn({ eventId: 'dag', code, workshopId: 'a' }, deps);
    const actor = { sub: 'door-1', username: 'piet' };
    expect(await undoCheckIn({ eventId: 'dag', registrationId: 'r1', workshopId: 'a', actor }, deps)).toEqual(
      {
        registrationId: 'r1',
        workshopId: 'a',
        undone: true,
      },
    );
    expect(
      (await undoCheckIn({ eventId: 'dag', registrationId: 'r1', workshopId: 'a', actor }, deps)).undone,
    ).toBe(false);
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'check-in.undone',
        registrationId: 'r1',
        actor,
        details: { place: 'a' },
      }),
    ]);
  });
});
