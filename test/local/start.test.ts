import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/stack.js';

/** Runs `npm start`'s entry point as a separate process, as a person would. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: repoRoot,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /API and form\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', check);
    exited.then((code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return { child, ready, exited, output: () => output };
}

async function stop(child: ChildProcess, exited: Promise<number | null>) {
  child.kill('SIGTERM');
  return exited;
}

/** A port that was free a moment ago, to poll before the process says where it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vol-start-'));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('keeps every registration across a restart and stops cleanly on SIGTERM', async () => {
    const env = { PORT: '0', DYNAMODB_PORT: '0', SES_PORT: '0', DATA_DIR: dataDir };
    const first = start(env);
    const url = await first.ready;
    expect(first.output()).toContain('events loaded     dag-van-weerbaar-bestuur-2019');
    const event = await (await fetch(`${url}/events/dag-van-weerbaar-bestuur-2019`)).json();
    const choices = { '1': event.rounds[0].workshops[1].id, '2': event.rounds[1].workshops[0].id };
    const created = await fetch(`${url}/events/dag-van-weerbaar-bestuur-2019/registrations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'Piet',
        email: 'piet@example.nl',
        organisation: 'Gemeente',
        choices,
        consent: true,
      }),
    });
    expect(created.status).toBe(201);
    expect(await stop(first.child, first.exited)).toBe(0);

    const second = start(env);
    const secondUrl = await second.ready;
    expect(second.output()).toContain('events            already loaded');
    const after = await (await fetch(`${secondUrl}/events/dag-van-weerbaar-bestuur-2019`)).json();
    expect(after.rounds[0].workshops[1].seatsLeft).toBe(event.rounds[0].workshops[1].seatsLeft - 1);
    const duplicate = await fetch(`${secondUrl}/events/dag-van-weerbaar-bestuur-2019/registrations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'Piet',
        email: 'PIET@example.nl',
        organisation: 'Gemeente',
        choices,
        consent: true,
      }),
    });
    expect(duplicate.status).toBe(409);
    expect(await stop(second.child, second.exited)).toBe(0);
  });

  it('answers /health 200 only when every function answers: polled every 50 ms from a fresh start', async () => {
    const port = await freePort();
    const adminToken = 'readiness-admin-token';
    const run = start({
      PORT: String(port),
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
      DATA_DIR: path.join(dataDir, 'readiness'),
      ADMIN_TOKEN: adminToken,
    });
    run.ready.catch(() => undefined);
    const url = `http://127.0.0.1:${port}`;
    try {
      // Poll from the moment the process starts; a refused connection means it is not listening yet.
      const healthSeen: number[] = [];
      for (;;) {
        const status = await fetch(`${url}/health`).then(
          (response) => response.status,
          () => 0,
        );
        healthSeen.push(status);
        if (status === 200) break;
        // Before it listens the connection is refused; once it listens, /health waits for every function.
        expect(status, `health answered ${status}`).toBe(0);
        expect(healthSeen.length, run.output()).toBeLessThan(2_400);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The very moment it is healthy, every function is asked at once: none may fail.
      const seed = 'dag-van-weerbaar-bestuur-2019';
      const admin = { Authorization: `Bearer ${adminToken}` };
      const requests: [string, Promise<Response>][] = [
        ['health', fetch(`${url}/health`)],
        ['events', fetch(`${url}/events/${seed}`)],
        [
          'register',
          fetch(`${url}/events/${seed}/registrations`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: 'Klaar', consent: true }),
          }),
        ],
        ['manage', fetch(`${url}/registrations/abc`, { headers: { Authorization: 'Bearer nope' } })],
        ['admin summary', fetch(`${url}/admin/events/${seed}/summary`, { headers: admin })],
        ['admin audit', fetch(`${url}/admin/events/${seed}/audit`, { headers: admin })],
      ];
      const expected: Record<string, number> = {
        health: 200,
        events: 200,
        register: 400,
        manage: 404,
        'admin summary': 200,
        'admin audit': 200,
      };
      for (const [name, request] of requests) {
        const response = await request;
        expect(response.status, name).toBe(expected[name]);
        expect(response.headers.get('content-type'), name).toContain('application/json');
      }
    } finally {
      await stop(run.child, run.exited);
    }
  });

  it('exits non-zero with a clear message when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const run = start({
        PORT: String(port),
        DYNAMODB_PORT: '0',
        SES_PORT: '0',
        DATA_DIR: path.join(dataDir, 'taken'),
      });
      run.ready.catch(() => undefined);
      expect(await run.exited).not.toBe(0);
      expect(run.output()).toContain(`Port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});
