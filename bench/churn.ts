/**
 * Churn: mixed traffic for a while (register, change, cancel, view, plus an organiser resizing a workshop now
 * and then), then the invariant is checked on the table: `taken` equals the confirmed holders of every
 * workshop and 0 ≤ taken ≤ capacity (test/model/invariants.ts).
 *
 * Manage tokens: the API sends them only by email. The churn gets them the simplest honest way: half of its
 * registrations go through the `register()` use case on the same DynamoDB (it returns the token the email
 * would carry), and only those are then changed, viewed and cancelled over HTTP with their token. The other
 * half are plain POSTs over HTTP. When the change/cancel routes do not exist (detected at run time), every
 * registration goes over HTTP and the churn is registrations only, which the output says.
 */
import { cryptoSecrets, systemClock } from '../lambdas/adapters/system.js';
import { CapacityBelowTaken } from '../lambdas/domain/errors.js';
import type { EventDefinition } from '../lambdas/domain/event-definition.js';
import { register } from '../lambdas/use-cases/register.js';
import { invariantViolations, readEventState } from '../test/model/invariants.js';
import type { BenchContext } from './context.js';
import {
  benchEvent,
  type HttpClient,
  histogram,
  httpClient,
  type LatencySummary,
  latencySummary,
  person,
  progress,
  randomChoices,
  round1,
} from './support.js';

export type ChurnOptions = {
  durationMs: number;
  concurrency: number;
  rounds: number;
  workshopsPerRound: number;
  seatsPerWorkshop: number;
  /** How often the organiser changes one workshop's capacity. */
  resizeEveryMs: number;
};

type OpKind = 'register-http' | 'register-use-case' | 'change' | 'cancel' | 'view' | 'resize';

export type ChurnResult = {
  options: ChurnOptions;
  eventId: string;
  mode: 'register, change, cancel, view, resize' | 'registrations and resizes only (no change/cancel routes)';
  tokensFrom: string;
  durationMs: number;
  operations: number;
  operationsPerSecond: number;
  byKind: Record<string, { count: number; outcomes: Record<string, number>; latencyMs: LatencySummary }>;
  fiveXx: number;
  fiveXxOtherThan503: number;
  workshops: { id: string; capacity: number; taken: number; confirmedHolders: number }[];
  confirmedAtEnd: number;
  cancelledAtEnd: number;
  invariantHolds: boolean;
  invariantViolations: string[];
};

/** The change/cancel routes exist when DELETE /registrations/x is the handler's 404, not the gateway's. */
export async function mutationRoutesExist(client: HttpClient): Promise<boolean> {
  const response = await client.request('DELETE', '/registrations/x');
  return response.status === 404 && response.body?.error?.code === 'REGISTRATION_NOT_FOUND';
}

type Holder = { id: string; token: string; n: number };

const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

