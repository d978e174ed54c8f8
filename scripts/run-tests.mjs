#!/usr/bin/env node
// `npm test`: runs vitest with its JSON reporter beside the default one, then prints the closing line
// CI reads ("N passed, N failed, N skipped"), which vitest itself does not print. Extra arguments go to vitest
// (`--project unit` runs one layer: see vitest.config.ts). TEST_REPORT moves the JSON report elsewhere.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const report = process.env.TEST_REPORT ?? 'test-results/vitest.json';
mkdirSync(path.dirname(report), { recursive: true });
rmSync(report, { force: true });

const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let summary;
try {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  const failed =
    result.numFailedTests +
    (result.numFailedTestSuites > 0 && result.numFailedTests === 0 ? result.numFailedTestSuites : 0);
  summary = { passed: result.numPassedTests, failed, skipped: result.numPendingTests + result.numTodoTests };
} catch {
  summary = { passed: 0, failed: 1, skipped: 0 };
  console.error('vitest wrote no report: counting the run as one failure');
}
console.log(`\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
process.exit(run.status === 0 && summary.failed === 0 ? 0 : 1);
