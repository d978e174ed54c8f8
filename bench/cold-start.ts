/**
 * Cold start proxy: every function of the route table bundled the way the CDK construct bundles it
 * (lib/constructs/api-function.ts: ESM, minified, platform node, the same target and require banner, source
 * map, `@aws-sdk/*` left to the runtime), then the time a fresh `node` process needs to import the bundle,
 * next to the time it needs to import `@aws-sdk/client-dynamodb` alone. Not a Lambda cold start (no
 * runtime bootstrap, no download, no VPC, another CPU): a comparison of what our code adds to the SDK.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { emailSenderFunctionSpec, functionSpecs, scheduledFunctionSpecs } from '../lambdas/routes.js';
import { API_FUNCTION_TARGET, ESM_REQUIRE_BANNER } from '../lib/constructs/api-function.js';
import { repoRoot } from '../local/stack.js';
import { median, progress, round1 } from './support.js';

export type ColdStartOptions = { samples: number };

export type ColdStartRow = {
  name: string;
  entry: string;
  bundleBytes: number;
  /** The biggest contributors to the bundle, by package (`app` = this repository's code), in bytes. */
  largestParts: { part: string; bytes: number }[];
  /** Modules the bundle leaves to the runtime (the `@aws-sdk/*` packages it imports). */
  externalImports: string[];
  importMs: number | null;
  /** importMs / the SDK client's import time. */
  ratioToSdk: number | null;
  error?: string;
};

export type ColdStartResult = {
  options: ColdStartOptions;
  nodeFlags: string[];
  sdkClientImportMs: number;
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
  // the mail-sending functions (as lib/api-stack.ts sets them for `sendsEmail` functions)
  MAIL_FROM: 'vol-is-vol <noreply@bench.example.nl>',
  PUBLIC_BASE_URL: 'https://bench.example.nl',
  POWERTOOLS_SERVICE_NAME: 'vol-is-vol',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
/** As the construct sets NODE_OPTIONS: source maps are parsed when a bundle with a map is loaded. */
const NODE_FLAGS = ['--enable-source-maps'];

const IMPORT_SCRIPT =
  'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';

function importTime(specifier: string, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...FUNCTION_ENV };
    delete env.DYNAMODB_ENDPOINT;
    delete env.NODE_OPTIONS;
    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, '--input-type=module', '-e', IMPORT_SCRIPT, specifier],
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
      const ms = Number(out.trim());
      if (code === 0 && Number.isFinite(ms)) resolve(ms);
      else {
        const lines = err.trim().split('\n');
        reject(new Error(lines.find((line) => /^\w*Error\b/.test(line)) ?? lines[0] ?? `exit ${code}`));
      }
    });
  });
}

/** `node_modules/@scope/name/...` → `@scope/name`; anything else is ours. */
function partOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? 'app';
}

function bundleParts(metafile: Metafile, outfile: string) {
  const output = Object.entries(metafile.outputs).find(([file]) => path.resolve(file) === outfile)?.[1];
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    bytes.set(partOf(input), (bytes.get(partOf(input)) ?? 0) + bytesInOutput);
  }
  return {
    largestParts: [...bytes]
      .sort(([, a], [, b]) => b - a)
      .slice(0, 4)
      .map(([part, size]) => ({ part, bytes: size })),
    externalImports: [
      ...new Set(
        (output?.imports ?? [])
          .filter((i) => i.external && i.path.startsWith('@aws-sdk/'))
          .map((i) => i.path),
      ),
    ].sort(),
  };
}

async function medianImportTime(specifier: string, cwd: string, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await importTime(specifier, cwd));
  return median(times);
}

export async function runColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  // Inside the repository, so that `@aws-sdk/*` (external, as in Lambda) resolves from node_modules.
  const cacheDir = path.join(repoRoot, 'node_modules', '.cache');
  await mkdir(cacheDir, { recursive: true });
  const workDir = await mkdtemp(path.join(cacheDir, 'vol-bench-'));
  try {
    progress('cold start', `importing @aws-sdk/client-dynamodb alone (median of ${options.samples})`);
    const sdkClientImportMs = round1(
      await medianImportTime('@aws-sdk/client-dynamodb', workDir, options.samples),
    );

    const specs = Object.entries({
      ...functionSpecs,
      ...scheduledFunctionSpecs,
      emailSender: emailSenderFunctionSpec,
    });
    const functions: ColdStartRow[] = [];
    for (const [name, spec] of specs) {
      const outfile = path.join(workDir, name, 'index.mjs');
      progress('cold start', `bundling and importing ${name} (${spec.entry})`);
      let metafile: Metafile;
      try {
        ({ metafile } = await build({
          entryPoints: [path.join(repoRoot, spec.entry)],
          outfile,
          bundle: true,
          platform: 'node',
          format: 'esm',
          target: API_FUNCTION_TARGET,
          minify: true,
          sourcemap: true,
          mainFields: ['module', 'main'],
          banner: { js: ESM_REQUIRE_BANNER },
          external: ['@aws-sdk/*'],
          logLevel: 'silent',
          metafile: true,
        }));
      } catch (error) {
        functions.push({
          name,
          entry: spec.entry,
          bundleBytes: 0,
          largestParts: [],
          externalImports: [],
          importMs: null,
          ratioToSdk: null,
          error: `bundle: ${(error as Error).message.split('\n')[0]}`,
        });
        continue;
      }
      const bundleBytes = (await stat(outfile)).size;
      const parts = bundleParts(metafile, outfile);
      try {
        const importMs = round1(
          await medianImportTime(pathToFileURL(outfile).href, workDir, options.samples),
        );
        functions.push({
          name,
          entry: spec.entry,
          bundleBytes,
          ...parts,
          importMs,
          ratioToSdk: round1(importMs / sdkClientImportMs),
        });
      } catch (error) {
        functions.push({
          name,
          entry: spec.entry,
          bundleBytes,
          ...parts,
          importMs: null,
          ratioToSdk: null,
          error: `import: ${(error as Error).message}`,
        });
      }
    }
    return { options, nodeFlags: NODE_FLAGS, sdkClientImportMs, functions };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
