import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageNames } from '../../lib/stage-config.js';
import { buildApp } from './helpers.js';

type ValidationReport = { pluginReports: { violations?: unknown[] }[] };

describe('CloudFormation validation (the rules `cdk synth` applies)', () => {
  it.each(stageNames)(
    '%s: templates synthesize with no findings, findings treated as errors',
    (stage) => {
      const { app } = buildApp(stage, {}, { validate: true });
      const assembly = app.synth();
      const report = JSON.parse(
        readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
      ) as ValidationReport;
      expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
    },
    60_000,
  );
});
