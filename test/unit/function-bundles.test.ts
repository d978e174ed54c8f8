import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { bundleFunction, outputOf } from '../../bench/function-bundle.js';
import {
  emailFeedbackFunctionSpec,
  emailSenderFunctionSpec,
  functionSpecs,
  scheduledFunctionSpecs,
} from '../../lambdas/routes.js';

const specs = Object.entries({
  ...functionSpecs,
  ...scheduledFunctionSpecs,
  emailSender: emailSenderFunctionSpec,
  emailFeedback: emailFeedbackFunctionSpec,
});

/** Each function bundled once, as the CDK construct bundles it, for all the assertions below. */
const bundles = new Map<string, ReturnType<typeof bundled>>();

async function bundled(name: string, entry: string) {
  const outfile = path.join(os.tmpdir(), 'vol-function-bundles', name, 'index.mjs');
  const { metafile } = await bundleFunction(entry, outfile, false);
  const output = outputOf(metafile, outfile);
  return { inputs: output?.inputs ?? {}, imports: output?.imports ?? [] };
}

function bundleOf(name: string, entry: string): ReturnType<typeof bundled> {
  let bundle = bundles.get(name);
  if (bundle === undefined) {
    bundle = bundled(name, entry);
    bundles.set(name, bundle);
  }
  return bundle;
}

/** Issue 19: zod's classic API was 443 KB of every function. Functions validate with `zod/mini` only. */
const ZOD_BUDGET_BYTES = 64 * 1024;

it.each(specs)('bundles %s without zod’s classic API or locales beyond nl and en', async (name, spec) => {
  const { inputs } = await bundleOf(name, spec.entry);
  const zodInputs = Object.entries(inputs).filter(
    ([input, { bytesInOutput }]) => input.includes('node_modules/zod/') && bytesInOutput > 0,
  );
  const files = zodInputs.map(([input]) => input);
  expect(files.filter((file) => file.includes('/v4/classic/'))).toEqual([]);
  expect(files.filter((file) => /\/locales\/(?!(nl|en|index)\.js$)/.test(file))).toEqual([]);
  const zodBytes = zodInputs.reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
  expect(zodBytes).toBeLessThanOrEqual(ZOD_BUDGET_BYTES);
});

/**
 * Powertools idempotency and its JMESPath engine (37 KiB) serve only the sign-up routes' Idempotency-Key: the
 * other functions neither bundle nor load them (`lambdas/idempotency-composition.ts`).
 */
it.each(specs)(
  'bundles Powertools idempotency into %s only if it is the register function',
  async (name, spec) => {
    const { inputs } = await bundleOf(name, spec.entry);
    const idempotency = Object.keys(inputs).filter((input) =>
      /node_modules\/@aws-lambda-powertools\/(idempotency|jmespath)\//.test(input),
    );
    if (name === 'register') expect(idempotency).not.toEqual([]);
    else expect(idempotency).toEqual([]);
  },
);

/**
 * The runtime's SDK is required as CommonJS (`lambdas/adapters/aws-sdk.ts`): an ESM `import` of an `@aws-sdk/*`
 * package, static or dynamic, makes Node scan and wrap it at every cold start (about 95 ms instead of 60 for
 * client-dynamodb and lib-dynamodb; README, Benchmarks and budgets).
 */
it.each(specs)('bundles %s with no ESM import of an @aws-sdk package', async (name, spec) => {
  const { imports } = await bundleOf(name, spec.entry);
  const esmImportsOfSdk = imports.filter((i) => i.path.startsWith('@aws-sdk/') && i.kind !== 'require-call');
  expect(esmImportsOfSdk).toEqual([]);
});
