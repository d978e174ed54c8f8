/**
 * Cold start proxy: every function of the route table bundled the way the CDK construct bundles it
 * (`bundleFunction`), then the time a fresh `node` process needs to import the bundle, next to the time it
 * needs to import `@aws-sdk/client-dynamodb` alone, each with the budget of issue 19 beside it. Each function's
 * imports alternate with imports of the SDK client, and its ratio is to those: load from other work on a shared
 * machine then weighs on both sides of the ratio alike instead of on whichever ran at a busier moment. The budget's
 * reference is the client imported as ESM; the functions require it as CommonJS (`lambdas/adapters/aws-sdk.ts`),
 * which is faster, so the same client required alternates too and the ratio to it is reported beside (what our
 * code and lib-dynamodb add to the client loaded the way the functions load it). Not a Lambda cold start (no
 * runtime bootstrap, no download, no VPC, another CPU): a comparison of what our code adds to the SDK.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { emailSenderFunctionSpec, functionSpecs, scheduledFunctionSpecs } from '../lambdas/routes.js';
import { repoRoot } from '../local/stack.js';
import { bundleFunction, bytesByPart, type FunctionBundle, outputOf } from './function-bundle.js';
import { median, progress, round1 } from './support.js';

const round2 = (value: number) => Math.round(value * 100) / 100;

export type ColdStartOptions = { samples: number };

export type ColdStartRow = {
  name: string;
  entry: string;
  bundleBytes: number;
  /** The biggest contributors to the bundle, by package (`app` = this repository's code), in bytes. */
  largestParts: { part: string; bytes: number }[];
  /** The `@aws-sdk/*` packages the bundle leaves to the runtime (it names them to require them). */
  externalImports: string[];
  importMs: number | null;
  /** The SDK client's import time (wall, CPU), in the imports that alternated with this function's. */
  sdkImportMs: number | null;
  sdkImportCpuMs: number | null;
  /** importMs / sdkImportMs. */
  ratioToSdk: number | null;
  /** The SDK client required as CommonJS, in the same alternation, and importMs / that (not the budget's). */
  sdkRequireMs: number | null;
  ratioToSdkRequired: number | null;
  /** CPU time (user + system) of the same import, and its ratio: steadier than wall time on a shared machine. */
  importCpuMs: number | null;
  cpuRatioToSdk: number | null;
  /** Within the budgets of issue 19 (`COLD_START_BUDGET`); null when the import could not be timed. */
  bundleWithinBudget: boolean;
  importWithinBudget: boolean | null;
  error?: string;
};

/** Issue 19: every bundle at most 300 KB minified, importing in at most 1.5× the bare DynamoDB client. */
export const COLD_START_BUDGET = { bundleBytes: 300 * 1024, ratioToSdk: 1.5 };

export type ColdStartResult = {
  options: ColdStartOptions;
  nodeFlags: string[];
  sdkClientImportMs: number;
  sdkClientImportCpuMs: number;
  /** The same client required as CommonJS, as the functions load it. */
  sdkClientRequireMs: number;
  sdkClientRequireCpuMs: number;
  budget: typeof COLD_START_BUDGET;
  functions: ColdStartRow[];
};

/** What the functions get in AWS, enough for their configuration to load at import (no network at import). */
const FUNCTION_ENV = {
  TABLE_NAME: 'vol-bench',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  STAGE: 'bench',
  ALLOWED_ORIGINS: 'https://bench.example.nl',
  ADMIN_GROUP: 'organisers',
  // the mail-sending functions (as lib/api-email.ts sets them for `sendsEmail` functions)
  MAIL_FROM: 'vol-is-vol <noreply@bench.example.nl>',
  PUBLIC_BASE_URL: 'https://bench.example.nl',
  POWERTOOLS_SERVICE_NAME: 'vol-is-vol',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
/** As the construct sets NODE_OPTIONS: source maps are parsed when a bundle with a map is loaded. */
const NODE_FLAGS = ['--enable-source-maps'];

/** Loads `process.argv[1]` with `import()`, or with `require` (from the working directory) after `--require`. */
const IMPORT_SCRIPT =
  "const { createRequire } = await import('node:module'); const [, specifier, how] = process.argv; " +
  'const c = process.cpuUsage(); const t = performance.now(); ' +
  "if (how === '--require') createRequire(process.cwd() + '/')(specifier); else await import(specifier); " +
  'const wall = performance.now() - t; const { user, system } = process.cpuUsage(c); ' +
  'process.stdout.write(JSON.stringify({ wall, cpu: (user + system) / 1000 }));';

type ImportTime = { wall: number; cpu: number };

function importTime(
  specifier: string,
  cwd: string,
  how: 'import' | 'require' = 'import',
): Promise<ImportTime> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...FUNCTION_ENV };
    delete env.DYNAMODB_ENDPOINT;
    delete env.NODE_OPTIONS;
    const child = spawn(
      process.execPath,
      [
        ...NODE_FLAGS,
        '--input-type=module',
        '-e',
        IMPORT_SCRIPT,
        specifier,
        ...(how === 'require' ? ['--require'] : []),
      ],
      {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as ImportTime);
      else {
        const lines = err.trim().split('\n');
        reject(new Error(lines.find((line) => /^\w*Error\b/.test(line)) ?? lines[0] ?? `exit ${code}`));
      }
    });
  });
}

/**
 * The four largest parts, and the SDK packages the bundle leaves to the runtime: external imports, and the
 * packages it requires by name (a `createRequire` call, which the metafile does not record).
 */
