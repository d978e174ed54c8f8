import { describe, expect, it } from 'vitest';
import { DASHBOARD_E3002_REASON } from '../../lib/constructs/monitoring.js';
import { referencedIds, synthStage } from './helpers.js';

type Resource = {
  Type: string;
  Properties?: unknown;
  DependsOn?: string | string[];
  Metadata?: Record<string, unknown>;
};

/**
 * What cfn-lint (in .ci/run) would report, checked in-process so that a regression shows up in the tests too:
 * W3005 (a DependsOn that a Ref or GetAtt already enforces) fixed at its cause, and E3002 suppressed on the
 * dashboard only, with its reason.
 */
describe.each(['dev', 'test', 'acceptance', 'production'])('cfn-lint findings (%s)', (stageName) => {
  const stage = synthStage(stageName);
  const templates = {
    data: stage.dataTemplate.toJSON(),
    api: stage.apiTemplate.toJSON(),
    web: stage.webTemplate.toJSON(),
  };

  it.each(Object.keys(templates))(
    '%s: no DependsOn repeats a Ref or GetAtt of the same resource (W3005)',
    (key) => {
      const resources = (templates[key as keyof typeof templates].Resources ?? {}) as Record<
        string,
        Resource
      >;
      for (const [id, resource] of Object.entries(resources)) {
        if (resource.DependsOn === undefined) continue;
        const dependsOn = Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
        const referenced = referencedIds(resource.Properties);
        expect(
          dependsOn.filter((dependency) => referenced.has(dependency)),
          `${id} (${resource.Type})`,
        ).toEqual([]);
      }
    },
  );

  it('suppresses E3002 on the dashboard only, with the reason next to it', () => {
    const suppressed = Object.values(templates).flatMap((template) =>
      Object.values((template.Resources ?? {}) as Record<string, Resource>).filter(
        (resource) => resource.Metadata?.['cfn-lint'] !== undefined,
      ),
    );
    expect(suppressed.map((resource) => resource.Type)).toEqual(['AWS::CloudWatch::Dashboard']);
    expect(suppressed[0]?.Metadata?.['cfn-lint']).toEqual({ config: { ignore_checks: ['E3002'] } });
    expect(suppressed[0]?.Metadata?.['cfn-lint-reason']).toBe(DASHBOARD_E3002_REASON);
  });
});
