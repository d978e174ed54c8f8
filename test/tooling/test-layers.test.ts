import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/stack.js';
import { testLayers } from '../../vitest.config.js';

/**
 * The test layers (vitest projects) and the runner behind `npm test`: every test file runs in exactly one
 * layer, and a machine without Chromium skips the browser tests with one line instead of failing them.
 */

const testFiles = () =>
  readdirSync(path.join(repoRoot, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join('test', file))
    .sort();

describe('the test layers', () => {
  it('put every test file in exactly one project', () => {
    const listing = spawnSync('npx', ['vitest', 'list', '--filesOnly', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: childEnv(),
    });
    expect(listing.status, listing.stderr).toBe(0);
    const entries = JSON.parse(listing.stdout) as { file: string; projectName: string }[];
    const projectsByFile = new Map<string, string[]>();
    for (const { file, projectName } of entries) {
      const relative = path.relative(repoRoot, file);
      projectsByFile.set(relative, [...(projectsByFile.get(relative) ?? []), projectName]);
    }

    expect([...projectsByFile.keys()].sort()).toEqual(testFiles());
    const inMoreThanOne = [...projectsByFile].filter(([, projects]) => projects.length !== 1);
    expect(inMoreThanOne).toEqual([]);
    expect(new Set(entries.map((entry) => entry.projectName))).toEqual(new Set(Object.keys(testLayers)));
  });

  it('have an npm script per layer that runs only that project', async () => {
    const { scripts } = (await import('../../package.json', { with: { type: 'json' } })).default as {
      scripts: Record<string, string>;
    };
    for (const layer of Object.keys(testLayers)) {
      expect(scripts[`test:${layer}`]).toBe(`node scripts/run-tests.mjs --project ${layer}`);
    }
  });
});

/** The environment of a vitest started from inside a test: none of this run's own vitest variables. */
function childEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...overrides };
  for (const name of Object.keys(env)) {
    if (name.startsWith('VITEST') || env[name] === undefined) delete env[name];
  }
  return env;
}

describe('npm test without Chromium', () => {
  const missingChromium = path.join(repoRoot, 'test-results', 'no-such-dir', 'chromium');

  function runBrowserFile(ci: boolean) {
    const report = path.join('test-results', `run-tests-${ci ? 'ci' : 'dev'}-${process.pid}.json`);
    const run = spawnSync('node', ['scripts/run-tests.mjs', 'test/browser/form.test.ts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: childEnv({
        CHROMIUM_PATH: missingChromium,
        CI: ci ? 'true' : undefined,
        TEST_REPORT: report,
      }),
    });
    rmSync(path.join(repoRoot, report), { force: true });
    const output = `${run.stdout}\n${run.stderr}`;
    const lines = output.split('\n').map((line) => line.trim());
    return { status: run.status, output, lines, summary: run.stdout.trim().split('\n').at(-1) };
  }

  it('skips the browser tests with one line saying how to get Chromium, and counts them as skipped', () => {
    const { status, output, lines, summary } = runBrowserFile(false);

    expect(status, output).toBe(0);
    const notices = lines.filter((line) => line.includes('Browser tests skipped'));
    expect(notices).toEqual([
      `Browser tests skipped: no Chromium at ${missingChromium}. Install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary; under CI=true this fails.`,
    ]);
    expect(summary).toMatch(/^0 passed, 0 failed, [1-9]\d* skipped$/);
    expect(output).not.toContain('Chromium not found');
  });

  it('fails under CI=true', () => {
    const { status, output, lines, summary } = runBrowserFile(true);

    expect(status, output).toBe(1);
    expect(output).toContain(`Chromium not found at ${missingChromium}`);
    expect(lines.filter((line) => line.includes('Browser tests skipped'))).toEqual([]);
    expect(summary).toMatch(/^0 passed, [1-9]\d* failed, \d+ skipped$/);
  });
});
