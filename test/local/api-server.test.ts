import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '../../lambdas/http/responses.js';
import { type FunctionName, routes } from '../../lambdas/routes.js';
import { createApiServer, type LambdaHandler } from '../../local/api-server.js';

/** The local gateway with stand-in functions: what is tested here is the gateway, not the functions. */
const servers: Server[] = [];

async function serve(
  handlers: Partial<Record<FunctionName, LambdaHandler>>,
  whenReady?: Promise<unknown>,
): Promise<string> {
  const server = createApiServer({
    routes,
    handlers: handlers as Record<FunctionName, LambdaHandler>,
    adminToken: 'local-admin-token',
    whenReady,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const answering: LambdaHandler = async (event) => jsonResponse(200, { resource: event.resource });

afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('the local gateway (issue 15.7, 15.8)', () => {
  it('answers a malformed percent-encoding with 400 in the error shape, not 502', async () => {
    const url = await serve({ events: answering, manage: answering, admin: answering });
    for (const path of ['/events/%ZZ', '/events/%E0%A4%A', '/registrations/%', '/no-route/%ZZ']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(path.startsWith('/no-route') ? 404 : 400);
      const body = await response.json();
      expect(body.error.code).toBe(path.startsWith('/no-route') ? 'NOT_FOUND' : 'VALIDATION_FAILED');
      expect(typeof body.error.message).toBe('string');
    }
  });

  it('leaves a log line with the error name and stack, but not its message, when a function throws', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const url = await serve({
      events: async () => {
        throw new TypeError('cannot read anna@example.nl');
      },
    });
    const response = await fetch(`${url}/events/testdag`);
    expect(response.status).toBe(502);
    expect((await response.json()).error.code).toBe('INTERNAL_ERROR');
    expect(lines).toHaveLength(1);
    const logged = JSON.parse(lines[0] ?? '{}');
    expect(logged).toMatchObject({ level: 'ERROR', function: 'events', errorName: 'TypeError' });
    expect(logged.stack.length).toBeGreaterThan(0);
    expect(logged.stack[0]).toMatch(/^at /);
    expect(lines[0]).not.toContain('anna@example.nl');
  });

  it('holds every request, /health too, until every function is loaded, instead of failing', async () => {
    let loaded: () => void = () => undefined;
    const whenReady = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const handlers: Partial<Record<FunctionName, LambdaHandler>> = {};
    const url = await serve(handlers, whenReady);
    const server = servers.at(-1);
    // Both requests reach the gateway while no function is loaded yet (a call now would be a 502).
    let arrived = 0;
    const bothArrived = new Promise<void>((resolve) =>
      server?.on('request', () => {
        arrived += 1;
        if (arrived === 2) resolve();
      }),
    );
    const health = fetch(`${url}/health`);
    const event = fetch(`${url}/events/testdag`);
    await bothArrived;
    Object.assign(handlers, { health: answering, events: answering });
    loaded();
    expect((await health).status).toBe(200);
    expect((await event).status).toBe(200);
  });

  it('answers 503 TRY_AGAIN to what waited when the functions cannot be loaded', async () => {
    let failed: () => void = () => undefined;
    const whenReady = new Promise<void>((_, reject) => {
      failed = () => reject(new Error('import failed'));
    });
    const url = await serve({}, whenReady);
    const server = servers.at(-1);
    const arrived = new Promise((resolve) => server?.once('request', resolve));
    const health = fetch(`${url}/health`);
    await arrived;
    failed();
    const response = await health;
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe('TRY_AGAIN');
  });

  it('checks the credential before it tells which methods an admin route has', async () => {
    const url = await serve({ admin: answering });
    for (const [method, path] of [
      ['DELETE', '/admin/events/testdag'],
      ['POST', '/admin/events/testdag/summary'],
      ['PATCH', '/admin/events/testdag/registrations/abc'],
    ] as const) {
      const anonymous = await fetch(`${url}${path}`, { method });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.headers.get('allow')).toBeNull();
      expect((await anonymous.json()).error.code).toBe('UNAUTHORIZED');
      const wrong = await fetch(`${url}${path}`, { method, headers: { Authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const organiser = await fetch(`${url}${path}`, {
        method,
        headers: { Authorization: 'Bearer local-admin-token' },
      });
      expect(organiser.status, `${method} ${path}`).toBe(405);
      expect(organiser.headers.get('allow')).toBeTruthy();
    }
    // Public routes keep answering 405 with Allow to anyone.
    const publicRoute = await fetch(`${url}/events/testdag`, { method: 'DELETE' });
    expect(publicRoute.status).toBe(405);
    expect(publicRoute.headers.get('allow')).toBe('GET');
  });
});
