import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, SEED_EVENT, seriousA11yViolations, startWebEnv, type WebEnv } from './support.js';

/**
 * The AWS sign-in of the dashboard (issue 18) and of the door page (issue 17) against a stand-in for Cognito's
 * managed login: a small OAuth 2.0 server that, like Cognito, redirects back with a code and gives tokens only
 * for the PKCE verifier whose S256 challenge came with the code. The pages (oidc-client-ts) must use the code
 * flow with PKCE, keep the tokens in sessionStorage, take the code out of the address and send the ID token to
 * the API. Door staff (group `door`) who sign in to the dashboard end up on the door page.
 */

const CLIENT_ID = 'dashboard-client';
let env: WebEnv;
let login: Server;
let loginUrl: string;
const issued = new Map<string, { challenge: string; redirectUri: string; nonce: string }>();
const authorizeRequests: URLSearchParams[] = [];
const tokenRequests: URLSearchParams[] = [];
let idToken = '';
/** The `cognito:groups` of the next ID token the stand-in issues. */
let groups = ['organisers'];

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
    if (url.pathname === '/logout') {
      // Cognito ends its session and sends the browser back to the (registered) sign-out URL.
      res.writeHead(302, { Location: url.searchParams.get('logout_uri') ?? '/' });
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
          'cognito:groups': groups,
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

/** The site's config.json as the web stack writes it in AWS, pointing at the stand-in login. */
async function useStandInLogin(page: Page): Promise<void> {
  await page.route('**/config.json', (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({
        apiBaseUrl: '',
        admin: { cognitoDomain: loginUrl, clientId: CLIENT_ID, issuer: `${loginUrl}/issuer` },
      }),
    }),
  );
}

/** What the pages keep: everything in sessionStorage and in localStorage, each joined into one text. */
async function storageOf(page: Page) {
  return page.evaluate(() => ({
    session: Object.keys(sessionStorage)
      .map((key) => sessionStorage.getItem(key) ?? '')
      .join('\n'),
    local: Object.keys(localStorage)
      .map((key) => localStorage.getItem(key) ?? '')
      .join('\n'),
  }));
}

/**
 * The check-in search stands in for the API's (whose Cognito authorizer is AWS's): it records the credential
 * and finds nobody.
 */
async function checkInSearch(page: Page, authorizations: (string | undefined)[]): Promise<void> {
  await page.route(/\/admin\/events\/[^/]+\/check-ins\?/, (route: Route) => {
    authorizations.push(route.request().headers().authorization);
    return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ items: [] }) });
  });
}

describe('the dashboard’s sign-in through the managed login', () => {
  it('uses the code flow with PKCE, keeps tokens in sessionStorage only, and sends the ID token to the API', async (ctx) => {
    // The managed login runs on http here, which the page's CSP (https only) would refuse.
    const page = await newPage(env, ctx, { bypassCSP: true });
    await useStandInLogin(page);
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
    const storage = await storageOf(page);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(storage.session).toContain(idToken);
  });

  it('sends door staff (group door) who sign in to the dashboard to the door page, still signed in', async (ctx) => {
    groups = ['door'];
    ctx.onTestFinished(() => {
      groups = ['organisers'];
    });
    const page = await newPage(env, ctx, { bypassCSP: true });
    await useStandInLogin(page);
    // The API's answer to door staff on every admin route but the check-in ones.
    await page.route('**/admin/events', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'FORBIDDEN', message: 'Geen toegang.' } }),
      }),
    );
    const authorizations: (string | undefined)[] = [];
    await checkInSearch(page, authorizations);
    const before = authorizeRequests.length;

    await page.goto(env.url('/admin/'));
    await page.getByRole('button', { name: 'Aanmelden bij AWS' }).click();
    await page.waitForURL(/\/checkin\.html/);
    await page.locator('#door-desk').waitFor();
    expect(page.url()).toBe(env.url(`/checkin.html?event=${SEED_EVENT}`));
    expect(await page.locator('#door-note').textContent()).toContain('deurmedewerker');
    // Signed in on the door page with the same ID token, without a second trip to the login.
    expect(authorizeRequests).toHaveLength(before + 1);
    expect(authorizations.length).toBeGreaterThan(0);
    expect(new Set(authorizations)).toEqual(new Set([idToken]));
    const violations = await seriousA11yViolations(page);
    expect(violations, JSON.stringify(violations)).toEqual([]);
  });
});

describe('the door page’s sign-in through the managed login', () => {
  it('uses the code flow with PKCE back to /checkin.html, keeps tokens in sessionStorage only, and sends the ID token to the API', async (ctx) => {
    groups = ['door'];
    ctx.onTestFinished(() => {
      groups = ['organisers'];
    });
    const eventId = await env.createEvent();
    const page = await newPage(env, ctx, { bypassCSP: true });
    await useStandInLogin(page);
    const authorizations: (string | undefined)[] = [];
    await checkInSearch(page, authorizations);

    await page.goto(env.url(`/checkin.html?event=${eventId}`));
    // No access code to type in AWS: the managed login asks for the password and the authenticator code.
    await expect(page.locator('#door-token').isVisible()).resolves.toBe(false);
    const before = authorizeRequests.length;
    await page.click('#signin');
    await page.locator('#door-desk').waitFor();
    expect(await page.locator('#door-event-title').textContent()).toBe('Testdag Weerbaar Bestuur');

    const authorize = authorizeRequests[before];
    expect(authorizeRequests).toHaveLength(before + 1);
    expect(authorize?.get('response_type')).toBe('code');
    expect(authorize?.get('client_id')).toBe(CLIENT_ID);
    expect(authorize?.get('code_challenge_method')).toBe('S256');
    expect(authorize?.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize?.get('redirect_uri')).toBe(env.url('/checkin.html'));
    const token = tokenRequests.at(-1);
    expect(token?.get('grant_type')).toBe('authorization_code');
    expect(token?.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
    expect(token?.get('client_secret')).toBeNull();

    // The code has left the address; the event chosen before the login is open.
    expect(page.url()).toBe(env.url(`/checkin.html?event=${eventId}`));
    expect(authorizations.at(-1)).toBe(idToken);
    const storage = await storageOf(page);
    expect(storage.session).toContain(idToken);
    expect(storage.local).not.toContain(idToken);
    expect(storage.local).not.toContain('refresh-1');
    const violations = await seriousA11yViolations(page);
    expect(violations, JSON.stringify(violations)).toEqual([]);

    // Signing out ends the managed login's session too, then comes back to the door page.
    const logout = page.waitForRequest((request) => request.url().startsWith(`${loginUrl}/logout`));
    await page.click('#signout');
    const logoutUrl = new URL((await logout).url());
    expect(logoutUrl.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(logoutUrl.searchParams.get('logout_uri')).toBe(env.url('/checkin.html'));
    await page.waitForURL(env.url('/checkin.html'));
    await page.locator('#signin-form').waitFor();
    expect((await storageOf(page)).session).not.toContain(idToken);
  });
});
