import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../lambdas/handlers/get-event.js';
import { handler as health } from '../../lambdas/handlers/health.js';
import { proxyEvent } from '../support/api-events.js';
import { sampleDefinition } from '../support/fakes.js';

const ddb = mockClient(DynamoDBDocumentClient);
const get = (eventId: string) =>
  handler(proxyEvent({ resource: '/events/{eventId}', pathParameters: { eventId } }));

describe('GET /events/{eventId} handler', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({
      Item: { definition: sampleDefinition({ registration: { opensAt: '2099-01-01T00:00:00Z' } }) },
    });
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        'vol-is-vol-test': [
          { workshopId: 'a', capacity: 2, taken: 1 },
          { workshopId: 'b', capacity: 1, taken: 1 },
          { workshopId: 'c', capacity: 6, taken: 0 },
        ],
      },
    });
    // The waiting-list queue: two people would accept the full workshop b, one of them also a.
    ddb.on(QueryCommand).resolves({
      Items: [
        {
          id: 'r1.1',
          eventId: 'testdag',
          registrationId: 'r1',
          kind: 'preference',
          wants: { '1': ['b'] },
          joinedAt: '2030-01-01T10:00:00Z',
        },
        {
          id: 'r2.event',
          eventId: 'testdag',
          registrationId: 'r2',
          kind: 'place',
          wants: { '1': ['b', 'a'], '2': ['c'] },
          joinedAt: '2030-01-01T10:01:00Z',
        },
      ],
    });
  });

  it('shows rounds with workshops, live seats left and the registration status', async () => {
    const result = await get('testdag');
    expect(result.statusCode).toBe(200);
    const event = JSON.parse(result.body);
    expect(event.id).toBe('testdag');
    expect(event.registration.status).toBe('not-yet-open');
    expect(event.rounds.map((round: { id: string }) => round.id)).toEqual(['1', '2']);
    expect(event.rounds[0].workshops).toEqual([
      expect.objectContaining({
        id: 'a',
        title: 'A',
        speakers: ['Spreker A'],
        capacity: 2,
        seatsLeft: 1,
        full: false,
        waiting: 1,
      }),
      expect.objectContaining({ id: 'b', capacity: 1, seatsLeft: 0, full: true, waiting: 2 }),
    ]);
    // The live counter's capacity wins over the one in the stored definition.
    expect(event.rounds[1].workshops[0]).toMatchObject({
      id: 'c',
      capacity: 6,
      seatsLeft: 6,
      description: '',
    });
  });

  it('answers 404 EVENT_NOT_FOUND for an unknown or impossible id', async () => {
    ddb.on(GetCommand).resolves({});
    for (const id of ['nope', 'NOT#AN#ID']) {
      const result = await get(id);
      expect(result.statusCode).toBe(404);
      expect(JSON.parse(result.body)).toEqual({
        error: { code: 'EVENT_NOT_FOUND', message: expect.any(String) },
      });
    }
  });
});

describe('GET /health handler', () => {
  it('answers 200 without touching DynamoDB', async () => {
    ddb.reset();
    const result = await health(proxyEvent({ resource: '/health' }));
    expect(result.statusCode).toBe(200);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('CORS on answers', () => {
  it('names a configured origin and no other', async () => {
    vi.resetModules();
    process.env.ALLOWED_ORIGINS = 'https://aanmelden.example.nl, https://acceptatie.example.nl';
    try {
      const { handler: health } = await import('../../lambdas/handlers/health.js');
      const allowed = await health(
        proxyEvent({ resource: '/health', headers: { Origin: 'https://aanmelden.example.nl' } }),
      );
      expect(allowed.headers?.['Access-Control-Allow-Origin']).toBe('https://aanmelden.example.nl');
      expect(allowed.headers?.['Access-Control-Expose-Headers']).toContain('Retry-After');
      const other = await health(
        proxyEvent({ resource: '/health', headers: { Origin: 'https://evil.example' } }),
      );
      expect(other.headers).not.toHaveProperty('Access-Control-Allow-Origin');
    } finally {
      delete process.env.ALLOWED_ORIGINS;
      vi.resetModules();
    }
  });
});
