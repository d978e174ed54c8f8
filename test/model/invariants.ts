/**
 * The seat invariants, read straight from the table (not through the store under test), shared by the
 * model-based tests, the fault-injection tests and the bench:
 *  - every workshop: 0 ≤ taken ≤ capacity, and taken equals the confirmed registrations holding it, where taken
 *    is the sum over the workshop's seat shards (issue 21), each with 0 ≤ taken ≤ share and the shares adding
 *    up to the capacity;
 *  - every confirmed registration holds exactly one workshop of every round, each in its own round;
 *  - one active registration (confirmed, or waiting for a place) per normalised email, and exactly one email
 *    guard for it, naming it;
 *  - no email guard without its active registration (a half-written registration would leave one);
 * and the waiting-list invariants (docs/waiting-lists.md):
 *  - a registration waiting for a place holds no seat, waits in every round, and has exactly one place entry
 *    (`<id>.event`) wanting what its `waitingFor` says;
 *  - a confirmed registration has exactly one preference entry (`<id>.<roundId>`) per round of its
 *    `waitingFor`, wanting that one workshop of that round, never the workshop it holds there;
 *  - a cancelled registration waits for nothing, and no entry exists without its registration.
 * Registrations are read through the sharded `gsi1` index, the way the admin listing reads them; waiting
 * entries through the event's queue partition of the same index.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { emailGuardHash } from '../../lambdas/use-cases/registration-steps.js';

/** Kept apart from the application's own key module on purpose: a test should not trust the code it tests. */
const INDEX = 'gsi1';
const INDEX_SHARDS = 10;
/** More seat shards than the application writes: a shard it wrote beyond its own count would still be seen. */
const SEAT_SHARDS_READ = 16;

export type SeatShardState = { shard: number; share: number; taken: number };

export type WorkshopState = {
  id: string;
  roundId: string;
  capacity: number;
  /** The sum of the shards' `taken`. */
  taken: number;
  holders: number;
  shards: SeatShardState[];
};

export type RegistrationItem = {
  id: string;
  email: string;
  emailHash?: string;
  status: string;
  choices: Record<string, string>;
  /** Round id → accepted workshop ids, while the registration waits. */
  waitingFor?: Record<string, string[]>;
  version?: number;
};

export type WaitingEntryItem = {
  pk: string;
  id: string;
  eventId: string;
  registrationId: string;
  kind: string;
  wants: Record<string, string[]>;
  joinedAt: string;
};

export type EventState = {
  eventId: string;
  rounds: { id: string; workshopIds: string[] }[];
  workshops: Map<string, WorkshopState>;
  registrations: RegistrationItem[];
  /** Email guard items of the event: email hash → the registration id they name. */
  guards: Map<string, string>;
  /** The event's waiting entries in queue order (who joined first; the entry id breaks a tie). */
  waiting: WaitingEntryItem[];
};

export const normalisedEmail = (email: string) => email.trim().toLowerCase();

/** Every item of one partition of the `gsi1` index, page after page. */
async function indexPartition(
  client: DynamoDBDocumentClient,
  tableName: string,
  gsi1pk: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: INDEX,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': gsi1pk },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function registrationItemsOfEvent(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
): Promise<Record<string, unknown>[]> {
  const shards = Array.from({ length: INDEX_SHARDS }, (_, shard) =>
    indexPartition(client, tableName, `EVENT#${eventId}#REGS#${shard}`),
  );
  return (await Promise.all(shards)).flat();
}

