/**
 * Business metrics: the use cases record the right business event (lambdas/ports.ts `BusinessMetrics`), and
 * the adapter writes them as CloudWatch EMF with the right names, unit and dimensions, and nothing personal.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BUSINESS_METRICS_NAMESPACE,
  EmfBusinessMetrics,
} from '../../lambdas/adapters/cloudwatch/business-metrics.js';
import { readStage } from '../../lambdas/config.js';
import { newOutboxEntry, type OutboxEntry, PermanentDeliveryFailure } from '../../lambdas/domain/email.js';
import { WorkshopFull } from '../../lambdas/domain/errors.js';
import type { BusinessEvent, Mailer, RegistrationStore } from '../../lambdas/ports.js';
import { type DeliveryDeps, deliverNewEntry } from '../../lambdas/use-cases/deliver-email.js';
import { type FollowUpDeps, promoteAndNotify } from '../../lambdas/use-cases/follow-up.js';
import { registerAndConfirm } from '../../lambdas/use-cases/sign-up.js';
import {
  fixedClock,
  InMemoryStore,
  InMemoryWaitingList,
  loneWalkerLease,
  sampleDefinition,
  sequentialSecrets,
} from '../support/fakes.js';

function recorder() {
  const recorded: BusinessEvent[] = [];
  return { recorded, metrics: { record: (event: BusinessEvent) => void recorded.push(event) } };
}

const clock = fixedClock('2030-01-01T10:00:00.000Z');
const quietLog = { promotion: () => {}, promotionLeftToSweep: () => {} };

function delivery(mailer: Mailer, metrics: DeliveryDeps['metrics']): DeliveryDeps {
  return {
    mailer,
    outbox: {
      claim: async (entry: OutboxEntry) => ({ ...entry, attempts: entry.attempts + 1 }),
      markSent: async () => {},
      markRetry: async () => {},
      markGaveUp: async () => {},
    } as unknown as DeliveryDeps['outbox'],
    clock,
    publicBaseUrl: 'https://aanmelden.example.nl',
    metrics,
  };
}

/** The dependencies of a registration from the form, on the in-memory event, counting into `metrics`. */
async function signUpWorld(metrics: FollowUpDeps['metrics']) {
  const store = new InMemoryStore();
  await store.putEventDefinition('testdag', sampleDefinition());
  const world = new InMemoryWaitingList('testdag', sampleDefinition());
  const deps = {
    events: store,
    // A registration from the form creates and reads; nothing here changes, cancels or erases one.
    registrations: {
      createRegistration: (input) => store.createRegistration(input),
      getRegistration: (id) => world.getRegistration(id),
    } as Pick<RegistrationStore, 'createRegistration' | 'getRegistration'> as RegistrationStore,
    waiting: world,
    clock,
    secrets: sequentialSecrets(),
    lease: loneWalkerLease(),
    newOwnerId: () => 'owner-1',
    log: quietLog,
    metrics,
  };
  return { store, deps };
}

const person = {
  eventId: 'testdag',
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  organisation: 'Gemeente Utrecht',
  locale: 'nl' as const,
};

