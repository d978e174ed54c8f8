import { execSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleFunction } from '../../bench/function-bundle.js';
import type { CalendarInput } from '../../lambdas/email/calendar.js';
import { emailSenderFunctionSpec, functionSpecs, scheduledFunctionSpecs } from '../../lambdas/routes.js';
import { API_FUNCTION_TARGET, copyCalendarZones } from '../../lib/constructs/api-function.js';
import { repoRoot } from '../../lib/repo-root.js';

/**
 * Delivery off the request path (issue 19): calendar code (ical-generator) and the SES client are bundled only
 * into the functions that send email (the stream-fed sender and the retry), never into the request functions,
 * which answer without sending. No function carries a MIME library: SES v2 builds the message from Simple
 * content. Bundled as the CDK construct bundles them.
 */

const EMAIL_CODE = ['node_modules/ical-generator/'];
const SES_CLIENT = '@aws-sdk/client-sesv2';

async function bundleOf(entry: string) {
  const { metafile } = await build({
    entryPoints: [path.join(repoRoot, entry)],
    bundle: true,
    write: false,
    outdir: '/tmp/email-code-bundles',
    platform: 'node',
    format: 'esm',
    target: API_FUNCTION_TARGET,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
    metafile: true,
  });
  const [output] = Object.values(metafile.outputs);
  return { inputs: Object.keys(output?.inputs ?? {}), imports: output?.imports ?? [] };
}

async function bundledInputs(entry: string): Promise<string[]> {
  const { inputs, imports } = await bundleOf(entry);
  return [...inputs, ...imports.map((i) => i.path)];
}

const carriesEmailCode = (inputs: string[]) =>
  inputs.some((input) => EMAIL_CODE.some((code) => input.includes(code)) || input === SES_CLIENT);

describe('email code in function bundles', () => {
  it.each(['register', 'manage', 'admin'] as const)('%s (a request function) carries none', async (name) => {
    expect(carriesEmailCode(await bundledInputs(functionSpecs[name].entry))).toBe(false);
  });

  it('the promotion sweep carries none: promotions commit their emails to the outbox', async () => {
    expect(carriesEmailCode(await bundledInputs(scheduledFunctionSpecs.promoteWaitingLists.entry))).toBe(
      false,
    );
  });

  it.each([
    ['the sender', emailSenderFunctionSpec.entry],
    ['the retry', scheduledFunctionSpecs.sendDueEmails.entry],
  ])('%s carries it', async (_name, entry) => {
    const inputs = await bundledInputs(entry);
    for (const code of EMAIL_CODE) expect(inputs.some((input) => input.includes(code))).toBe(true);
    expect(inputs).toContain(SES_CLIENT);
    expect(inputs.some((input) => input.includes('node_modules/nodemailer/'))).toBe(false);
  });

  it.each([
    ['the sender', emailSenderFunctionSpec.entry],
    ['the retry', scheduledFunctionSpecs.sendDueEmails.entry],
  ])('%s loads the SES client on its first send, not at cold start', async (_name, entry) => {
    const { imports } = await bundleOf(entry);
    const ses = imports.filter((i) => i.path === SES_CLIENT);
    expect(ses.length).toBeGreaterThan(0);
    for (const i of ses) expect(i.kind).toBe('dynamic-import');
  });
});

describe('the calendar entry, bundled as the senders are', () => {
  it('carries the VTIMEZONE of the event: the zone data is copied beside the bundle, as the construct does', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vol-calendar-bundle-'));
    try {
      const outfile = path.join(dir, 'index.mjs');
      await bundleFunction('lambdas/email/calendar.ts', outfile);
      for (const command of copyCalendarZones(repoRoot, dir)) execSync(command);
      const { buildCalendar } = (await import(pathToFileURL(outfile).href)) as {
        buildCalendar: (input: CalendarInput) => string;
      };
      const ics = buildCalendar({
        event: {
          title: 'Testdag',
          date: '2030-05-01',
          timezone: 'Europe/Amsterdam',
          startTime: '09:00',
          endTime: '17:00',
          registration: {},
          rounds: [],
        },
        registration: { id: 'r-1', locale: 'nl', choices: {} },
        kind: 'confirmation',
        sequence: 0,
      } as unknown as CalendarInput);
      expect(ics).toContain('BEGIN:VTIMEZONE');
      expect(ics).toContain('TZID:Europe/Amsterdam');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
