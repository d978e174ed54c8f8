import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { TestContext } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../../lambdas/adapters/dynamodb/dynamo-store.js';
import { registrationKey } from '../../lambdas/adapters/dynamodb/keys.js';
import { eventDefinitionSchema } from '../../lambdas/domain/event-definition.js';
import { sha256Hex } from '../../lambdas/domain/hashing.js';
import { type LocalStack, repoRoot, startLocalStack } from '../../local/stack.js';
import { buildWeb } from '../../web/build.js';
import { CHROMIUM_PATH } from './chromium.js';

/**
 * The browser tests' world: the web built into a temporary directory, the whole local stack in this process
 * (in-memory DynamoDB) serving it, and the system's Chromium driven by playwright-core.
 */

export const SEED_EVENT = 'dag-van-weerbaar-bestuur-2019';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
export const artifactsDir = path.join(repoRoot, 'test-results');
export const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Workshops of the small test event: round 1 and round 2, with capacities a test may set. */
export const TEST_WORKSHOPS = {
  '1': [
    { id: 'veilige-wijk', title: 'Een veilige wijk, samen met bewoners' },
    { id: 'open-data', title: 'Open data in de gemeente' },
    { id: 'crisis-oefenen', title: 'Crisis oefenen met de raad' },
  ],
  '2': [
    { id: 'weerbare-raad', title: 'De weerbare gemeenteraad' },
    { id: 'nepnieuws', title: 'Nepnieuws herkennen' },
  ],
} as const;

export type TestWorkshopId = (typeof TEST_WORKSHOPS)[keyof typeof TEST_WORKSHOPS][number]['id'];

export type NewPageOptions = {
  viewport?: { width: number; height: number };
  /** Sets the page's clock off by this much (time still flows), like a device whose clock is wrong. */
  clockOffsetMs?: number;
  /** Needed to inject axe-core (the pages' CSP allows only their own scripts). */
  bypassCSP?: boolean;
};

