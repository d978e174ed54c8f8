/**
 * Builds the web pages into a directory of static files: the TypeScript in `web/src` bundled and minified
 * for the browser by esbuild, the HTML and CSS copied, and `config.json` with the API's base URL ('' = the
 * same origin, which is what the local stack serves).
 *
 *   npx tsx web/build.ts [--out <dir>] [--api-base-url <url>] [--no-config]
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));

export const defaultWebOutDir = path.join(webDir, 'dist');

/** One bundle per page; shared modules are inlined into each (they are small). */
const ENTRY_POINTS = ['form', 'manage', 'admin', 'checkin'] as const;
const STATIC_FILES = [
  'index.html',
  'manage.html',
  'privacy.html',
  'checkin.html',
  'styles.css',
  'admin.css',
] as const;
/** Pages served under a path of their own: the organisers' dashboard at `/admin/`. */
const PAGE_DIRECTORIES = [{ source: 'admin.html', target: path.join('admin', 'index.html') }] as const;

export type BuildWebOptions = {
  /** The API's base URL written to `config.json`; '' (default) means the same origin. */
  apiBaseUrl?: string;
  /**
   * Write `config.json` (default true). A deployment that adds its own `config.json` (for example CDK's
   * `Source.jsonData('config.json', { apiBaseUrl: api.url })`, resolved at deploy time) turns this off.
   */
  writeConfig?: boolean;
};

function checkApiBaseUrl(apiBaseUrl: string): string {
  if (apiBaseUrl === '') return '';
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    throw new Error(`apiBaseUrl must be '' or an absolute http(s) URL, got ${JSON.stringify(apiBaseUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`apiBaseUrl must be an http(s) URL, got ${JSON.stringify(apiBaseUrl)}`);
  }
  return apiBaseUrl.replace(/\/+$/, '');
}

export async function buildWeb(outDir = defaultWebOutDir, options: BuildWebOptions = {}): Promise<void> {
  const apiBaseUrl = checkApiBaseUrl(options.apiBaseUrl ?? '');
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: ENTRY_POINTS.map((name) => path.join(webDir, 'src', `${name}.ts`)),
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last few years; nothing newer than ES2020 syntax is needed.
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    charset: 'utf8',
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'silent',
  });
  await Promise.all(STATIC_FILES.map((file) => copyFile(path.join(webDir, file), path.join(outDir, file))));
  for (const { source, target } of PAGE_DIRECTORIES) {
    await mkdir(path.dirname(path.join(outDir, target)), { recursive: true });
    await copyFile(path.join(webDir, source), path.join(outDir, target));
  }
  if (options.writeConfig ?? true) {
    await writeFile(path.join(outDir, 'config.json'), `${JSON.stringify({ apiBaseUrl }, null, 2)}\n`);
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;

if (invokedDirectly) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'api-base-url': { type: 'string' },
      'no-config': { type: 'boolean' },
    },
  });
  const outDir = path.resolve(values.out ?? defaultWebOutDir);
  const startedAt = performance.now();
  buildWeb(outDir, { apiBaseUrl: values['api-base-url'], writeConfig: !values['no-config'] }).then(
    () => console.log(`web built into ${outDir} in ${Math.round(performance.now() - startedAt)} ms`),
    (error: Error) => {
      console.error(`web build failed: ${error.message}`);
      process.exit(1);
    },
  );
}
