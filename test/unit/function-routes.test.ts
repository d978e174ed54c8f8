import path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../lambdas/handlers/admin.js';
import { EVENT_ROUTES } from '../../lambdas/handlers/get-event.js';
import { HEALTH_ROUTES } from '../../lambdas/handlers/health.js';
import { MANAGE_ROUTES, handler as manage } from '../../lambdas/handlers/manage-registration.js';
import { OPENAPI_ROUTES } from '../../lambdas/handlers/openapi.js';
import { REGISTER_ROUTES, handler as register } from '../../lambdas/handlers/register.js';
import { type FunctionName, functionSpecs, routes } from '../../lambdas/routes.js';
import { proxyEvent } from '../support/api-events.js';

/** Every function behind a route, with the route actions its handler dispatches to. */
const servedBy: Record<FunctionName, object> = {
  health: HEALTH_ROUTES,
  openapi: OPENAPI_ROUTES,
  events: EVENT_ROUTES,
  register: REGISTER_ROUTES,
  manage: MANAGE_ROUTES,
  admin: ADMIN_ROUTES,
};

const ddb = mockClient(DynamoDBDocumentClient);
const parse = (result: { body: string }) => JSON.parse(result.body);

describe('the routes each function serves', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.onAnyCommand().rejects(new Error('no table access expected'));
  });

  it.each(Object.keys(functionSpecs) as FunctionName[])(
    '%s handles exactly its routes of the route table',
    async (name) => {
      const expected = routes
        .filter((route) => route.functionName === name)
        .map((route) => `${route.method} ${route.path}`);
      expect(expected.length).toBeGreaterThan(0);
      expect(Object.keys(servedBy[name]).sort()).toEqual(expected.sort());
      // The actions are the ones the function's entry module (the one CDK bundles) dispatches to.
      const entry = await import(path.resolve(functionSpecs[name].entry));
      expect(Object.values(entry)).toContain(servedBy[name]);
      expect(entry.handler).toEqual(expect.any(Function));
    },
  );

  it('answers 405 METHOD_NOT_ALLOWED with Allow for a method its resource is not served with', async () => {
    const result = await manage(
      proxyEvent({
        httpMethod: 'PUT',
        resource: '/registrations/{registrationId}',
        pathParameters: { registrationId: 'V1StGXR8_Z5jdHi6B-myT' },
        headers: { Authorization: 'Bearer token-of-32-characters-xxxxxxxxxx', 'Accept-Language': 'en' },
      }),
    );
    expect(result.statusCode).toBe(405);
    expect(result.headers?.Allow).toBe('GET, PATCH, DELETE');
    expect(parse(result).error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', message: expect.any(String) });
    const waitingList = await register(
      proxyEvent({ httpMethod: 'GET', resource: '/events/{eventId}/waiting-list' }),
    );
    expect(waitingList.statusCode).toBe(405);
    expect(waitingList.headers?.Allow).toBe('POST');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 404 NOT_FOUND for a resource the function does not serve', async () => {
    const result = await register(
      proxyEvent({ httpMethod: 'POST', resource: '/registrations/{registrationId}/waiting-list' }),
    );
    expect(result.statusCode).toBe(404);
    expect(result.headers?.Allow).toBeUndefined();
    expect(parse(result).error.code).toBe('NOT_FOUND');
    expect(ddb.calls()).toHaveLength(0);
  });
});
