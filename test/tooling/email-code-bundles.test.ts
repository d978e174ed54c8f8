import { execFileSync, execSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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
 * content. Bundled as the CDK construct bundles them. The SES client is the runtime's, required on first use
 * (`lambdas/adapters/aws-sdk.ts`): a bundle that may load it names it.
 */

const EMAIL_CODE = ['node_modules/ical-generator/'];
const SES_CLIENT = '@aws-sdk/client-sesv2';

async function bundleOf(entry: string) {
  const { metafile, outputFiles } = await build({
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
  const text = outputFiles.map((file) => file.text).join('\n');
  return { inputs: Object.keys(output?.inputs ?? {}), namesSesClient: text.includes(`"${SES_CLIENT}"`) };
}

async function carriesEmailCode(entry: string): Promise<boolean> {
  const { inputs, namesSesClient } = await bundleOf(entry);
  return namesSesClient || inputs.some((input) => EMAIL_CODE.some((code) => input.includes(code)));
}

/**
 * The `@aws-sdk/*` packages a fresh Node has loaded once it imported the function's bundle (as the cold-start
 * bench imports it; the configuration from vitest's environment), nothing invoked.
 */
async function sdkPackagesLoadedAtImport(entry: string): Promise<string[]> {
  // Inside the repository, so that the SDK (external, as in Lambda) resolves from node_modules.
  const cacheDir = path.join(repoRoot, 'node_modules', '.cache');
  await mkdir(cacheDir, { recursive: true });
  const dir = await mkdtemp(path.join(cacheDir, 'vol-email-bundle-'));
  try {
    const outfile = path.join(dir, 'index.mjs');
    await bundleFunction(entry, outfile);
    const script =
      "await import(process.argv[1]); const { createRequire } = await import('node:module'); " +
      'process.stdout.write(JSON.stringify(Object.keys(createRequire(process.argv[1]).cache)));';
    const loaded = JSON.parse(
      execFileSync(process.execPath, [
        '--input-type=module',
        '-e',
        script,
        pathToFileURL(outfile).href,
      ]).toString(),
    ) as string[];
    return [
      ...new Set(loaded.flatMap((file) => /node_modules\/(@aws-sdk\/[^/]+)\//.exec(file)?.[1] ?? [])),
    ].sort();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('email code in function bundles', () => {
  it.each(['register', 'manage', 'admin'] as const)('%s (a request function) carries none', async (name) => {
    expect(await carriesEmailCode(functionSpecs[name].entry)).toBe(false);
  });

  it('the promotion sweep carries none: promotions commit their emails to the outbox', async () => {
    expect(await carriesEmailCode(scheduledFunctionSpecs.promoteWaitingLists.entry)).toBe(false);
  });

  it.each([
    ['the sender', emailSenderFunctionSpec.entry],
    ['the retry', scheduledFunctionSpecs.sendDueEmails.entry],
  ])('%s carries it', async (_name, entry) => {
    const { inputs, namesSesClient } = await bundleOf(entry);
    for (const code of EMAIL_CODE) expect(inputs.some((input) => input.includes(code))).toBe(true);
    expect(namesSesClient).toBe(true);
    expect(inputs.some((input) => input.includes('node_modules/nodemailer/'))).toBe(false);
  });

  it.each([
    ['the sender', emailSenderFunctionSpec.entry],
    ['the retry', scheduledFunctionSpecs.sendDueEmails.entry],
  ])('%s loads the SES client on its first send, not at cold start', async (_name, entry) => {
    const loaded = await sdkPackagesLoadedAtImport(entry);
    expect(loaded).toContain('@aws-sdk/client-dynamodb');
    expect(loaded).not.toContain(SES_CLIENT);
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
