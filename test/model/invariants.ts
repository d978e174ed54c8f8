/**
 * The seat invariants, read straight from the table (not through the store under test), shared by the
 * model-based test, the fault-injection tests and the bench:
 *  - every workshop: 0 ≤ taken ≤ capacity, and taken equals the confirmed registrations holding it;
 *  - every confirmed registration holds exactly one workshop of every round, each in its own round;
 *  - one confirmed registration per normalised email, and exactly one email guard for it, naming it;
 *  - no email guard without its confirmed registration (a half-written registration would leave one).
 * Registrations are read through the sharded `gsi1` index, the way the admin listing reads them.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { emailGuardHash } from '../../lambdas/use-cases/register.js';

/** Kept apart from the application's own key module on purpose: a test should not trust the code it tests. */
const INDEX = 'gsi1';
const INDEX_SHARDS = 10;

export type WorkshopState = { id: string; roundId: string; capacity: number; taken: number; holders: number };

export type RegistrationItem = {
  id: string;
  email: string;
  emailHash?: string;
  status: string;
  choices: Record<string, string>;
};

export type EventState = {
  eventId: string;
  rounds: { id: string; workshopIds: string[] }[];
  workshops: Map<string, WorkshopState>;
  registrations: RegistrationItem[];
  /** Email guard items of the event: email hash → the registration id they name. */
  guards: Map<string, string>;
};

export const normalisedEmail = (email: string) => email.trim().toLowerCase();

export async function registrationItemsOfEvent(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
): Promise<Record<string, unknown>[]> {
  const shards = Array.from({ length: INDEX_SHARDS }, async (_, shard) => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: INDEX,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `EVENT#${eventId}#REGS#${shard}` },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  });
  return (await Promise.all(shards)).flat();
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
    for (let start = 0; start < keys.length; start += 100) {
      let pending: Record<string, unknown>[] = keys.slice(start, start + 100);
      while (pending.length > 0) {
        const result = await client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[tableName] ?? [])
          guards.set(String(item.pk).slice(prefix.length), String(item.registrationId));
        pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    }
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

/** Reads the event definition, every workshop counter, every registration and every email guard. */
export async function readEventState(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
  options: {
    /** false: do not read the email guards. */
    guards?: boolean;
    /** Every address that may have registered (normalised or not): guards are looked up, not scanned for. */
    candidateEmails?: readonly string[];
  } = {},
): Promise<EventState> {
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

  const workshops = new Map<string, WorkshopState>();
  const keys = rounds.flatMap((round) =>
    round.workshopIds.map((id) => ({ pk: `WORKSHOP#${eventId}#${id}`, sk: 'META' })),
  );
  for (let start = 0; start < keys.length; start += 100) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + 100);
    while (pending.length > 0) {
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        workshops.set(String(item.workshopId), {
          id: String(item.workshopId),
          roundId: String(item.roundId),
          capacity: Number(item.capacity),
          taken: Number(item.taken),
          holders: 0,
        });
      }
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }

  const registrations = (await registrationItemsOfEvent(client, tableName, eventId)).map(
    (item): RegistrationItem => ({
      id: String(item.id),
      email: String(item.email),
      emailHash: typeof item.emailHash === 'string' ? item.emailHash : undefined,
      status: String(item.status),
      choices: (item.choices ?? {}) as Record<string, string>,
    }),
  );
  for (const registration of registrations) {
    if (registration.status !== 'confirmed') continue;
    for (const workshopId of Object.values(registration.choices)) {
      const workshop = workshops.get(workshopId);
      if (workshop) workshop.holders += 1;
    }
  }
  const guards =
    options.guards === false
      ? new Map<string, string>()
      : await emailGuardsOfEvent(client, tableName, eventId);
  return { eventId, rounds, workshops, registrations, guards };
}

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
  }

  const confirmed = state.registrations.filter((registration) => registration.status === 'confirmed');
  const roundOf = new Map(state.rounds.flatMap((round) => round.workshopIds.map((id) => [id, round.id])));
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

  const byEmail = new Map<string, string[]>();
  for (const registration of confirmed) {
    const email = normalisedEmail(registration.email);
    byEmail.set(email, [...(byEmail.get(email) ?? []), registration.id]);
  }
  for (const [email, ids] of byEmail) {
    if (ids.length > 1)
      problems.push(`${ids.length} confirmed registrations for ${email}: ${ids.join(', ')}`);
  }

  if (options.guards !== false) {
    const confirmedIds = new Set(confirmed.map((registration) => registration.id));
    for (const registration of confirmed) {
      const hash = emailGuardHash(state.eventId, registration.email);
      const guard = state.guards.get(hash);
      if (guard !== registration.id)
        problems.push(`registration ${registration.id}: email guard names ${guard ?? 'nothing'}`);
    }
    for (const [hash, registrationId] of state.guards) {
      if (!confirmedIds.has(registrationId))
        problems.push(
          `email guard ${hash.slice(0, 8)}… names ${registrationId}, not a confirmed registration`,
        );
    }
  }
  return problems;
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
