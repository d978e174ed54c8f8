/**
 * What the model-based tests (seat-invariant, waiting-list) share: the event of a given shape of rounds and
 * capacities, the model's plain rules on it, the way a command's outcome is taken from a use case, the table
 * a test file runs on with its statistics, fast-check's replay parameters, and the sabotaged client the
 * "the property can fail" tests run the same property against.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { AppError } from '../../lambdas/domain/errors.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';

// ---------------------------------------------------------------------------------------------------------
// The event

export type Rounds = readonly { readonly id: string; readonly workshops: readonly string[] }[];
export type WorkshopIdOf<R extends Rounds> = R[number]['workshops'][number];
export type CapacitiesOf<R extends Rounds> = Record<WorkshopIdOf<R>, number>;

/** An event of the given rounds, its workshops' capacities chosen per call, and the model's rules on it. */
export function modelEvent<const R extends Rounds>(title: string, rounds: R) {
  const workshopsOf = (roundId: string): readonly string[] =>
    rounds.find((round) => round.id === roundId)?.workshops ?? [];
  return {
    rounds,
    workshops: rounds.flatMap((round) => round.workshops) as WorkshopIdOf<R>[],
    workshopsOf,
    definition: (capacities: CapacitiesOf<R>): EventDefinition => ({
      title,
      date: '2030-10-01',
      timezone: 'Europe/Amsterdam',
      registration: {},
      rounds: rounds.map((round) => ({
        id: round.id,
        title: `Ronde ${round.id}`,
        workshops: round.workshops.map((id) => ({
          id,
          title: id.toUpperCase(),
          description: '',
          speakers: [],
          capacity: capacities[id as WorkshopIdOf<R>],
        })),
      })),
    }),
    /** The model's own rule (not the application's): every round exactly once, each with a workshop of it. */
    choicesAreValid(choices: Record<string, string>): boolean {
      if (Object.keys(choices).length !== rounds.length) return false;
      return rounds.every((round) =>
        (round.workshops as readonly string[]).includes(choices[round.id] ?? ''),
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The model

type Holder = { status: string; choices: Record<string, string> };

/** Seats taken in a workshop, derived from the model's registrations: the confirmed ones holding it. */
export const takenIn = (model: { registrations: ReadonlyMap<string, Holder> }, workshopId: string) =>
  [...model.registrations.values()].filter(
    (r) => r.status === 'confirmed' && Object.values(r.choices).includes(workshopId),
  ).length;

export const sameSet = (a: readonly string[] = [], b: readonly string[] = []) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** The id of a registration that does not exist. */
export const MISSING = 'no-such-registration-000';

/** One of `options`, each `[value, weight]`. */
export const weighted = <T>(...options: [T, number][]) =>
  fc.oneof(...options.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));

// ---------------------------------------------------------------------------------------------------------
// Running a command through a use case

export type Outcome = { code: string; id?: string; noop?: boolean; workshopIds?: string[]; message?: string };

function outcomeOf(error: unknown, stack: boolean): Outcome {
  if (error instanceof AppError) {
    const details = error.details as { workshopIds?: string[] } | undefined;
    return { code: error.code, ...(details?.workshopIds ? { workshopIds: details.workshopIds } : {}) };
  }
  return {
    code: 'UNEXPECTED',
    message:
      error instanceof Error
        ? `${error.name}: ${error.message}${stack ? `\n${error.stack}` : ''}`
        : String(error),
  };
}

/** The outcome of `work`, or of the error it throws (an application error by its code); `stack` in the message. */
export async function attempt<O extends Outcome>(
  work: () => Promise<O>,
  options: { stack?: boolean } = {},
): Promise<O | Outcome> {
  try {
    return await work();
  } catch (error) {
    return outcomeOf(error, options.stack ?? false);
  }
}

/** Manage tokens of the registrations made in a run, as the emails would carry them. */
type Tokens = { tokens: Map<string, string> };

/** A made registration: its manage token kept for the commands that follow. */
export function registered(sut: Tokens, made: { registration: { id: string }; manageToken: string }) {
  sut.tokens.set(made.registration.id, made.manageToken);
  return { code: 'OK', id: made.registration.id };
}

/** An attendee's access to a registration: its id and its manage token (or, `wrong`, another one). */
export const asAttendee = (sut: Tokens, registrationId: string, wrong: boolean) => ({
  registrationId,
  manageToken: wrong
    ? 'not-the-token-of-this-registration-000'
    : (sut.tokens.get(registrationId) ?? 'unknown-registration-token-00000'),
});

// ---------------------------------------------------------------------------------------------------------
// The table of a test file, and fast-check

/**
 * The embedded table a test file's properties run on, started before its tests and closed after them, with
 * a fresh event id per run and a count of the outcomes seen; MODEL_STATS=1 prints the counts at the end
 * (after `stats`, for more of the file's own).
 */
export function modelTable(stats?: () => void) {
  let table: TestTable | undefined;
  let runs = 0;
  const seen = new Map<string, number>();
  beforeAll(async () => {
    table = await startTestTable();
  });
  afterAll(async () => {
    await table?.close();
    if (!process.env.MODEL_STATS) return;
    stats?.();
    console.info(
      [...seen]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, n]) => `${k}: ${n}`)
        .join('\n'),
    );
  });
  return {
    get table(): TestTable {
      if (!table) throw new Error('the test table is not started');
      return table;
    },
    eventId: (prefix: string) => `${prefix}-${++runs}`,
    count: (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1),
  };
}

/** `numRuns`, and a replay of a failure with FC_SEED=<seed> FC_PATH=<path>. */
export const replayParameters = <Ts>(numRuns: number): fc.Parameters<Ts> => ({
  numRuns,
  seed: Number(process.env.FC_SEED) || undefined,
  path: process.env.FC_PATH || undefined,
  verbose: true,
});

/** Runs `property` (against something broken) until it fails, which it must within `numRuns`. */
export async function expectPropertyFails<Ts>(property: fc.IAsyncProperty<Ts>, numRuns: number) {
  const result = await fc.check(property, {
    numRuns,
    endOnFailure: true,
    seed: Number(process.env.FC_SEED) || undefined,
  });
  if (process.env.MODEL_STATS)
    console.info(`failed after ${result.numRuns} runs: ${String(result.errorInstance).slice(0, 1500)}`);
  expect(result.failed).toBe(true);
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Deliberately broken stores

export type TransactItems = NonNullable<TransactWriteCommand['input']['TransactItems']>;

/** The client, with every transaction rewritten by `sabotage` on its way to DynamoDB. */
export function sabotagedClient(
  client: DynamoDBDocumentClient,
  sabotage: (items: TransactItems) => TransactItems,
): DynamoDBDocumentClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: unknown) => {
        if (command instanceof TransactWriteCommand && command.input.TransactItems) {
          command.input.TransactItems = sabotage(command.input.TransactItems);
        }
        return target.send(command as never);
      };
    },
  });
}

/** A cancellation's transaction. */
export const isCancellation = (items: TransactItems) =>
  items.some((item) => item.Update?.UpdateExpression?.includes('cancelledAt'));

/** The transaction without the updates that give seats back. */
export const withoutSeatRelease = (items: TransactItems) =>
  items.filter((item) => !item.Update?.UpdateExpression?.includes('taken = taken - :one'));
