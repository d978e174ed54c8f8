import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import type { EventDefinition } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import type { LocalStack } from '../../local/stack.js';
import { api, startTestStack } from '../support/local-stack.js';
import { assertDocumentedResponse } from '../support/openapi-validator.js';

const SEED = 'dag-van-weerbaar-bestuur-2019';
let stack: LocalStack;
let store: DynamoStore;

const person = (n: number, choices: Record<string, string>) => ({
  name: `Deelnemer ${n}`,
  email: `deelnemer${n}@example.nl`,
  organisation: 'Gemeente Oss',
  jobTitle: 'Beleidsadviseur',
  choices,
  consent: true,
});

/** An event of one round: workshop id → [title, capacity]. */
const oneRoundEvent = (title: string, workshops: Record<string, [string, number]>): EventDefinition => ({
  title,
  date: '2030-01-01',
  timezone: 'Europe/Amsterdam',
  registration: {},
  rounds: [
    {
      id: '1',
      title: 'Ronde 1',
      workshops: Object.entries(workshops).map(([id, [workshopTitle, capacity]]) => ({
        id,
        title: workshopTitle,
        description: '',
        speakers: [],
        capacity,
      })),
    },
  ],
});

async function seatsLeft(eventId: string) {
  const { body } = await api(stack, 'GET', `/events/${eventId}`);
  return Object.fromEntries(
    body.rounds.flatMap((round: { workshops: { id: string; seatsLeft: number }[] }) =>
      round.workshops.map((workshop) => [workshop.id, workshop.seatsLeft]),
    ),
  );
}

beforeAll(async () => {
  stack = await startTestStack();
  store = new DynamoStore(
    createDocumentClient({ region: 'eu-west-1', endpoint: stack.dynamodbEndpoint, requestTimeoutMs: 30_000 }),
    stack.tableName,
  );
});
afterAll(async () => stack.close());

