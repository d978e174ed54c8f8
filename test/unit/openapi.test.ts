import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { handler } from '../../lambdas/handlers/openapi.js';
import { openApiDocument, openApiJson, operations } from '../../lambdas/http/openapi.js';
import { registrationBodySchema } from '../../lambdas/http/schemas.js';
import { routes } from '../../lambdas/routes.js';
import { repoRoot } from '../../local/stack.js';
import { proxyEvent } from '../support/api-events.js';
import { assertDocumentedResponse } from '../support/openapi-validator.js';

/** The OpenAPI document: generated from the zod schemas and the route table, served, and checked against. */

const document = openApiDocument('0.0.0');
type OperationObject = {
  security: Record<string, string[]>[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
};
const operation = (method: string, routePath: string) =>
  (document.paths as Record<string, Record<string, OperationObject>>)[routePath]?.[method.toLowerCase()];

const documentedCodes = (method: string, routePath: string, status: number) =>
  JSON.stringify(operation(method, routePath)?.responses[String(status)]).match(/"enum":\[([^\]]*)\]/)?.[1];

describe('the OpenAPI document', () => {
  it('has exactly the operations of lambdas/routes.ts', () => {
    const documented = Object.entries(document.paths).flatMap(([routePath, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${routePath}`),
    );
    const routed = routes.map((route) => `${route.method} ${route.path}`);
    expect(documented.sort()).toEqual([...routed].sort());
    expect(Object.keys(operations).sort()).toEqual([...routed].sort());
  });

  it('is what docs/openapi.json holds (run `npm run build:openapi` after changing a schema or route)', () => {
    const committed = readFileSync(path.join(repoRoot, 'docs', 'openapi.json'), 'utf8');
    expect(committed).toBe(openApiJson());
  });

  it('puts the Cognito scheme on admin operations, the manage token on manage routes, none elsewhere', () => {
    for (const route of routes) {
      const expected = { admin: [{ cognito: [] }], 'manage-token': [{ manageToken: [] }], none: [] }[
        route.auth
      ];
      expect(operation(route.method, route.path)?.security, `${route.method} ${route.path}`).toEqual(
        expected,
      );
    }
    expect(document.components.securitySchemes.cognito).toMatchObject({
      type: 'apiKey',
      name: 'Authorization',
    });
    expect(document.components.securitySchemes.manageToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists each operation’s error codes under the status the error mapper gives them', () => {
    const register = ['POST', '/events/{eventId}/registrations'] as const;
    expect(documentedCodes(...register, 409)).toContain('"WORKSHOP_FULL"');
    expect(documentedCodes(...register, 400)).toContain(
      '"VALIDATION_FAILED","MALFORMED_JSON","INVALID_CHOICE"',
    );
    expect(documentedCodes(...register, 413)).toBe('"PAYLOAD_TOO_LARGE"');
    expect(documentedCodes(...register, 503)).toBe('"TRY_AGAIN"');
    expect(documentedCodes('GET', '/admin/events/{eventId}/summary', 401)).toBe('"UNAUTHORIZED"');
    expect(documentedCodes('GET', '/admin/events/{eventId}/summary', 403)).toBe('"FORBIDDEN"');
    expect(documentedCodes('GET', '/registrations/{registrationId}', 404)).toBe('"REGISTRATION_NOT_FOUND"');
    expect(documentedCodes('GET', '/health', 500)).toBe('"INTERNAL_ERROR"');
    expect(operation('GET', '/health')?.responses['503']).toBeUndefined();
  });

  it('describes the registration body with the schema that validates it', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile({
      ...document,
      $ref: '#/components/schemas/RegistrationBody',
    });
    const body = {
      name: 'Anna de Vries',
      email: 'anna@example.nl',
      organisation: 'Gemeente Oss',
      choices: { '1': 'wijk-van-ons-allemaal' },
      consent: true,
    };
    const variants = [
      body,
      { ...body, consent: false },
      { ...body, name: '' },
      { ...body, choices: { '1': 'Not An Id' } },
      { ...body, locale: 'de' },
      { ...body, unknownField: 'ignored' },
    ];
    for (const variant of variants) {
      expect(validate(variant), JSON.stringify(variant)).toBe(
        registrationBodySchema.safeParse(variant).success,
      );
    }
    expect(operation('POST', '/events/{eventId}/registrations')?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/RegistrationBody' } } },
    });
  });
});

describe('GET /openapi.json', () => {
  it('serves the committed document, cacheable', async () => {
    const response = await handler(proxyEvent({ resource: '/openapi.json', path: '/openapi.json' }));
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Cache-Control']).toBe('public, max-age=300');
    expect(JSON.parse(response.body)).toEqual(JSON.parse(openApiJson()));
  });
});

describe('the response check of the integration tests', () => {
  const registration = {
    id: 'V1StGXR8_Z5jdHi6B-myT',
    eventId: 'dag',
    name: 'Anna de Vries',
    email: 'anna@example.nl',
    organisation: 'Gemeente Oss',
    choices: { '1': 'a' },
    status: 'confirmed',
    locale: 'nl',
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
  };
  const respond =
    (status: number, body: unknown, urlPath = '/registrations/V1StGXR8_Z5jdHi6B-myT') =>
    () =>
      assertDocumentedResponse({ method: 'GET', urlPath, status, contentType: 'application/json', body });

  it('accepts a documented response', () => {
    expect(respond(200, { registration })).not.toThrow();
    expect(
      respond(404, { error: { code: 'REGISTRATION_NOT_FOUND', message: 'Niet gevonden' } }),
    ).not.toThrow();
  });

  it('refuses a body that does not match, an undocumented status and an undocumented error code', () => {
    const { status: _status, ...withoutStatus } = registration;
    expect(respond(200, { registration: withoutStatus })).toThrow(/does not match/);
    expect(respond(200, { registration: { ...registration, manageTokenHash: 'x' } })).toThrow(
      /does not match/,
    );
    expect(respond(201, { registration })).toThrow(/Undocumented response/);
    expect(respond(404, { error: { code: 'EVENT_NOT_FOUND', message: 'Niet gevonden' } })).toThrow(
      /does not match/,
    );
  });

  it('holds requests to no operation to the error shape', () => {
    expect(respond(404, { error: { code: 'NOT_FOUND', message: 'Niet gevonden' } }, '/nope')).not.toThrow();
    expect(respond(404, 'Not Found', '/nope')).toThrow(/does not match/);
  });
});
