import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { cognitoSignIn, HELP, type Io, main, regionFromUrl, type SignInInput } from '../../scripts/admin.js';
import { api, startTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let dir: string;

function io(env: NodeJS.ProcessEnv = {}, overrides: Partial<Io> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const signIns: SignInInput[] = [];
  const value: Io = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env,
    fetch: globalThis.fetch,
    askPassword: async () => 'geheim-wachtwoord',
    signIn: async (input) => {
      signIns.push(input);
      return stack.adminToken;
    },
    ...overrides,
  };
  return { io: value, out, err, signIns, text: () => out.join('\n') };
}

const definition = {
  title: 'CLI-dag',
  date: '2030-05-05',
  timezone: 'Europe/Amsterdam',
  rounds: [
    {
      id: '1',
      title: 'Ochtend',
      workshops: [
        { id: 'lezen', title: 'Lezen', capacity: 2 },
        { id: 'schrijven', title: 'Schrijven', capacity: 2 },
      ],
    },
  ],
};

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(path.join(tmpdir(), 'vol-admin-cli-'));
});
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the organiser CLI against the local stack', () => {
  const target = () => ['--url', stack.apiUrl, '--token', stack.adminToken];

  it('prints English help and refuses wrong usage with exit code 2', async () => {
    const help = io();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.text()).toBe(HELP);
    expect(HELP).toMatch(/Usage: npm run admin/);
    const none = io();
    expect(await main([], none.io)).toBe(2);
    const unknown = io();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    const missing = io();
    expect(await main(['summary', 'x', '--url', stack.apiUrl], missing.io)).toBe(2);
    expect(missing.err.join('\n')).toMatch(/--token/);
  });

  it('puts an event from a file, with the id from the file name', async () => {
    const file = path.join(dir, 'cli-dag.json');
    await writeFile(file, JSON.stringify(definition));
    const run = io();
    expect(await main(['put-event', file, ...target()], run.io)).toBe(0);
    expect(run.text()).toMatch(/Evenement cli-dag aangemaakt: CLI-dag/);
    expect(run.text()).toMatch(/Lezen\s+2\s+2/);
    for (const [n, workshop] of [
      [1, 'lezen'],
      [2, 'lezen'],
      [3, 'schrijven'],
    ] as const) {
      const response = await api(stack, 'POST', '/events/cli-dag/registrations', {
        name: n === 1 ? 'Zoë Çelik' : `Persoon ${n}`,
        email: `p${n}@example.nl`,
        organisation: 'Gemeente Oss',
        choices: { '1': workshop },
        consent: true,
      });
      expect(response.status).toBe(201);
    }
  });

  it('lists, summarises, exports and cancels', async () => {
    const list = io({ VOL_API_URL: stack.apiUrl, ADMIN_TOKEN: stack.adminToken });
    expect(await main(['list', 'cli-dag'], list.io)).toBe(0);
    expect(list.text()).toMatch(/Naam\s+E-mail\s+Organisatie\s+Ochtend\s+Status\s+Aangemeld op/);
    expect(list.text()).toMatch(/Zoë Çelik/);
    expect(list.text()).toMatch(/3 aanmeldingen/);

    const filtered = io();
    expect(await main(['list', 'cli-dag', '--workshop', 'lezen', '--json', ...target()], filtered.io)).toBe(
      0,
    );
    const items = JSON.parse(filtered.text());
    expect(items).toHaveLength(2);

    const summary = io();
    expect(await main(['summary', 'cli-dag', ...target()], summary.io)).toBe(0);
    expect(summary.text()).toMatch(/Ochtend\s+Lezen\s+2\s+2\s+0\s+2\s+ja/);
    expect(summary.text()).toMatch(/alles klopt/);

    const out = path.join(dir, 'lezen.csv');
    const exported = io();
    expect(
      await main(['export', 'cli-dag', '--workshop', 'lezen', '--out', out, ...target()], exported.io),
    ).toBe(0);
    expect(exported.text()).toBe(`2 aanmeldingen geschreven naar ${out}`);
    const csv = await readFile(out);
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.toString('utf8')).toMatch(/Zoë Çelik/);

    const cancel = io();
    const cancelCode = await main(['cancel', 'cli-dag', items[0].id, ...target()], cancel.io);
    expect(cancel.err).toEqual([]);
    expect(cancelCode).toBe(0);
    expect(cancel.text()).toMatch(/is geannuleerd/);

    const audit = io();
    expect(await main(['audit', 'cli-dag', ...target()], audit.io)).toBe(0);
    expect(audit.text()).toMatch(/aanmelding geannuleerd[\s\S]*evenement aangemaakt/);
  });

  it('cancels a batch: a dry run lists it and changes nothing, then each is cancelled (issue 15.2)', async () => {
    const batchEvent = { ...definition, rounds: [{ ...definition.rounds[0], id: '1' }] };
    await api(stack, 'PUT', '/admin/events/cli-batch', batchEvent, {
      Authorization: `Bearer ${stack.adminToken}`,
    });
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const created = await api(stack, 'POST', '/events/cli-batch/registrations', {
        name: `Robot ${n}`,
        email: `robot${n}@robots-${n}.example`,
        organisation: 'Bots',
        choices: { '1': 'lezen' },
        consent: true,
      });
      expect(created.status).toBe(201);
      ids.push(created.body.registration.id);
    }
    const idsFile = path.join(dir, 'bots.txt');
    await writeFile(idsFile, `${ids[1]}\n`);

    const dry = io();
    expect(
      await main(
        ['cancel-batch', 'cli-batch', ids[0] ?? '', '--ids-file', idsFile, '--dry-run', ...target()],
        dry.io,
      ),
    ).toBe(0);
    expect(dry.text()).toMatch(/Robot 1\s+robot1@robots-1\.example\s+zou worden geannuleerd/);
    expect(dry.text()).toMatch(/Proefrun: 2 zouden worden geannuleerd; er is niets gewijzigd/);
    const before = await api(stack, 'GET', '/events/cli-batch');
    expect(before.body.rounds[0].workshops[0].seatsLeft).toBe(0);

    const done = io();
    expect(await main(['cancel-batch', 'cli-batch', ...ids, ...target()], done.io)).toBe(0);
    expect(done.text()).toMatch(/Robot 2\s+robot2@robots-2\.example\s+geannuleerd/);
    expect(done.text()).toMatch(/2 geannuleerd \(batch /);
    const after = await api(stack, 'GET', '/events/cli-batch');
    expect(after.body.rounds[0].workshops[0].seatsLeft).toBe(2);

    const nothing = io();
    expect(await main(['cancel-batch', 'cli-batch', ...target()], nothing.io)).toBe(2);

    // An older id that starts with "-" is read as an id after "--", not as an option.
    const dashed = io();
    expect(
      await main(['cancel-batch', 'cli-batch', ...target(), '--dry-run', '--', '-older-id'], dashed.io),
    ).toBe(0);
    expect(dashed.text()).toMatch(/-older-id/);
  });

  it('sends a message from a text file to one workshop, after a dry run, and lists it (issue 16)', async () => {
    const auth = { Authorization: `Bearer ${stack.adminToken}` };
    await api(stack, 'PUT', '/admin/events/cli-bericht', definition, auth);
    for (const [n, workshop] of [
      [1, 'lezen'],
      [2, 'schrijven'],
    ] as const) {
      const created = await api(stack, 'POST', '/events/cli-bericht/registrations', {
        name: `Lezer ${n}`,
        email: `lezer${n}@example.nl`,
        organisation: 'Bibliotheek',
        choices: { '1': workshop },
        consent: true,
      });
      expect(created.status).toBe(201);
    }
    const bodyFile = path.join(dir, 'bericht.txt');
    await writeFile(bodyFile, 'De workshop begint een kwartier later.\n');
    const args = ['message', 'cli-bericht', '--subject', 'Later begin', '--body-file', bodyFile];

    const dry = io();
    expect(await main([...args, '--workshop', 'lezen', '--dry-run', ...target()], dry.io)).toBe(0);
    expect(dry.text()).toBe('Proefrun: het bericht zou naar 1 persoon gaan; er is niets verstuurd.');

    const sent = io();
    expect(await main([...args, '--workshop', 'lezen', ...target()], sent.io)).toBe(0);
    expect(sent.text()).toMatch(/^Bericht \S+ aangenomen voor 1 persoon; het wordt nu verstuurd/);
    await stack.emailsSettled();
    await stack.emailsSettled();
    const listed = io();
    expect(await main(['messages', 'cli-bericht', ...target()], listed.io)).toBe(0);
    expect(listed.text()).toMatch(/Later begin\s+1\s+1\s+0\s+0\s+verstuurd/);

    const missing = io();
    expect(await main(['message', 'cli-bericht', '--subject', 'Zonder tekst', ...target()], missing.io)).toBe(
      2,
    );
  });

  it('prints the API refusal and exits 1', async () => {
    const wrong = io();
    expect(await main(['summary', 'cli-dag', '--url', stack.apiUrl, '--token', 'wrong'], wrong.io)).toBe(1);
    expect(wrong.err.join('\n')).toMatch(/HTTP 401, UNAUTHORIZED/);
    const unknown = io();
    expect(await main(['cancel', 'cli-dag', 'nope', ...target()], unknown.io)).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/HTTP 404, REGISTRATION_NOT_FOUND/);
    const below = path.join(dir, 'cli-dag.json');
    await writeFile(
      below,
      JSON.stringify({
        ...definition,
        rounds: [{ ...definition.rounds[0], workshops: [{ id: 'lezen', title: 'Lezen', capacity: 0 }] }],
      }),
    );
    const refused = io();
    expect(await main(['put-event', below, ...target()], refused.io)).toBe(1);
    expect(refused.err.join('\n')).toMatch(/HTTP 409/);
  });

  it('signs in with Cognito when given a client id and user name, asking for the password', async () => {
    const url = 'https://abc123.execute-api.eu-central-1.amazonaws.com/test';
    expect(regionFromUrl(url)).toBe('eu-central-1');
    const fetches: { url: string; authorization: string | null }[] = [];
    const run = io(
      {},
      {
        fetch: async (input, init) => {
          fetches.push({
            url: String(input),
            authorization: new Headers(init?.headers).get('authorization'),
          });
          return new Response(
            JSON.stringify({
              eventId: 'x',
              title: 'X',
              consistent: true,
              totals: { confirmed: 0, cancelled: 0 },
              rounds: [],
            }),
            { status: 200, headers: { 'Content-Type': 'application/json' } },
          );
        },
      },
    );
    const code = await main(
      ['summary', 'x', '--url', `${url}/`, '--user-pool-client-id', 'client-1', '--username', 'anna'],
      run.io,
    );
    expect(code).toBe(0);
    expect(run.signIns).toEqual([
      { region: 'eu-central-1', clientId: 'client-1', username: 'anna', password: 'geheim-wachtwoord' },
    ]);
    // The signed-in token (the fake sign-in hands out the admin token) goes as the whole header value, the
    // way API Gateway's Cognito authorizer reads it.
    expect(fetches).toEqual([{ url: `${url}/admin/events/x/summary`, authorization: stack.adminToken }]);
  });

  it('uses USER_PASSWORD_AUTH and the IdToken', async () => {
    const cognito = mockClient(CognitoIdentityProviderClient);
    cognito
      .on(InitiateAuthCommand)
      .resolves({ AuthenticationResult: { IdToken: 'id-token', AccessToken: 'access' } });
    const token = await cognitoSignIn(
      { region: 'eu-west-1', clientId: 'c', username: 'u', password: 'p' },
      new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
    );
    expect(token).toBe('id-token');
    expect(cognito.commandCalls(InitiateAuthCommand)[0]?.args[0].input).toEqual({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'c',
      AuthParameters: { USERNAME: 'u', PASSWORD: 'p' },
    });
    // A step the CLI cannot answer is named (the first sign-in and MFA: test/unit/admin-cli-mfa.test.ts).
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'CUSTOM_CHALLENGE' });
    await expect(
      cognitoSignIn(
        { region: 'eu-west-1', clientId: 'c', username: 'u', password: 'p' },
        new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
      ),
    ).rejects.toThrow(/CUSTOM_CHALLENGE/);
    cognito.restore();
  });
});
