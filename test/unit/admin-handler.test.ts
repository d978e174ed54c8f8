import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES, handler } from '../../lambdas/handlers/admin.js';
import { routes } from '../../lambdas/routes.js';
import { proxyEvent } from '../support/api-events.js';

const ddb = mockClient(DynamoDBDocumentClient);

const organiser = { sub: 'sub-1', 'cognito:username': 'anna', 'cognito:groups': '[organisers]' };

function request(overrides: Partial<APIGatewayProxyEvent>, claims: unknown = organiser) {
  return handler(
    proxyEvent({
      httpMethod: 'GET',
      resource: '/admin/events/{eventId}/registrations',
      pathParameters: { eventId: 'testdag' },
      requestContext: { authorizer: claims === null ? null : { claims } } as never,
      ...overrides,
    }),
  );
}

const parse = (result: { body: string }) => JSON.parse(result.body);

describe('the admin handler', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.onAnyCommand().rejects(new Error('no table access expected'));
  });

  it('serves exactly the admin routes of the route table', () => {
    const adminRoutes = routes.filter((route) => route.auth === 'admin');
    expect(adminRoutes.every((route) => route.functionName === 'admin')).toBe(true);
    expect(Object.keys(ADMIN_ROUTES).sort()).toEqual(
      adminRoutes.map((route) => `${route.method} ${route.path}`).sort(),
    );
  });

  it('answers 401 UNAUTHORIZED without claims, before touching the table', async () => {
    const result = await request({}, null);
    const empty = await request({}, {});
    expect(empty.statusCode).toBe(401);
    expect(result.statusCode).toBe(401);
    expect(parse(result).error.code).toBe('UNAUTHORIZED');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 403 FORBIDDEN to a signed-in user outside the organisers', async () => {
    const result = await request({}, { ...organiser, 'cognito:groups': 'attendees' });
    expect(result.statusCode).toBe(403);
    expect(parse(result).error).toMatchObject({ code: 'FORBIDDEN', message: expect.any(String) });
    const english = await request(
      { headers: { 'Accept-Language': 'en' } },
      { sub: 'x', 'cognito:username': 'x' },
    );
    expect(parse(english).error.message).toBe('You do not have access: this is for organisers only.');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('validates the query string before reading anything', async () => {
    for (const limit of ['0', '501', 'x']) {
      const result = await request({ queryStringParameters: { limit } });
      expect(result.statusCode).toBe(400);
      expect(parse(result).error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ path: 'limit' })],
      });
    }
    const cursor = await request({ queryStringParameters: { cursor: 'bm90LWEtY3Vyc29y.abc' } });
    expect(parse(cursor).error.details).toEqual([{ path: 'cursor', message: expect.any(String) }]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 404 for a resource it does not serve and for ids that cannot exist', async () => {
    const unknown = await request({ resource: '/admin/other' });
    expect(unknown.statusCode).toBe(404);
    const badId = await request({ pathParameters: { eventId: 'Bad Id' } });
    expect(parse(badId).error.code).toBe('EVENT_NOT_FOUND');
  });

  it('refuses a non-JSON event definition and an oversized one', async () => {
    const put = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
      request({ httpMethod: 'PUT', resource: '/admin/events/{eventId}', body, headers });
    expect((await put('title=x', { 'Content-Type': 'application/x-www-form-urlencoded' })).statusCode).toBe(
      415,
    );
    expect((await put('{')).statusCode).toBe(400);
    expect((await put(JSON.stringify({ title: 'x'.repeat(300 * 1024) }))).statusCode).toBe(413);
    const invalid = await put(JSON.stringify({ title: 'x' }));
    expect(parse(invalid).error.code).toBe('VALIDATION_FAILED');
    expect(ddb.calls()).toHaveLength(0);
  });
});