/** The waiting entries of an event, in queue order, read through the event's queue partition of `gsi1`. */
export async function waitingEntriesOfEvent(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
): Promise<WaitingEntryItem[]> {
  const entries = (await indexPartition(client, tableName, `EVENT#${eventId}#WAITING`)).map(
    (item): WaitingEntryItem => ({
      pk: String(item.pk),
      id: String(item.id),
      eventId: String(item.eventId),
      registrationId: String(item.registrationId),
      kind: String(item.kind),
      wants: (item.wants ?? {}) as Record<string, string[]>,
      joinedAt: String(item.joinedAt),
    }),
  );
  return entries.sort((a, b) =>
    a.joinedAt !== b.joinedAt ? (a.joinedAt < b.joinedAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}

async function emailGuardsOfEvent(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
  candidateEmails?: readonly string[],
) {
  const guards = new Map<string, string>();
  const prefix = `EMAIL#${eventId}#`;
  if (candidateEmails) {
    // Every address that can have registered is known: look their guards up instead of scanning the table.
    const keys = [...new Set(candidateEmails.map(normalisedEmail))].map((email) => ({
      pk: `${prefix}${emailGuardHash(eventId, email)}`,
      sk: 'META',
    }));
    for (const item of await batchGetAll(client, tableName, keys))
      guards.set(String(item.pk).slice(prefix.length), String(item.registrationId));
    return guards;
  }
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': prefix },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      guards.set(String(item.pk).slice(prefix.length), String(item.registrationId));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return guards;
}

/** Consistent BatchGetItem of any number of keys, unprocessed keys retried. */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + 100);
    while (pending.length > 0) {
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}

/**
 * Reads the event definition, every workshop counter, every registration, every email guard and the waiting
 * entries. The reads run side by side: call it when no write is under way.
 */
export async function readEventState(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
  options: {
    /** false: do not read the email guards. */
    guards?: boolean;
    /** Every address that may have registered (normalised or not): guards are looked up, not scanned for. */
    candidateEmails?: readonly string[];
    /**
     * Every registration the event can have (a model knows them): read by key, consistently, instead of
     * through the index. A registration not listed is not seen.
     */
    registrationIds?: readonly string[];
  } = {},
): Promise<EventState> {
  const readWorkshops = async () => {
    const { Item: event } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: `EVENT#${eventId}`, sk: 'META' },
        ConsistentRead: true,
      }),
    );
    if (!event) throw new Error(`event ${eventId} not found`);
    const definition = event.definition as { rounds: { id: string; workshops: { id: string }[] }[] };
    const rounds = definition.rounds.map((round) => ({
      id: round.id,
      workshopIds: round.workshops.map((workshop) => workshop.id),
    }));
    // Shard 0 is the workshop's own item; shard n > 0 is `WORKSHOP#<event>#<workshop>#<n>`.
    const keys = rounds.flatMap((round) =>
      round.workshopIds.flatMap((id) =>
        Array.from({ length: SEAT_SHARDS_READ }, (_, shard) => ({
          pk: `WORKSHOP#${eventId}#${id}${shard === 0 ? '' : `#${shard}`}`,
          sk: 'META',
        })),
      ),
    );
    const items = await batchGetAll(client, tableName, keys);
    const workshops = new Map<string, WorkshopState>();
    for (const item of items.filter((item) => item.shard === undefined)) {
      workshops.set(String(item.workshopId), {
        id: String(item.workshopId),
        roundId: String(item.roundId),
        capacity: Number(item.capacity),
        taken: 0,
        holders: 0,
        shards: [],
      });
    }
    for (const item of items) {
      const workshop = workshops.get(String(item.workshopId));
      if (!workshop) continue;
      // A workshop item from before the shards has no share: it is one shard with the whole capacity.
      const share = item.share === undefined ? Number(item.capacity) : Number(item.share);
      workshop.shards.push({ shard: Number(item.shard ?? 0), share, taken: Number(item.taken) });
      workshop.taken += Number(item.taken);
    }
    return { rounds, workshops };
  };
  const readRegistrations = async () =>
    options.registrationIds
      ? (
          await batchGetAll(
            client,
            tableName,
            options.registrationIds.map((id) => ({ pk: `REG#${id}`, sk: 'META' })),
          )
        ).filter((item) => item.eventId === eventId)
      : registrationItemsOfEvent(client, tableName, eventId);

  const [{ rounds, workshops }, registrationItems, guards, waiting] = await Promise.all([
    readWorkshops(),
    readRegistrations(),
    options.guards === false
      ? new Map<string, string>()
      : emailGuardsOfEvent(client, tableName, eventId, options.candidateEmails),
    waitingEntriesOfEvent(client, tableName, eventId),
  ]);
  const registrations = registrationItems.map(
    (item): RegistrationItem => ({
      id: String(item.id),
      email: String(item.email),
      emailHash: typeof item.emailHash === 'string' ? item.emailHash : undefined,
      status: String(item.status),
      choices: (item.choices ?? {}) as Record<string, string>,
      ...(item.waitingFor ? { waitingFor: item.waitingFor as Record<string, string[]> } : {}),
      ...(typeof item.version === 'number' ? { version: item.version } : {}),
    }),
  );
  for (const registration of registrations) {
    if (registration.status !== 'confirmed') continue;
    for (const workshopId of Object.values(registration.choices)) {
      const workshop = workshops.get(workshopId);
      if (workshop) workshop.holders += 1;
    }
  }
  return { eventId, rounds, workshops, registrations, guards, waiting };
}

