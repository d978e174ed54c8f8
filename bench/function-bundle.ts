/**
 * A function bundled the way the CDK construct bundles it (lib/constructs/api-function.ts: ESM, minified,
 * platform node, the same target, main fields and require banner, source map without the sources' text,
 * `@aws-sdk/*` left to the runtime). The cold-start bench imports what this writes; the bundle test reads what
 * it holds.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { API_FUNCTION_TARGET, ESM_REQUIRE_BANNER } from '../lib/constructs/api-function.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type FunctionBundle = { metafile: Metafile; bundleBytes: number; outfile: string };

/** Bundles `entry` (relative to the repository root) to `outfile`; written to disk only with `write`. */
export async function bundleFunction(entry: string, outfile: string, write = true): Promise<FunctionBundle> {
  const { metafile } = await build({
    entryPoints: [path.join(repoRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: API_FUNCTION_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
    metafile: true,
    write,
  });
  return { metafile, bundleBytes: outputOf(metafile, outfile)?.bytes ?? 0, outfile };
}

/** The metafile's record of the JavaScript output (not its source map). */
export function outputOf(metafile: Metafile, outfile: string) {
  return Object.entries(metafile.outputs).find(([file]) => path.resolve(file) === outfile)?.[1];
}

/** `node_modules/@scope/name/...` → `@scope/name`; anything else is ours. */
export function partOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? 'app';
}

/** Bytes each package contributes to the bundle (`app` = this repository's code), largest first. */
export function bytesByPart({ metafile, outfile }: FunctionBundle): { part: string; bytes: number }[] {
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(outputOf(metafile, outfile)?.inputs ?? {})) {
    bytes.set(partOf(input), (bytes.get(partOf(input)) ?? 0) + bytesInOutput);
  }
  return [...bytes].sort(([, a], [, b]) => b - a).map(([part, size]) => ({ part, bytes: size }));
}
