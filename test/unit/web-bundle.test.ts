import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildWeb } from '../../web/build.js';

// The pages take their types from the zod schemas (web/src/types.ts); only the types may reach the browser.
it('builds the pages without zod in the bundle', async () => {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'vol-web-bundle-'));
  try {
    await buildWeb(outDir, { writeConfig: false });
    const scripts = (await readdir(outDir)).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const code = await readFile(path.join(outDir, script), 'utf8');
      expect(code, script).not.toMatch(/ZodError|_zod|\$ZodType/);
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});