export async function runChurn(context: BenchContext, options: ChurnOptions): Promise<ChurnResult> {
  const eventId = `churn-${Date.now().toString(36)}`;
  let definition: EventDefinition = benchEvent(
    'Bench churn',
    options.rounds,
    options.workshopsPerRound,
    options.seatsPerWorkshop,
  );
  await context.store.putEventDefinition(eventId, definition);
  const client = httpClient(context.stack.apiUrl, options.concurrency);
  const mutations = await mutationRoutesExist(client);
  progress(
    'churn',
    `${Math.round(options.durationMs / 1000)} s at concurrency ${options.concurrency}; change/cancel routes ${
      mutations ? 'found' : 'NOT found: registrations (and resizes) only'
    }`,
  );

  const holders: Holder[] = [];
  const cancelledPeople: number[] = [];
  let nextPerson = 0;
  const samples = new Map<OpKind, { ms: number[]; outcomes: string[] }>();
  const record = (kind: OpKind, ms: number, outcome: string) => {
    const entry = samples.get(kind) ?? { ms: [], outcomes: [] };
    entry.ms.push(ms);
    entry.outcomes.push(outcome);
    samples.set(kind, entry);
  };
  const outcomeOf = (status: number, body: { error?: { code?: string } } | undefined) =>
    status < 300 ? String(status) : `${status} ${body?.error?.code ?? ''}`.trim();

  /** Mostly new people; sometimes someone who cancelled (may register again) or an active holder (refused). */
  const nextRegistrant = () => {
    const roll = Math.random();
    if (roll < 0.08 && cancelledPeople.length > 0) return pick(cancelledPeople) ?? nextPerson++;
    if (roll < 0.12 && holders.length > 0) return pick(holders)?.n ?? nextPerson++;
    return nextPerson++;
  };

  const registerHttp = async () => {
    const n = nextRegistrant();
    const response = await client.request(
      'POST',
      `/events/${eventId}/registrations`,
      person('churn', n, randomChoices(definition)),
    );
    record('register-http', response.ms, outcomeOf(response.status, response.body));
  };

  const registerUseCase = async () => {
    const n = nextRegistrant();
    const body = person('churn', n, randomChoices(definition));
    const started = performance.now();
    try {
      const { registration, manageToken } = await register(
        { ...body, eventId, locale: 'nl' },
        { events: context.store, registrations: context.store, clock: systemClock, secrets: cryptoSecrets },
      );
      holders.push({ id: registration.id, token: manageToken, n });
      record('register-use-case', performance.now() - started, '201');
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      record('register-use-case', performance.now() - started, `refused ${code}`);
    }
  };

  const change = async () => {
    const holder = pick(holders);
    if (!holder) return registerUseCase();
    const round = pick(definition.rounds);
    const workshop = round ? pick(round.workshops) : undefined;
    if (!round || !workshop) return;
    const response = await client.request(
      'PATCH',
      `/registrations/${holder.id}`,
      { choices: { [round.id]: workshop.id } },
      { Authorization: `Bearer ${holder.token}` },
    );
    record('change', response.ms, outcomeOf(response.status, response.body));
  };

  const cancel = async () => {
    const holder = pick(holders);
    if (!holder) return registerUseCase();
    // Someone who is cancelling does not change at the same time: out of the pool while the request runs.
    holders.splice(holders.indexOf(holder), 1);
    const response = await client.request('DELETE', `/registrations/${holder.id}`, undefined, {
      Authorization: `Bearer ${holder.token}`,
    });
    record('cancel', response.ms, outcomeOf(response.status, response.body));
    if (response.status === 200) cancelledPeople.push(holder.n);
    else holders.push(holder);
  };

  const view = async () => {
    const holder = pick(holders);
    if (!holder) return registerUseCase();
    const response = await client.request('GET', `/registrations/${holder.id}`, undefined, {
      Authorization: `Bearer ${holder.token}`,
    });
    record('view', response.ms, outcomeOf(response.status, response.body));
  };

  const operation = (): Promise<void> => {
    if (!mutations) return registerHttp();
    const roll = Math.random();
    if (roll < 0.22) return registerHttp();
    if (roll < 0.44) return registerUseCase();
    if (roll < 0.72) return change();
    if (roll < 0.92) return cancel();
    return view();
  };

  /** The organiser moves one workshop's capacity around what is taken; below it is refused (409). */
  const resize = async () => {
    const event = await context.store.getEvent(eventId);
    const round = pick(definition.rounds);
    const workshop = round ? pick(round.workshops) : undefined;
    if (!event || !workshop) return;
    const taken = event.seats.get(workshop.id)?.taken ?? 0;
    const capacity = Math.max(0, taken + Math.floor(Math.random() * 16) - 5);
    const next: EventDefinition = {
      ...definition,
      rounds: definition.rounds.map((r) => ({
        ...r,
        workshops: r.workshops.map((w) => (w.id === workshop.id ? { ...w, capacity } : w)),
      })),
    };
    const started = performance.now();
    try {
      await context.store.putEventDefinition(eventId, next);
      definition = next;
      record('resize', performance.now() - started, 'ok');
    } catch (error) {
      record(
        'resize',
        performance.now() - started,
        error instanceof CapacityBelowTaken
          ? 'refused CAPACITY_BELOW_TAKEN'
          : `error ${(error as Error).name}`,
      );
    }
  };

  const started = performance.now();
  const deadline = started + options.durationMs;
  let lastReport = started;
  const workers = Array.from({ length: options.concurrency }, async () => {
    while (performance.now() < deadline) {
      await operation();
      const now = performance.now();
      if (now - lastReport >= Math.max(1_000, options.durationMs / 10)) {
        lastReport = now;
        const done = [...samples.values()].reduce((sum, s) => sum + s.ms.length, 0);
        progress(
          'churn',
          `${Math.min(100, Math.round(((now - started) / options.durationMs) * 100))}% (${done} operations, ` +
            `${holders.length} manageable holders)`,
        );
      }
    }
  });
  const resizer = (async () => {
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, options.resizeEveryMs));
      if (performance.now() < deadline) await resize();
    }
  })();
  await Promise.all([...workers, resizer]);
  const durationMs = performance.now() - started;
  client.close();

  progress('churn', 'checking the invariant on the table');
  const state = await readEventState(context.documentClient, context.stack.tableName, eventId);
  const violations = invariantViolations(state);
  const byKind = Object.fromEntries(
    [...samples].map(([kind, s]) => [
      kind,
      { count: s.ms.length, outcomes: histogram(s.outcomes), latencyMs: latencySummary(s.ms) },
    ]),
  );
  const allOutcomes = [...samples.values()].flatMap((s) => s.outcomes);
  const operations = allOutcomes.length;
  return {
    options,
    eventId,
    mode: mutations
      ? 'register, change, cancel, view, resize'
      : 'registrations and resizes only (no change/cancel routes)',
    tokensFrom: mutations
      ? 'register() use case on the same DynamoDB (half of the registrations); the rest are plain POSTs'
      : 'not needed',
    durationMs: Math.round(durationMs),
    operations,
    operationsPerSecond: round1(operations / (durationMs / 1000)),
    byKind,
    fiveXx: allOutcomes.filter((o) => /^5\d\d/.test(o)).length,
    fiveXxOtherThan503: allOutcomes.filter((o) => /^5\d\d/.test(o) && !o.startsWith('503')).length,
    workshops: [...state.workshops.values()].map((w) => ({
      id: w.id,
      capacity: w.capacity,
      taken: w.taken,
      confirmedHolders: w.holders,
    })),
    confirmedAtEnd: state.registrations.filter((r) => r.status === 'confirmed').length,
    cancelledAtEnd: state.registrations.filter((r) => r.status === 'cancelled').length,
    invariantHolds: violations.length === 0,
    invariantViolations: violations,
  };
}
