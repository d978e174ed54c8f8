import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildWeb } from '../web/build.js';

/**
 * Builds the web pages (`web/build.ts`) into a fresh temporary directory for the Web stack's asset, without
 * `config.json`: the deployment writes that one with the API's URL, which is only known at deploy time.
 * The directory is removed when the process exits (synth has copied the asset into `cdk.out` by then).
 */
export async function buildWebAssets(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vol-is-vol-web-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await buildWeb(dir, { writeConfig: false });
  return dir;
}