describe('the API over HTTP on the local stack', () => {
  it('is healthy', async () => {
    const { status, body } = await api(stack, 'GET', '/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });

  it('serves the seed event with both rounds and seats left', async () => {
    const { status, headers, body } = await api(stack, 'GET', `/events/${SEED}`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(body.title).toBe('Dag van Weerbaar Bestuur');
    expect(body.registration.status).toBe('open');
    expect(body.rounds.map((round: { workshops: unknown[] }) => round.workshops.length)).toEqual([4, 3]);
    for (const workshop of body.rounds.flatMap((round: { workshops: unknown[] }) => round.workshops)) {
      expect(workshop).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          title: expect.any(String),
          description: expect.any(String),
          speakers: expect.any(Array),
          capacity: expect.any(Number),
          seatsLeft: expect.any(Number),
          full: false,
        }),
      );
    }
  });

  it('registers for the seed event and counts the seats down', async () => {
    const { body: event } = await api(stack, 'GET', `/events/${SEED}`);
    const choices = { '1': event.rounds[0].workshops[0].id, '2': event.rounds[1].workshops[2].id };
    const before = await seatsLeft(SEED);
    const { status, body, headers } = await api(
      stack,
      'POST',
      `/events/${SEED}/registrations`,
      person(1, choices),
    );
    expect(status).toBe(201);
    expect(body.registration).toMatchObject({
      eventId: SEED,
      choices,
      status: 'confirmed',
      email: 'deelnemer1@example.nl',
    });
    expect(headers.get('location')).toBe(`/registrations/${body.registration.id}`);
    const after = await seatsLeft(SEED);
    expect(after[choices['1']]).toBe(before[choices['1']] - 1);
    expect(after[choices['2']]).toBe(before[choices['2']] - 1);

    const again = await api(stack, 'POST', `/events/${SEED}/registrations`, {
      ...person(1, choices),
      email: ' DEELNEMER1@example.nl',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_REGISTERED');
  });

  it('refuses bad input with the contract error shape and changes no seat', async () => {
    const before = await seatsLeft(SEED);
    const path = `/events/${SEED}/registrations`;
    const cases: [unknown, Record<string, string>, number, string][] = [
      ['{"name":', { 'Content-Type': 'application/json' }, 400, 'MALFORMED_JSON'],
      ['name=x', { 'Content-Type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        JSON.stringify({ ...person(2, {}), name: 'x'.repeat(20_000) }),
        { 'Content-Type': 'application/json' },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        JSON.stringify({ ...person(2, { '1': 'nope', '2': 'nope' }) }),
        { 'Content-Type': 'application/json' },
        400,
        'INVALID_CHOICE',
      ],
      [
        JSON.stringify({ ...person(2, {}), consent: false }),
        { 'Content-Type': 'application/json' },
        400,
        'VALIDATION_FAILED',
      ],
      // Issue 15: invisible, bidirectional and broken characters in single-line fields; ids that shadow
      // object properties.
      ...[
        'Anna\u2028Jansen',
        'Anna\u2029Jansen',
        '\u202eAnna',
        'Anna\u2066x\u2069',
        '\u200b\u200d\ufeff',
      ].map((name): [unknown, Record<string, string>, number, string] => [
        JSON.stringify({ ...person(2, {}), name }),
        { 'Content-Type': 'application/json' },
        400,
        'VALIDATION_FAILED',
      ]),
      [
        `{"name":"Anna \\ud800","email":"a@example.nl","organisation":"X","choices":{},"consent":true}`,
        { 'Content-Type': 'application/json' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        JSON.stringify({ ...person(2, { '1': 'constructor', '2': 'prototype' }) }),
        { 'Content-Type': 'application/json' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        JSON.stringify({ ...person(2, { constructor: 'x' }) }).replace(
          '"choices":{',
          '"choices":{"__proto__":"y",',
        ),
        { 'Content-Type': 'application/json' },
        400,
        'INVALID_CHOICE',
      ],
    ];
    for (const [body, headers, status, code] of cases) {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method: 'POST',
        headers,
        body: body as string,
      });
      expect(response.status, code).toBe(status);
      const json = await response.json();
      assertDocumentedResponse({
        method: 'POST',
        urlPath: path,
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: json,
      });
      expect(json.error.code).toBe(code);
      expect(typeof json.error.message).toBe('string');
    }
    expect(await seatsLeft(SEED)).toEqual(before);
  });

  it('lets caches keep an event for a second (the read path during a rush), never an error', async () => {
    const found = await api(stack, 'GET', `/events/${SEED}`);
    expect(found.status).toBe(200);
    expect(found.headers.get('cache-control')).toBe('public, max-age=1');
    const missing = await api(stack, 'GET', '/events/bestaat-niet');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
  });

  it('answers unknown events, routes and methods in the same error shape', async () => {
    expect((await api(stack, 'GET', '/events/bestaat-niet')).body.error.code).toBe('EVENT_NOT_FOUND');
    const unknownRoute = await api(stack, 'GET', '/nope');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.error.code).toBe('NOT_FOUND');
    const wrongMethod = await api(stack, 'DELETE', `/events/${SEED}`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.code).toBe('METHOD_NOT_ALLOWED');
    // Issue 15: a broken percent-encoding is the client's mistake, not a failing gateway.
    for (const path of ['/events/%ZZ', '/registrations/%E0%A4%A', '/events/%/registrations']) {
      const malformed = await api(stack, path.endsWith('registrations') ? 'POST' : 'GET', path);
      expect(malformed.status, path).toBe(400);
      expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('allows one registration per mailbox: +tag and Gmail-dot variants are refused (issue 15.2)', async () => {
    await store.putEventDefinition('mailbox', {
      title: 'Mailboxdag',
      date: '2030-05-01',
      timezone: 'Europe/Amsterdam',
      registration: {},
      rounds: [
        {
          id: '1',
          title: 'Ronde 1',
          workshops: [{ id: 'a', title: 'A', description: '', speakers: [], capacity: 100 }],
        },
      ],
    });
    const post = (email: string) =>
      api(stack, 'POST', '/events/mailbox/registrations', { ...person(900, { '1': 'a' }), email });
    const first = await post('Seat+1@Example.org');
    expect(first.status).toBe(201);
    expect(first.body.registration.email).toBe('Seat+1@Example.org');
    for (const variant of ['seat+2@example.org', 'seat@example.org', ' SEAT+bot@example.org ']) {
      const refused = await post(variant);
      expect(refused.status, variant).toBe(409);
      expect(refused.body.error.code).toBe('ALREADY_REGISTERED');
    }
    expect((await post('a.n.n.a@gmail.com')).status).toBe(201);
    for (const variant of ['anna@gmail.com', 'an.na+2@googlemail.com', 'ANNA@GoogleMail.com']) {
      expect((await post(variant)).status, variant).toBe(409);
    }
    // Dots matter outside Gmail.
    expect((await post('s.eat@example.org')).status).toBe(201);
    expect((await seatsLeft('mailbox')).a).toBe(97);

    // A registration made before the rule, guarded under the address as typed, still matches when typed the same.
    const earlier = 'earlier+1@example.org';
    const now = new Date().toISOString();
    await store.createRegistration({
      registration: {
        id: 'earlier-registration-1',
        eventId: 'mailbox',
        name: 'Eerder',
        email: earlier,
        organisation: 'Org',
        choices: { '1': 'a' },
        status: 'confirmed',
        locale: 'nl',
        createdAt: now,
        updatedAt: now,
      },
      emailHash: sha256Hex(`mailbox\n${earlier}`),
      manageTokenHash: sha256Hex('token'),
    });
    const again = await post(earlier);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_REGISTERED');
    expect((await seatsLeft('mailbox')).a).toBe(96);
  });

  it('takes an alternative when the choice is full, and says which in the answer (issue 21)', async () => {
    await store.putEventDefinition(
      'alternatives-http',
      oneRoundEvent('Reservekeuze', { vol: ['Vol', 1], 'ook-vol': ['Ook vol', 0], ruim: ['Ruim', 5] }),
    );
    const path = '/events/alternatives-http/registrations';
    const documented = (response: { status: number; headers: Headers; body: unknown }) =>
      assertDocumentedResponse({
        method: 'POST',
        urlPath: path,
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: response.body,
      });
    const withAlternatives = (n: number, alternatives: unknown) => ({
      ...person(n, { '1': 'vol' }),
      alternatives,
    });

    const first = await api(stack, 'POST', path, withAlternatives(2100, { '1': ['ook-vol', 'ruim'] }));
    expect(first.status).toBe(201);
    expect(first.body.registration.choices).toEqual({ '1': 'vol' });
    const second = await api(stack, 'POST', path, withAlternatives(2101, { '1': ['ook-vol', 'ruim'] }));
    expect(second.status).toBe(201);
    documented(second);
    expect(second.body.registration.choices).toEqual({ '1': 'ruim' });
    expect(second.body.registration).not.toHaveProperty('alternatives');

    const full = await api(stack, 'POST', path, withAlternatives(2102, { '1': ['ook-vol'] }));
    expect(full.status).toBe(409);
    documented(full);
    expect(full.body.error).toMatchObject({
      code: 'WORKSHOP_FULL',
      details: { workshopIds: ['vol', 'ook-vol'] },
    });
    const wrong = await api(stack, 'POST', path, withAlternatives(2103, { '1': ['elders'] }));
    expect(wrong.status).toBe(400);
    documented(wrong);
    expect(wrong.body.error).toMatchObject({
      code: 'INVALID_CHOICE',
      details: [{ roundId: '1', workshopId: 'elders', reason: 'unknown-workshop' }],
    });
    const malformed = await api(stack, 'POST', path, withAlternatives(2104, { '1': 'ruim' }));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    expect(await seatsLeft('alternatives-http')).toEqual({ vol: 0, 'ook-vol': 0, ruim: 4 });
  });

  it('never oversells and never answers 5xx when 150 people register at once for 12 seats', async () => {
    await store.putEventDefinition(
      'storm-http',
      oneRoundEvent('Storm', { klein: ['Klein', 12], 'ook-klein': ['Ook klein', 3] }),
    );
    const responses = await Promise.all(
      Array.from({ length: 150 }, (_, n) =>
        api(
          stack,
          'POST',
          '/events/storm-http/registrations',
          person(1000 + n, { '1': n % 2 ? 'klein' : 'ook-klein' }),
        ),
      ),
    );
    const byStatus = new Map<number, number>();
    for (const response of responses) byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
    expect(byStatus.get(201)).toBe(15);
    expect(byStatus.get(409)).toBe(135);
    expect(responses.filter((response) => response.status >= 500)).toEqual([]);
    for (const response of responses.filter((r) => r.status === 409))
      expect(response.body.error.code).toBe('WORKSHOP_FULL');
    expect(await seatsLeft('storm-http')).toEqual({ klein: 0, 'ook-klein': 0 });
  });
});