async function bundleParts(bundle: FunctionBundle) {
  const output = outputOf(bundle.metafile, bundle.outfile);
  const imported = (output?.imports ?? [])
    .filter((i) => i.external && i.path.startsWith('@aws-sdk/'))
    .map((i) => i.path);
  const text = await readFile(bundle.outfile, 'utf8');
  const required = [...text.matchAll(/["'](@aws-sdk\/[a-z0-9-]+)["']/g)].map((match) => match[1] as string);
  return {
    largestParts: bytesByPart(bundle).slice(0, 4),
    externalImports: [...new Set([...imported, ...required])].sort(),
  };
}

const medianOf = (times: ImportTime[]): ImportTime => ({
  wall: round1(median(times.map((time) => time.wall))),
  cpu: round1(median(times.map((time) => time.cpu))),
});

/** Median wall and CPU milliseconds of importing `specifier` in a fresh process, `samples` times. */
async function medianImportTime(
  specifier: string,
  cwd: string,
  samples: number,
  how: 'import' | 'require' = 'import',
): Promise<ImportTime> {
  const times: ImportTime[] = [];
  for (let i = 0; i < samples; i++) times.push(await importTime(specifier, cwd, how));
  return medianOf(times);
}

/**
 * Medians of `samples` imports of `specifier`, each right after an import of the SDK client alone and a require
 * of it alone.
 */
async function pairedImportTimes(
  specifier: string,
  cwd: string,
  samples: number,
): Promise<{ fn: ImportTime; sdk: ImportTime; sdkRequired: ImportTime }> {
  const fn: ImportTime[] = [];
  const sdk: ImportTime[] = [];
  const sdkRequired: ImportTime[] = [];
  for (let i = 0; i < samples; i++) {
    sdk.push(await importTime(SDK_CLIENT, cwd));
    sdkRequired.push(await importTime(SDK_CLIENT, cwd, 'require'));
    fn.push(await importTime(specifier, cwd));
  }
  return { fn: medianOf(fn), sdk: medianOf(sdk), sdkRequired: medianOf(sdkRequired) };
}

const SDK_CLIENT = '@aws-sdk/client-dynamodb';

export async function runColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  // Inside the repository, so that `@aws-sdk/*` (external, as in Lambda) resolves from node_modules.
  const cacheDir = path.join(repoRoot, 'node_modules', '.cache');
  await mkdir(cacheDir, { recursive: true });
  const workDir = await mkdtemp(path.join(cacheDir, 'vol-bench-'));
  try {
    progress('cold start', `importing @aws-sdk/client-dynamodb alone (median of ${options.samples})`);
    const sdkClient = await medianImportTime(SDK_CLIENT, workDir, options.samples);
    const sdkClientRequired = await medianImportTime(SDK_CLIENT, workDir, options.samples, 'require');

    const specs = Object.entries({
      ...functionSpecs,
      ...scheduledFunctionSpecs,
      emailSender: emailSenderFunctionSpec,
    });
    const functions: ColdStartRow[] = [];
    for (const [name, spec] of specs) {
      const outfile = path.join(workDir, name, 'index.mjs');
      progress('cold start', `bundling and importing ${name} (${spec.entry})`);
      let bundle: FunctionBundle;
      try {
        bundle = await bundleFunction(spec.entry, outfile);
      } catch (error) {
        functions.push({
          name,
          entry: spec.entry,
          bundleBytes: 0,
          largestParts: [],
          externalImports: [],
          importMs: null,
          sdkImportMs: null,
          sdkImportCpuMs: null,
          ratioToSdk: null,
          sdkRequireMs: null,
          ratioToSdkRequired: null,
          importCpuMs: null,
          cpuRatioToSdk: null,
          bundleWithinBudget: false,
          importWithinBudget: null,
          error: `bundle: ${(error as Error).message.split('\n')[0]}`,
        });
        continue;
      }
      const measured = {
        name,
        entry: spec.entry,
        bundleBytes: bundle.bundleBytes,
        ...(await bundleParts(bundle)),
        bundleWithinBudget: bundle.bundleBytes <= COLD_START_BUDGET.bundleBytes,
      };
      try {
        const {
          fn: time,
          sdk,
          sdkRequired,
        } = await pairedImportTimes(pathToFileURL(outfile).href, workDir, options.samples);
        const ratio = time.wall / sdk.wall;
        functions.push({
          ...measured,
          importMs: time.wall,
          sdkImportMs: sdk.wall,
          sdkImportCpuMs: sdk.cpu,
          ratioToSdk: round2(ratio),
          sdkRequireMs: sdkRequired.wall,
          ratioToSdkRequired: round2(time.wall / sdkRequired.wall),
          importCpuMs: time.cpu,
          cpuRatioToSdk: round2(time.cpu / sdk.cpu),
          importWithinBudget: ratio <= COLD_START_BUDGET.ratioToSdk,
        });
      } catch (error) {
        functions.push({
          ...measured,
          importMs: null,
          sdkImportMs: null,
          sdkImportCpuMs: null,
          ratioToSdk: null,
          sdkRequireMs: null,
          ratioToSdkRequired: null,
          importCpuMs: null,
          cpuRatioToSdk: null,
          importWithinBudget: null,
          error: `import: ${(error as Error).message}`,
        });
      }
    }
    return {
      options,
      nodeFlags: NODE_FLAGS,
      sdkClientImportMs: sdkClient.wall,
      sdkClientImportCpuMs: sdkClient.cpu,
      sdkClientRequireMs: sdkClientRequired.wall,
      sdkClientRequireCpuMs: sdkClientRequired.cpu,
      budget: COLD_START_BUDGET,
      functions,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
