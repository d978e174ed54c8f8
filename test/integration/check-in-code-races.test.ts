/**
 * The check-in code rotates with every new manage token (issue 17): the new code's lookup in, the old one's out,
 * in the write that stores the token. The sender replaces a token without a new version of the registration, so
 * a write racing it must still rotate out the code the registration has, against the embedded DynamoDB:
 *
 *  - a resend based on the token before the sender's is refused (and tried again by its use case), rather than
 *    leaving the sender's code lookup behind;
 *  - the sender's fresh token, racing a resend, rotates out the resent code;
 *  - the sender's fresh token, racing a promotion, gives the promoted registration its code's lookup;
 *  - a promotion read before the sender's fresh token is refused, and the walk promotes from a fresh read;
 *  - an erasure racing the sender's fresh token leaves no code lookup of the person;
 *  - a cancelled registration (the sender read it just before the cancel) loses its lookup with the old token.
 */
import {
  type DynamoDBDocumentClient,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { DynamoRegistrationStore } from '../../lambdas/adapters/dynamodb/registration-store.js';
import { DynamoWaitingList } from '../../lambdas/adapters/dynamodb/waiting-list-store.js';
import { cryptoSecrets, systemClock } from '../../lambdas/adapters/system.js';
import { checkInCodeOf } from '../../lambdas/domain/check-in.js';
import { newOutboxEntry } from '../../lambdas/domain/email.js';
import { RegistrationChanged } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { StoredRegistration } from '../../lambdas/domain/registration.js';
import { cancelRegistration } from '../../lambdas/use-cases/cancel-registration.js';
import { promoteWaiting } from '../../lambdas/use-cases/promote-waiting.js';
import { register } from '../../lambdas/use-cases/register.js';
import { signUpForPlace } from '../../lambdas/use-cases/waiting-list.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';

let table: TestTable;
let store: DynamoStore;
let waiting: DynamoWaitingList;

/** One round with these workshops (id → capacity). */
const workshops = (capacities: Record<string, number>): EventDefinition => ({
  title: 'Incheckrace',
  date: '2030-06-01',
  timezone: 'Europe/Amsterdam',
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: Object.entries(capacities).map(([id, capacity]) => ({
        id,
        title: id.toUpperCase(),
        description: '',
        speakers: [],
        capacity,
      })),
    },
  ],
});
const oneWorkshop = (capacity: number) => workshops({ a: capacity });

let people = 0;
const person = (eventId: string) => {
  people += 1;
  return {
    eventId,
    name: `Deelnemer ${people}`,
    email: `race${people}@example.nl`,
    organisation: 'Gemeente',
    locale: 'nl' as const,
  };
};
const promotionDeps = (waitingList: DynamoWaitingList) => ({
  events: store,
  registrations: store,
  waiting: waitingList,
  clock: systemClock,
  secrets: cryptoSecrets,
});
const useCaseDeps = () => ({
  events: store,
  registrations: store,
  clock: systemClock,
  secrets: cryptoSecrets,
});

async function confirmedPerson(
  eventId: string,
  workshopId = 'a',
  waitFor?: Record<string, string>,
): Promise<{ id: string; token: string }> {
  const { registration, manageToken } = await register(
    { ...person(eventId), choices: { '1': workshopId }, ...(waitFor ? { waitFor } : {}) },
    useCaseDeps(),
  );
  expect(registration.status).toBe('confirmed');
  return { id: registration.id, token: manageToken };
}

async function current(registrationId: string): Promise<StoredRegistration> {
  const registration = await store.getRegistration(registrationId);
  if (!registration) throw new Error(`no registration ${registrationId}`);
  return registration;
}

/** The resent confirmation of the registration as read, with a fresh token's hash. */
function resend(read: StoredRegistration, manageTokenHash: string): Promise<StoredRegistration> {
  const outbox = newOutboxEntry(read.id, read.eventId, 'confirmation', read.version + 1, new Date());
  return store.resendConfirmation(read, manageTokenHash, outbox);
}