export type WebEnv = {
  stack: LocalStack;
  browser: Browser;
  store: DynamoStore;
  documentClient: DynamoDBDocumentClient;
  url(pathAndQuery: string): string;
  newPage(options?: NewPageOptions): Promise<Page>;
  /** A fresh event (unique id) with the test workshops; capacities default to 10. */
  createEvent(capacities?: Partial<Record<TestWorkshopId, number>>): Promise<string>;
  /** Registers someone straight through the API (to fill seats). */
  register(eventId: string, email: string, choices: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
};

let counter = 0;
export const unique = (prefix: string) =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export function testEventDefinition(capacities: Partial<Record<TestWorkshopId, number>> = {}) {
  return eventDefinitionSchema.parse({
    title: 'Testdag Weerbaar Bestuur',
    date: '2019-09-12',
    timezone: 'Europe/Amsterdam',
    description: 'Kies één workshop in ronde 1 en één in ronde 2.',
    notice: 'Let op: dit is een testevenement.',
    registration: {},
    rounds: Object.entries(TEST_WORKSHOPS).map(([roundId, workshops]) => ({
      id: roundId,
      title: `Ronde ${roundId}`,
      workshops: workshops.map((workshop) => ({
        ...workshop,
        description: `Over ${workshop.title.toLowerCase()}.\n\nMeer uitleg volgt op de dag zelf, met voorbeelden uit gemeenten en ruimte voor vragen van deelnemers. ${'Praktijkervaringen en tips worden uitgewisseld. '.repeat(4)}`,
        speakers: ['Anna de Vries (Gemeente Oss)'],
        capacity: capacities[workshop.id] ?? 10,
      })),
    })),
  });
}

export async function startWebEnv(): Promise<WebEnv> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH} (install it, or set CHROMIUM_PATH)`);
  }
  const staticDir = await mkdtemp(path.join(os.tmpdir(), 'vol-web-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(staticDir, { recursive: true, force: true })];
  try {
    await Promise.all([buildWeb(staticDir), mkdir(artifactsDir, { recursive: true })]);
    const stack = await startLocalStack({
      port: 0,
      staticDir,
      eventsDir: path.join(repoRoot, 'events'),
      tableName: `vol-web-${Math.random().toString(36).slice(2, 10)}`,
      // Scheduled functions (e.g. the email retry, which replaces manage tokens) run only when a test asks.
      scheduleIntervalMs: 0,
    });
    cleanups.unshift(() => stack.close());
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    cleanups.unshift(() => browser.close());
    const documentClient = createDocumentClient({
      region: 'eu-west-1',
      endpoint: stack.dynamodbEndpoint,
      requestTimeoutMs: 10_000,
    });
    const store = new DynamoStore(documentClient, stack.tableName);
    const contexts = new Map<string, BrowserContext>();

    return {
      stack,
      browser,
      store,
      documentClient,
      url: (pathAndQuery) => `${stack.apiUrl}${pathAndQuery}`,
      async newPage(options = {}) {
        // Contexts are shared by pages with the same options (creating one costs about a second).
        const clockOffsetMs = options.clockOffsetMs ?? 0;
        const bypassCSP = options.bypassCSP ?? false;
        const key = `${clockOffsetMs}/${bypassCSP}`;
        let context = contexts.get(key);
        if (!context) {
          context = await browser.newContext({
            viewport: { width: 1280, height: 900 },
            locale: 'nl-NL',
            timezoneId: 'Europe/Amsterdam',
            bypassCSP,
          });
          if (clockOffsetMs !== 0) await context.clock.install({ time: Date.now() + clockOffsetMs });
          contexts.set(key, context);
        }
        const page = await context.newPage();
        page.setDefaultTimeout(20_000);
        if (options.viewport) await page.setViewportSize(options.viewport);
        return page;
      },
      async createEvent(capacities = {}) {
        const eventId = unique('web');
        await store.putEventDefinition(eventId, testEventDefinition(capacities));
        return eventId;
      },
      register: (eventId, email, choices) =>
        fetch(`${stack.apiUrl}/events/${eventId}/registrations`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            name: 'Iemand Anders',
            email,
            organisation: 'Gemeente Test',
            choices,
            consent: true,
          }),
        }),
      async close() {
        await Promise.all([...contexts.values()].map((context) => context.close().catch(() => undefined)));
        documentClient.destroy();
        for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}

/** Runs axe-core in the page; returns the serious and critical violations (id, impact, first targets). */
export async function seriousA11yViolations(page: Page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global by the script tag
    const axe = (window as any).axe;
    return axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
  });
  return (result.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[])
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
}

/** The element that has focus, described by id, name or tag (for assertions and messages). */
export function focused(page: Page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element) return { id: '', tag: '', name: '', type: '', value: '' };
    return {
      id: element.id,
      tag: element.tagName.toLowerCase(),
      name: element.getAttribute('name') ?? '',
      type: element.getAttribute('type') ?? '',
      value: (element as HTMLInputElement).value ?? '',
    };
  });
}

/**
 * Presses Tab until `predicate` holds for the focused element (at most `max` presses); every element that
 * got focus on the way is added to `visited`.
 */
export async function tabTo(
  page: Page,
  predicate: (element: Awaited<ReturnType<typeof focused>>) => boolean,
  visited?: Set<string>,
  max = 60,
) {
  for (let presses = 0; presses < max; presses++) {
    await page.keyboard.press('Tab');
    const element = await focused(page);
    visited?.add(element.id || element.tag);
    if (predicate(element)) return element;
  }
  throw new Error(`Tab never reached the wanted element (${max} presses)`);
}

/** A version 4 UUID, as the form sends in its Idempotency-Key. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new page, closed when the test finishes (tests run concurrently, each with its own pages). */
export async function newPage(env: WebEnv, ctx: TestContext, options?: NewPageOptions): Promise<Page> {
  const page = await env.newPage(options);
  ctx.onTestFinished(() => page.close());
  return page;
}

/** Signs in to the dashboard (/admin/) with the local token, typed into the page's form as an organiser would. */
export async function signInToDashboard(
  env: WebEnv,
  ctx: TestContext,
  options?: NewPageOptions,
): Promise<Page> {
  const page = await newPage(env, ctx, options);
  failOnPageError(page);
  await page.goto(env.url('/admin/'));
  await page.getByLabel('Beheertoken').fill(env.stack.adminToken);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  return page;
}

/** Makes an uncaught error in the page fail the test. */
function failOnPageError(page: Page) {
  page.on('pageerror', (error) => {
    throw error;
  });
}

/** When each page showed its form: the API refuses a form sent less than 3 s after it was shown. */
const shownAt = new WeakMap<Page, number>();

/** When `page` showed its form (set by `loadForm`). */
export const formShownAt = (page: Page) => shownAt.get(page);

/** Opens the form of `eventId` (the seed event without one) in `page` and notes when it was shown. */
export async function loadForm(env: WebEnv, page: Page, eventId?: string) {
  await page.goto(env.url(eventId ? `/?event=${eventId}` : '/'));
  await page.locator('#registration-form').waitFor();
  shownAt.set(page, Date.now());
}

/** A new page showing the form; an error in the page fails the test. */
export async function openForm(
  env: WebEnv,
  ctx: TestContext,
  eventId?: string,
  options?: NewPageOptions,
): Promise<Page> {
  const page = await newPage(env, ctx, options);
  failOnPageError(page);
  await loadForm(env, page, eventId);
  return page;
}

/** Waits until the form is old enough for the API (as a person's would be). */
export async function formOldEnough(page: Page, minimumAgeMs = 3_200) {
  const age = Date.now() - (shownAt.get(page) ?? 0);
  if (age < minimumAgeMs) await page.waitForTimeout(minimumAgeMs - age);
}

export async function submitForm(page: Page) {
  await formOldEnough(page);
  await page.click('#submit');
}

/** A new page showing the manage page (`query` is `?id=…#token=…`); an error in the page fails the test. */
export async function openManage(
  env: WebEnv,
  ctx: TestContext,
  query: string,
  options: NewPageOptions = {},
): Promise<Page> {
  const page = await newPage(env, ctx, options);
  failOnPageError(page);
  await page.goto(env.url(`/manage.html${query}`));
  return page;
}