/** Workshop id → the id of its round. */
const roundOfWorkshop = (state: EventState) =>
  new Map(state.rounds.flatMap((round) => round.workshopIds.map((id) => [id, round.id])));

/** Every broken invariant, in words; empty when the event is consistent. */
export function invariantViolations(state: EventState, options: { guards?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const workshop of state.workshops.values()) {
    if (workshop.taken < 0) problems.push(`workshop ${workshop.id}: taken ${workshop.taken} < 0`);
    if (workshop.taken > workshop.capacity)
      problems.push(`workshop ${workshop.id}: taken ${workshop.taken} > capacity ${workshop.capacity}`);
    if (workshop.taken !== workshop.holders)
      problems.push(
        `workshop ${workshop.id}: taken ${workshop.taken} but ${workshop.holders} confirmed holders`,
      );
    for (const { shard, share, taken } of workshop.shards) {
      if (taken < 0 || taken > share)
        problems.push(`workshop ${workshop.id} shard ${shard}: taken ${taken} outside 0..${share}`);
    }
    const shares = workshop.shards.reduce((sum, { share }) => sum + share, 0);
    if (shares !== workshop.capacity)
      problems.push(`workshop ${workshop.id}: shares add up to ${shares}, capacity ${workshop.capacity}`);
  }

  const confirmed = state.registrations.filter((registration) => registration.status === 'confirmed');
  const roundOf = roundOfWorkshop(state);
  for (const registration of confirmed) {
    const roundIds = Object.keys(registration.choices).sort();
    const expected = state.rounds.map((round) => round.id).sort();
    if (JSON.stringify(roundIds) !== JSON.stringify(expected))
      problems.push(`registration ${registration.id}: rounds ${roundIds.join(',')} ≠ ${expected.join(',')}`);
    for (const [roundId, workshopId] of Object.entries(registration.choices)) {
      if (roundOf.get(workshopId) !== roundId)
        problems.push(
          `registration ${registration.id}: workshop ${workshopId} chosen in round ${roundId} but belongs to ${
            roundOf.get(workshopId) ?? 'no round'
          }`,
        );
    }
  }

  // Waiting for a place is held by the email guard too: one active registration per address.
  const active = state.registrations.filter(
    (registration) => registration.status === 'confirmed' || registration.status === 'waiting',
  );
  const byEmail = new Map<string, string[]>();
  for (const registration of active) {
    const email = normalisedEmail(registration.email);
    byEmail.set(email, [...(byEmail.get(email) ?? []), registration.id]);
  }
  for (const [email, ids] of byEmail) {
    if (ids.length > 1) problems.push(`${ids.length} active registrations for ${email}: ${ids.join(', ')}`);
  }

  if (options.guards !== false) {
    const activeIds = new Set(active.map((registration) => registration.id));
    for (const registration of active) {
      const hash = emailGuardHash(state.eventId, registration.email);
      const guard = state.guards.get(hash);
      if (guard !== registration.id)
        problems.push(`registration ${registration.id}: email guard names ${guard ?? 'nothing'}`);
    }
    for (const [hash, registrationId] of state.guards) {
      if (!activeIds.has(registrationId))
        problems.push(`email guard ${hash.slice(0, 8)}… names ${registrationId}, not an active registration`);
    }
  }
  problems.push(...waitingListViolations(state));
  return problems;
}

