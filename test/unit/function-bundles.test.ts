import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { bundleFunction, outputOf } from '../../bench/function-bundle.js';
import { emailSenderFunctionSpec, functionSpecs, scheduledFunctionSpecs } from '../../lambdas/routes.js';

/** Issue 19: zod's classic API was 443 KB of every function. Functions validate with `zod/mini` only. */
const ZOD_BUDGET_BYTES = 64 * 1024;

it.each(Object.entries({ ...functionSpecs, ...scheduledFunctionSpecs }))(
  'bundles %s without zod’s classic API or locales beyond nl and en',
  async (name, spec) => {
    const outfile = path.join(os.tmpdir(), 'vol-function-bundles', name, 'index.mjs');
    const bundle = await bundleFunction(spec.entry, outfile, false);
    const zodInputs = Object.entries(outputOf(bundle.metafile, outfile)?.inputs ?? {}).filter(
      ([input, { bytesInOutput }]) => input.includes('node_modules/zod/') && bytesInOutput > 0,
    );
    const files = zodInputs.map(([input]) => input);
    expect(files.filter((file) => file.includes('/v4/classic/'))).toEqual([]);
    expect(files.filter((file) => /\/locales\/(?!(nl|en|index)\.js$)/.test(file))).toEqual([]);
    const zodBytes = zodInputs.reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
    expect(zodBytes).toBeLessThanOrEqual(ZOD_BUDGET_BYTES);
  },
);

/**
 * Powertools idempotency and its JMESPath engine (37 KiB) serve only the sign-up routes' Idempotency-Key: the
 * other functions neither bundle nor load them (`lambdas/idempotency-composition.ts`).
 */
it.each(Object.entries({ ...functionSpecs, ...scheduledFunctionSpecs }))(
  'bundles Powertools idempotency into %s only if it is the register function',
  async (name, spec) => {
    const outfile = path.join(os.tmpdir(), 'vol-function-bundles', name, 'index.mjs');
    const bundle = await bundleFunction(spec.entry, outfile, false);
    const inputs = Object.keys(outputOf(bundle.metafile, outfile)?.inputs ?? {});
    const idempotency = inputs.filter((input) =>
      /node_modules\/@aws-lambda-powertools\/(idempotency|jmespath)\//.test(input),
    );
    if (name === 'register') expect(idempotency).not.toEqual([]);
    else expect(idempotency).toEqual([]);
  },
);

/**
 * The stream-fed sender requires `@aws-sdk/util-dynamodb` (lib-dynamodb has already loaded it as CommonJS): an
 * ESM import of it cost about 10 ms CPU more at every cold start (README, Benchmarks and budgets).
 */
it('leaves no ESM import of @aws-sdk/util-dynamodb in the email sender', async () => {
  const outfile = path.join(os.tmpdir(), 'vol-function-bundles', 'emailSender', 'index.mjs');
  const bundle = await bundleFunction(emailSenderFunctionSpec.entry, outfile, false);
  const imports = (outputOf(bundle.metafile, outfile)?.imports ?? []).map((i) => i.path);
  expect(imports).toContain('@aws-sdk/lib-dynamodb');
  expect(imports).not.toContain('@aws-sdk/util-dynamodb');
});