export type Person = { name: string; email: string; organisation: string; jobTitle?: string };

export async function fillPerson(page: Page, who: Person) {
  await page.fill('#name', who.name);
  await page.fill('#email', who.email);
  await page.fill('#organisation', who.organisation);
  if (who.jobTitle) await page.fill('#jobTitle', who.jobTitle);
  await page.check('#consent');
}

export type Sent = { url: string; key: string | undefined; body: Record<string, unknown> };

/** Every POST the page makes to a URL matching `url`, with its Idempotency-Key and body. */
export function recordPosts(page: Page, url: RegExp): Sent[] {
  const sent: Sent[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && url.test(request.url())) {
      sent.push({
        url: request.url(),
        key: request.headers()['idempotency-key'],
        body: request.postDataJSON(),
      });
    }
  });
  return sent;
}

/** The page's next `times` registrations are answered 503 TRY_AGAIN with `Retry-After: 1`, the rest by the API. */
export function busyFor(page: Page, times: number) {
  let busy = times;
  return page.route('**/registrations', (route) =>
    busy-- > 0
      ? route.fulfill({
          status: 503,
          headers: { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '1' },
          body: JSON.stringify({ error: { code: 'TRY_AGAIN', message: 'x' } }),
        })
      : route.continue(),
  );
}

export const text = async (page: Page, selector: string) =>
  (await page.locator(selector).textContent())?.trim() ?? '';

export async function waitForText(page: Page, selector: string, pattern: RegExp) {
  await page.locator(selector).filter({ hasText: pattern }).waitFor();
}

/** Seats left per workshop, as the public API reports them. */
export async function seatsLeft(env: WebEnv, eventId: string): Promise<Record<string, number>> {
  const event = await (await fetch(env.url(`/events/${eventId}`))).json();
  return Object.fromEntries(
    event.rounds.flatMap((round: { workshops: { id: string; seatsLeft: number }[] }) =>
      round.workshops.map((workshop) => [workshop.id, workshop.seatsLeft]),
    ),
  );
}

/**
 * The manage token only ever travels in an email, so a test gives the registration a token it knows by
 * writing the token's hash to the table, as the store does.
 */
export async function giveToken(env: WebEnv, registrationId: string): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await env.documentClient.send(
    new UpdateCommand({
      TableName: env.stack.tableName,
      Key: registrationKey(registrationId),
      UpdateExpression: 'SET manageTokenHash = :hash',
      ExpressionAttributeValues: { ':hash': sha256Hex(token) },
    }),
  );
  return token;
}
