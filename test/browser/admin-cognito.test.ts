import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, startWebEnv, type WebEnv } from './support.js';

/**
 * The dashboard's AWS sign-in (issue 18) against a stand-in for Cognito's managed login: a small OAuth 2.0
 * server that, like Cognito, redirects back with a code and gives tokens only for the PKCE verifier whose S256
 * challenge came with the code. The page (oidc-client-ts) must use the code flow with PKCE, keep the tokens in
 * sessionStorage, take the code out of the address and send the ID token to the API.
 */

const CLIENT_ID = 'dashboard-client';
let env: WebEnv;
let login: Server;
let loginUrl: string;
const issued = new Map<string, { challenge: string; redirectUri: string; nonce: string }>();
const authorizeRequests: URLSearchParams[] = [];
const tokenRequests: URLSearchParams[] = [];
let idToken = '';

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

function jwt(claims: Record<string, unknown>): string {
  // oidc-client-ts reads the claims; the API's authorizer (Cognito in AWS) is what checks the signature.
  return [
    base64url(JSON.stringify({ alg: 'RS256', kid: 'test' })),
    base64url(JSON.stringify(claims)),
    base64url('sig'),
  ].join('.');
}

beforeAll(async () => {
  env = await startWebEnv();
  login = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cors = {
      'Access-Control-Allow-Origin': req.headers.origin ?? '*',
      'Access-Control-Allow-Headers': 'Content-Type',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'POST' });
      return res.end();
    }
    if (url.pathname === '/oauth2/authorize') {
      authorizeRequests.push(url.searchParams);
      const code = randomBytes(12).toString('hex');
      issued.set(code, {
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirectUri: url.searchParams.get('redirect_uri') ?? '',
        nonce: url.searchParams.get('nonce') ?? '',
      });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { Location: back.href });
      return res.end();
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        tokenRequests.push(form);
        const grant = issued.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!grant || grant.challenge !== challenge || grant.redirectUri !== form.get('redirect_uri')) {
          res.writeHead(400, { ...cors, 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ error: 'invalid_grant' }));
        }
        issued.delete(form.get('code') ?? '');
        const now = Math.floor(Date.now() / 1000);
        idToken = jwt({
          iss: `${loginUrl}/issuer`,
          aud: CLIENT_ID,
          sub: 'organiser-1',
          'cognito:groups': ['organisers'],
          nonce: grant.nonce || undefined,
          iat: now,
          exp: now + 900,
        });
        res.writeHead(200, { ...cors, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(
          JSON.stringify({
            id_token: idToken,
            access_token: jwt({ sub: 'organiser-1', exp: now + 900 }),
            refresh_token: 'refresh-1',
            token_type: 'Bearer',
            expires_in: 900,
          }),
        );
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => login.listen(0, '127.0.0.1', resolve));
  loginUrl = `http://127.0.0.1:${(login.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => login?.close(resolve));
  await env?.close();
});

describe('the dashboard’s sign-in through the managed login', () => {
  it('uses the code flow with PKCE, keeps tokens in sessionStorage only, and sends the ID token to the API', async (ctx) => {
    // The managed login runs on http here, which the page's CSP (https only) would refuse.
    const page = await newPage(env, ctx, { bypassCSP: true });
    await page.route('**/config.json', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          apiBaseUrl: '',
          admin: { cognitoDomain: loginUrl, clientId: CLIENT_ID, issuer: `${loginUrl}/issuer` },
        }),
      }),
    );
    const apiAuthorizations: (string | undefined)[] = [];
    await page.route('**/admin/events', (route) => {
      apiAuthorizations.push(route.request().headers().authorization);
      return route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          items: [{ id: 'dag', title: 'De dag', date: '2030-01-01', timezone: 'Europe/Amsterdam' }],
        }),
      });
    });

    await page.goto(env.url('/admin/'));
    await page.getByRole('button', { name: 'Aanmelden bij AWS' }).click();
    await page.getByRole('heading', { name: 'Evenementen' }).waitFor();

    const [authorize] = authorizeRequests;
    expect(authorize?.get('response_type')).toBe('code');
    expect(authorize?.get('client_id')).toBe(CLIENT_ID);
    expect(authorize?.get('code_challenge_method')).toBe('S256');
    expect(authorize?.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize?.get('redirect_uri')).toBe(env.url('/admin/'));
    expect(authorize?.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid']));
    expect(tokenRequests[0]?.get('grant_type')).toBe('authorization_code');
    expect(tokenRequests[0]?.get('client_secret')).toBeNull();

    expect(page.url()).toBe(env.url('/admin/'));
    expect(apiAuthorizations.at(-1)).toBe(idToken);
    const storage = await page.evaluate(() => ({
      session: Object.keys(sessionStorage)
        .map((key) => sessionStorage.getItem(key) ?? '')
        .join('\n'),
      local: localStorage.length,
    }));
    expect(storage.local).toBe(0);
    expect(storage.session).toContain(idToken);
  });
});