/** Round id → workshop ids with the round ids sorted (the order of the workshops is the person's). */
const canonical = (wants: Record<string, string[]>) =>
  JSON.stringify(Object.entries(wants).sort(([a], [b]) => a.localeCompare(b)));

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The registrations' `waitingFor` and the waiting entries agree, both ways (see the top of this file). */
export function waitingListViolations(state: EventState): string[] {
  const problems: string[] = [];
  const roundOf = roundOfWorkshop(state);
  const entries = new Map<string, WaitingEntryItem>();
  for (const entry of state.waiting) {
    if (entries.has(entry.id)) problems.push(`waiting entry ${entry.id} listed twice`);
    entries.set(entry.id, entry);
    if (entry.pk !== `WAIT#${state.eventId}#${entry.id}` || entry.eventId !== state.eventId)
      problems.push(`waiting entry ${entry.id}: key ${entry.pk}, event ${entry.eventId}`);
  }
  const expected = new Set<string>();
  for (const registration of state.registrations) {
    const waitingFor = registration.waitingFor;
    if (registration.status === 'cancelled') {
      if (waitingFor) problems.push(`cancelled registration ${registration.id} still waits`);
      continue;
    }
    if (registration.status === 'waiting') {
      if (Object.keys(registration.choices).length > 0)
        problems.push(`registration ${registration.id} waits for a place but holds seats`);
      const rounds = Object.keys(waitingFor ?? {}).sort();
      if (!sameList(rounds, state.rounds.map((round) => round.id).sort()))
        problems.push(`registration ${registration.id} waits for a place in rounds ${rounds.join(',')}`);
      const entryId = `${registration.id}.event`;
      expected.add(entryId);
      const entry = entries.get(entryId);
      if (!entry) problems.push(`registration ${registration.id} waits for a place without a waiting entry`);
      else if (entry.kind !== 'place' || entry.registrationId !== registration.id)
        problems.push(`waiting entry ${entryId}: kind ${entry.kind}, registration ${entry.registrationId}`);
      else if (canonical(entry.wants) !== canonical(waitingFor ?? {}))
        problems.push(
          `waiting entry ${entryId} wants ${canonical(entry.wants)}, registration ${canonical(waitingFor ?? {})}`,
        );
      continue;
    }
    for (const [roundId, workshopIds] of Object.entries(waitingFor ?? {})) {
      const entryId = `${registration.id}.${roundId}`;
      expected.add(entryId);
      const entry = entries.get(entryId);
      if (workshopIds.length !== 1 || roundOf.get(workshopIds[0] ?? '') !== roundId)
        problems.push(
          `registration ${registration.id} waits for ${workshopIds.join(',')} in round ${roundId}`,
        );
      if (workshopIds.includes(registration.choices[roundId] ?? ''))
        problems.push(`registration ${registration.id} waits for the workshop it holds in round ${roundId}`);
      if (!entry)
        problems.push(`registration ${registration.id} waits in round ${roundId} without a waiting entry`);
      else if (
        entry.kind !== 'preference' ||
        entry.registrationId !== registration.id ||
        !sameList(Object.keys(entry.wants), [roundId]) ||
        !sameList(entry.wants[roundId], workshopIds)
      )
        problems.push(
          `waiting entry ${entryId} (${entry.kind}, ${JSON.stringify(entry.wants)}) ≠ registration's ${JSON.stringify(waitingFor)}`,
        );
    }
  }
  for (const entry of state.waiting) {
    if (!expected.has(entry.id))
      problems.push(`waiting entry ${entry.id} (${entry.kind}) without a registration waiting for it`);
  }
  return problems;
}

/**
 * The waiting entries the free seats could satisfy now (a preference: a free seat in its workshop; a place:
 * a free seat among the accepted workshops in every round). Once promotion has settled, there are none.
 */
export function satisfiableEntries(state: EventState): string[] {
  const free = (workshopId: string) => {
    const workshop = state.workshops.get(workshopId);
    return workshop ? workshop.capacity - workshop.taken : 0;
  };
  return state.waiting
    .filter((entry) => {
      const rounds = Object.values(entry.wants);
      return rounds.length > 0 && rounds.every((accepted) => accepted.some((id) => free(id) > 0));
    })
    .map((entry) => entry.id);
}

/** Reads the event and throws with every broken invariant listed. */
export async function assertEventConsistent(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
): Promise<EventState> {
  const state = await readEventState(client, tableName, eventId);
  const problems = invariantViolations(state);
  if (problems.length > 0) throw new Error(`event ${eventId} is inconsistent:\n  ${problems.join('\n  ')}`);
  return state;
}
