/**
 * Overhead: one registration at a time (concurrency 1) along three paths, interleaved so that a change in
 * machine load hits all three alike:
 *  - api:      POST /events/{id}/registrations over HTTP (local API Gateway → handler → use case → store); the
 *              confirmation email is sent after the answer by the stream-fed sender, which in AWS runs in its
 *              own function: the bench lets it finish between samples, outside the timed requests;
 *  - use case: `register()` called directly with a DynamoStore (the definition, read once and then taken from
 *              the container's cache for a second, and the TransactWriteItems);
 *  - store:    `DynamoStore.createRegistration()` alone: the one TransactWriteItems a registration is (seats,
 *              email guard, registration and its outbox entry, as the use case builds it).
 * The ratio api/store is what everything around the transaction costs; use case/store isolates the reads.
 */
import { cryptoSecrets, systemClock } from '../lambdas/adapters/system.js';
import { newOutboxEntry } from '../lambdas/domain/email.js';
import { sha256Hex } from '../lambdas/domain/hashing.js';
import { normaliseEmail, type Registration } from '../lambdas/domain/registration.js';
import { register } from '../lambdas/use-cases/register.js';
import type { BenchContext } from './context.js';
import {
  benchEvent,
  httpClient,
  type LatencySummary,
  latencySummary,
  percentReporter,
  person,
  progress,
  randomChoices,
  round1,
} from './support.js';

export type OverheadOptions = { requests: number; warmup: number };

export type OverheadResult = {
  options: OverheadOptions;
  api: LatencySummary;
  useCase: LatencySummary;
  store: LatencySummary;
  /** p50 api / p50 store. */
  ratioApiToStore: number;
  /** p50 use case / p50 store. */
  ratioUseCaseToStore: number;
  failures: Record<string, number>;
};

export async function runOverhead(context: BenchContext, options: OverheadOptions): Promise<OverheadResult> {
  const eventId = `overhead-${Date.now().toString(36)}`;
  const definition = benchEvent('Bench overhead', 2, 4, 100_000);
  await context.store.putEventDefinition(eventId, definition);
  const client = httpClient(context.stack.apiUrl, 1);
  const deps = {
    events: context.store,
    registrations: context.store,
    clock: systemClock,
    secrets: cryptoSecrets,
  };
  const failures: Record<string, number> = {};
  const fail = (path: string) => {
    failures[path] = (failures[path] ?? 0) + 1;
  };
  let n = 0;

  const viaApi = async () => {
    const response = await client.request(
      'POST',
      `/events/${eventId}/registrations`,
      person('overhead-api', n++, randomChoices(definition)),
    );
    if (response.status !== 201) fail(`api ${response.status}`);
    return response.ms;
  };
  const viaUseCase = async () => {
    const body = person('overhead-usecase', n++, randomChoices(definition));
    const started = performance.now();
    await register({ ...body, eventId, locale: 'nl' }, deps).catch(() => fail('use case'));
    return performance.now() - started;
  };
  const viaStore = async () => {
    const body = person('overhead-store', n++, randomChoices(definition));
    const now = new Date().toISOString();
    const registration: Registration = {
      id: cryptoSecrets.newRegistrationId(),
      eventId,
      name: body.name,
      email: body.email,
      organisation: body.organisation,
      choices: body.choices,
      status: 'confirmed',
      locale: 'nl',
      createdAt: now,
      updatedAt: now,
    };
    const input = {
      registration,
      emailHash: sha256Hex(normaliseEmail(body.email)),
      manageTokenHash: sha256Hex(cryptoSecrets.newManageToken()),
      outbox: newOutboxEntry(registration.id, eventId, 'confirmation', 1, new Date(now)),
    };
    const started = performance.now();
    await context.store.createRegistration(input).catch(() => fail('store'));
    return performance.now() - started;
  };

  progress('overhead', `warming up (${options.warmup} of each path)`);
  for (let i = 0; i < options.warmup; i++) {
    await viaApi();
    await viaUseCase();
    await viaStore();
  }
  progress('overhead', `${options.requests} sequential registrations per path, interleaved`);
  const samples = { api: [] as number[], useCase: [] as number[], store: [] as number[] };
  const tick = percentReporter('overhead', options.requests, 20);
  for (let i = 0; i < options.requests; i++) {
    samples.api.push(await viaApi());
    await context.stack.emailsSettled();
    samples.useCase.push(await viaUseCase());
    await context.stack.emailsSettled();
    samples.store.push(await viaStore());
    await context.stack.emailsSettled();
    tick();
  }
  client.close();

  const api = latencySummary(samples.api);
  const useCase = latencySummary(samples.useCase);
  const store = latencySummary(samples.store);
  return {
    options,
    api,
    useCase,
    store,
    ratioApiToStore: round1(api.p50 / store.p50),
    ratioUseCaseToStore: round1(useCase.p50 / store.p50),
    failures,
  };
}
