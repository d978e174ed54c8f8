import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleFunction } from '../../bench/function-bundle.js';
import {
  emailFeedbackFunctionSpec,
  emailSenderFunctionSpec,
  functionSpecs,
  scheduledFunctionSpecs,
} from '../../lambdas/routes.js';
import { repoRoot } from '../../lib/repo-root.js';

/**
 * Every function bundle, as the CDK construct builds it, in a directory with no node_modules above it, as in
 * `/var/task`: the runtime's `@aws-sdk/*` (external) must resolve the way Lambda provides it, through `NODE_PATH`
 * (`/var/runtime/node_modules` there, this repository's node_modules here). `NODE_PATH` serves CommonJS
 * `require` only, not an ESM `import`: the functions require the SDK (`lambdas/adapters/aws-sdk.ts`).
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vol-task-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const specs = {
  ...functionSpecs,
  ...scheduledFunctionSpecs,
  emailSender: emailSenderFunctionSpec,
  emailFeedback: emailFeedbackFunctionSpec,
};

it.each(Object.entries(specs))('%s loads with the SDK found only through NODE_PATH', async (name, spec) => {
  const outfile = path.join(dir, name, 'index.mjs');
  await bundleFunction(spec.entry, outfile);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      'const m = await import(process.argv[1]); process.stdout.write(typeof m.handler);',
      pathToFileURL(outfile).href,
    ],
    { env: { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') } },
  );
  expect(stdout).toBe('function');
});