/** Every check-in code whose lookup item names the registration. */
async function codeLookupsOf(registrationId: string): Promise<string[]> {
  const { Items = [] } = await table.documentClient.send(new ScanCommand({ TableName: table.tableName }));
  return Items.filter((item) => item.type === 'check-in-code' && item.registrationId === registrationId)
    .map((item) => String(item.pk).split('#').at(-1) ?? '')
    .sort();
}

/** A client that runs `race` once, right before the first write it is asked for (after every read before it). */
function racingClient(race: () => Promise<unknown>): DynamoDBDocumentClient {
  let pending: (() => Promise<unknown>) | undefined = race;
  const client = table.documentClient;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        if (pending && (command instanceof TransactWriteCommand || command instanceof UpdateCommand)) {
          const before = pending;
          pending = undefined;
          await before();
        }
        return target.send(command);
      };
    },
  });
}

beforeAll(async () => {
  table = await startTestTable();
  store = new DynamoStore(table.documentClient, table.tableName);
  waiting = new DynamoWaitingList(table.documentClient, table.tableName);
});
afterAll(async () => table?.close());

describe('the check-in code rotation under a racing new manage token', () => {
  it('a resend read before the sender replaced the token is refused: no code lookup left behind', async () => {
    await store.putEventDefinition('race-resend', oneWorkshop(5));
    const { id } = await confirmedPerson('race-resend');
    const read = await current(id);

    const sendersHash = sha256Hex('het-token-van-de-verzender-van-32-tekens');
    await store.replaceManageToken(id, sendersHash);
    await expect(resend(read, sha256Hex('een-te-laat-token-van-minstens-32-tekens'))).rejects.toBeInstanceOf(
      RegistrationChanged,
    );
    expect(await codeLookupsOf(id)).toEqual([checkInCodeOf(sendersHash)]);

    // Read again (as its use case does on RegistrationChanged): the sender's code rotates out.
    const resentHash = sha256Hex('het-opnieuw-verstuurde-token-van-32-tekens');
    await resend(await current(id), resentHash);
    expect(await codeLookupsOf(id)).toEqual([checkInCodeOf(resentHash)]);
  });

  it("the sender's fresh token, racing a resend, rotates out the resent code", async () => {
    await store.putEventDefinition('race-sender', oneWorkshop(5));
    const { id } = await confirmedPerson('race-sender');
    const { version } = await current(id);
    const resentHash = sha256Hex('het-opnieuw-verstuurde-token-van-32-tekens');
    const sender = new DynamoRegistrationStore(
      racingClient(async () => resend(await current(id), resentHash)),
      table.tableName,
    );

    const sendersHash = sha256Hex('het-token-van-de-verzender-van-32-tekens');
    await sender.replaceManageToken(id, sendersHash);
    // The resend went in between (its new version), and the sender's token is the one kept.
    expect(await current(id)).toMatchObject({ version: version + 1, manageTokenHash: sendersHash });
    expect(await codeLookupsOf(id)).toEqual([checkInCodeOf(sendersHash)]);
  });

  it("the sender's fresh token, racing a promotion, gives the promoted registration its code's lookup", async () => {
    await store.putEventDefinition('race-promotion', oneWorkshop(1));
    const holder = await confirmedPerson('race-promotion');
    const { registration: waiter } = await signUpForPlace(
      { ...person('race-promotion'), accepts: { '1': ['a'] } },
      useCaseDeps(),
    );
    expect(waiter.status).toBe('waiting');
    expect(await codeLookupsOf(waiter.id)).toEqual([]);

    // The sender read the registration waiting; before it writes, a seat comes free and the waiter is promoted.
    const sender = new DynamoRegistrationStore(
      racingClient(async () => {
        await cancelRegistration(
          { registrationId: holder.id, manageToken: holder.token, by: 'attendee' },
          { registrations: store, clock: systemClock },
        );
        const promotions = await promoteWaiting('race-promotion', promotionDeps(waiting));
        expect(promotions.map((promotion) => promotion.registration.id)).toEqual([waiter.id]);
      }),
      table.tableName,
    );

    const sendersHash = sha256Hex('het-token-van-de-verzender-van-32-tekens');
    await sender.replaceManageToken(waiter.id, sendersHash);
    const promoted = await current(waiter.id);
    expect(promoted).toMatchObject({ status: 'confirmed', manageTokenHash: sendersHash });
    // The code the registration now has (shown on its manage page) checks in; the promotion email's is gone.
    expect(await codeLookupsOf(waiter.id)).toEqual([checkInCodeOf(sendersHash)]);
  });
  it("an erasure read before the sender's fresh token is refused: after it, no code lookup names the person", async () => {
    await store.putEventDefinition('race-erasure', oneWorkshop(5));
    const { id } = await confirmedPerson('race-erasure');
    const sendersHash = sha256Hex('het-token-van-de-verzender-van-32-tekens');
    const eraser = new DynamoRegistrationStore(
      racingClient(() => store.replaceManageToken(id, sendersHash)),
      table.tableName,
    );

    await expect(
      eraser.removePersonalData(await current(id), new Date().toISOString(), 'request'),
    ).rejects.toBeInstanceOf(RegistrationChanged);
    expect(await codeLookupsOf(id)).toEqual([checkInCodeOf(sendersHash)]);
    // Read again (as its use case does on RegistrationChanged).
    await store.removePersonalData(await current(id), new Date().toISOString(), 'request');
    expect(await codeLookupsOf(id)).toEqual([]);
  });

  it('a cancelled registration given a fresh token loses the lookup of its old code; erased, none is left', async () => {
    await store.putEventDefinition('race-cancel', oneWorkshop(5));
    const person = await confirmedPerson('race-cancel');
    const { id } = person;
    await cancelRegistration(
      { registrationId: id, manageToken: person.token, by: 'attendee' },
      { registrations: store, clock: systemClock },
    );
    // Cancelled, its code still finds it (the door says it was cancelled).
    expect(await codeLookupsOf(id)).toEqual([checkInCodeOf(sha256Hex(person.token))]);

    // The sender read it confirmed just before the cancel, and replaces the token of its email now.
    await store.replaceManageToken(id, sha256Hex('het-token-van-de-verzender-van-32-tekens'));
    expect(await codeLookupsOf(id)).toEqual([]);
    await store.removePersonalData(await current(id), new Date().toISOString(), 'request');
    expect(await codeLookupsOf(id)).toEqual([]);
  });
  it("a promotion read before the sender's fresh token is refused, and the walk promotes from a fresh read", async () => {
    await store.putEventDefinition('race-preference', workshops({ a: 1, b: 5 }));
    const holder = await confirmedPerson('race-preference');
    const waiter = await confirmedPerson('race-preference', 'b', { '1': 'a' });
    await cancelRegistration(
      { registrationId: holder.id, manageToken: holder.token, by: 'attendee' },
      { registrations: store, clock: systemClock },
    );

    // The walk read the waiter; before its promotion is written, the sender gives the waiter a fresh token.
    const sendersHash = sha256Hex('het-token-van-de-verzender-van-32-tekens');
    const racingList = new DynamoWaitingList(
      racingClient(() => store.replaceManageToken(waiter.id, sendersHash)),
      table.tableName,
    );
    const [promotion, ...others] = await promoteWaiting('race-preference', promotionDeps(racingList));
    expect(others).toEqual([]);
    expect(promotion?.registration).toMatchObject({ id: waiter.id, choices: { '1': 'a' } });
    // Only the promotion email's code finds the waiter: the sender's went out with the promotion.
    expect(await codeLookupsOf(waiter.id)).toEqual([checkInCodeOf(sha256Hex(promotion?.manageToken ?? ''))]);
  });
});