describe('the business events the use cases record', () => {
  it('a confirmed registration counts once (its email is counted by the sender, after the answer)', async () => {
    const { recorded, metrics } = recorder();
    const { deps } = await signUpWorld(metrics);
    await registerAndConfirm({ ...person, choices: { '1': 'a', '2': 'c' } }, deps);
    expect(recorded).toEqual(['RegistrationsConfirmed']);
  });

  it('a registration refused because a workshop is full counts as refused, not as confirmed', async () => {
    const { recorded, metrics } = recorder();
    const { store, deps } = await signUpWorld(metrics);
    const seats = store.events.get('testdag')?.seats.get('a');
    if (seats) seats.taken = seats.capacity;
    await expect(registerAndConfirm({ ...person, choices: { '1': 'a', '2': 'c' } }, deps)).rejects.toThrow(
      WorkshopFull,
    );
    expect(recorded).toEqual(['RegistrationsRefusedFull']);
  });

  it('a promotion counts (its email is counted by the sender)', async () => {
    const { recorded, metrics } = recorder();
    const definition = sampleDefinition();
    const world = new InMemoryWaitingList('dag', definition);
    const [first, second] = definition.rounds.map((round) => round.workshops[0]?.id ?? '');
    for (let n = 0; n < (world.seats.get(first ?? '')?.capacity ?? 0); n++) {
      world.register(`holder-${n}`, { '1': first ?? '', '2': second ?? '' });
    }
    world.waitForPlace('waiter', { '1': [first ?? ''], '2': [second ?? ''] });
    world.cancel('holder-0');
    const { deps } = await signUpWorld(metrics);
    await promoteAndNotify('dag', {
      ...deps,
      events: world,
      registrations: world,
      waiting: world,
    });
    expect(recorded).toEqual(['Promotions']);
  });

  it.each([
    ['a rejected address gives up at once', new PermanentDeliveryFailure('address rejected'), 'EmailsFailed'],
    ['a transient failure defers to the next attempt', new Error('throttled'), 'EmailsDeferred'],
  ] as const)('%s', async (_, failure, expected) => {
    const { recorded, metrics } = recorder();
    const failing: Mailer = {
      send: async () => {
        throw failure;
      },
    };
    const definition = sampleDefinition();
    const entry = newOutboxEntry('reg-1', 'testdag', 'cancellation', 2, clock.now());
    const registration = {
      id: 'reg-1',
      eventId: 'testdag',
      name: 'Anna de Vries',
      email: 'anna@example.nl',
      organisation: 'Gemeente Utrecht',
      locale: 'nl' as const,
      status: 'cancelled' as const,
      choices: {},
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
      version: 2,
      emailHash: 'email-hash',
      manageTokenHash: 'token-hash',
    };
    const outcome = await deliverNewEntry(entry, {
      ...delivery(failing, metrics),
      registrations: { getRegistration: async () => registration, replaceManageToken: async () => {} },
      events: { getDefinition: async () => definition },
      secrets: sequentialSecrets(),
    });
    expect(outcome?.result).toBe(expected === 'EmailsFailed' ? 'gave-up' : 'retry');
    expect(recorded).toEqual([expected]);
  });
});

describe('the EMF business metrics adapter', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  function captureStdout(): string[] {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    });
    return lines;
  }

  it('writes one EMF line per invocation: counts, namespace VolIsVol, dimensions service and stage', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = new EmfBusinessMetrics({ serviceName: 'vol-is-vol', stage: 'acceptance' });
    const lines = captureStdout();
    metrics.record('RegistrationsConfirmed');
    metrics.record('RegistrationsConfirmed');
    metrics.record('EmailsSent');
    metrics.flush();
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] ?? '{}');
    expect(emf._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: BUSINESS_METRICS_NAMESPACE,
        Dimensions: [['service', 'stage']],
        Metrics: [
          { Name: 'RegistrationsConfirmed', Unit: 'Count' },
          { Name: 'EmailsSent', Unit: 'Count' },
        ],
      },
    ]);
    expect(emf).toMatchObject({
      service: 'vol-is-vol',
      stage: 'acceptance',
      RegistrationsConfirmed: [1, 1],
      EmailsSent: 1,
    });
    // Counts and dimensions only: nothing that names an event, a registration or a person.
    expect(Object.keys(emf).sort()).toEqual([
      'EmailsSent',
      'RegistrationsConfirmed',
      '_aws',
      'service',
      'stage',
    ]);

    // The next invocation starts from nothing, and one that counted nothing writes nothing.
    metrics.flush();
    expect(lines).toHaveLength(1);
  });

  it('takes the stage dimension from STAGE, `local` outside AWS', () => {
    expect(readStage({ STAGE: 'production' })).toBe('production');
    expect(readStage({})).toBe('local');
  });

  it('writes nothing when POWERTOOLS_METRICS_DISABLED is set (the tests, a quiet local stack)', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const metrics = new EmfBusinessMetrics({ serviceName: 'vol-is-vol', stage: 'local' });
    const lines = captureStdout();
    metrics.record('Promotions');
    metrics.flush();
    expect(lines).toEqual([]);
  });
});
