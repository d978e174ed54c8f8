import { describe, expect, it } from 'vitest';
import { scheduledFunctionSpecs } from '../../lambdas/routes.js';
import { scheduledRetryAttempts } from '../../lib/api-stack.js';
import {
  type CfnResource,
  logicalIdOf,
  propertyOf,
  referencedId,
  referencedIds,
  resourcesOfType,
  statementsOfFunction,
  synthStage,
} from './helpers.js';

/** Blocker 4 of issue 14: no schedule may fail, or stop, without someone being told. */
describe.each(['dev', 'production'])('scheduled functions (%s)', (stageName) => {
  const stage = synthStage(stageName);
  const template = stage.apiTemplate;
  const queues = resourcesOfType(template, 'AWS::SQS::Queue');
  const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
  const invokeConfigs = Object.values(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig'));
  const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule'));
  const idOf = (name: string) =>
    logicalIdOf(stage.api.functionFor(name).function.node.defaultChild as Parameters<typeof logicalIdOf>[0]);
  const invokeConfigOf = (name: string) =>
    invokeConfigs.find((config) => referencedId(config.Properties?.FunctionName) === idOf(name));
  const failedRunsOf = (name: string): string => {
    const destination = propertyOf<{ OnFailure: { Destination: unknown } }>(
      invokeConfigOf(name),
      'DestinationConfig',
    ).OnFailure.Destination;
    const queueId = referencedId(destination);
    if (queueId === undefined || !(queueId in queues)) throw new Error(`${name}: no queue as destination`);
    return queueId;
  };

  it.each(Object.keys(scheduledFunctionSpecs))(
    '%s sends a run that failed for good to its own encrypted, TLS-only queue',
    (name) => {
      const queueId = failedRunsOf(name);
      const queue = queues[queueId] as CfnResource;
      expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
      expect(queue.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
      const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy')).filter((policy) =>
        referencedIds(policy.Properties?.Queues).has(queueId),
      );
      expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
      // The function's role may send to it (Lambda delivers the failed event with the function's role).
      const sends = statementsOfFunction(template, idOf(name)).filter((statement) =>
        JSON.stringify(statement.Action).includes('sqs:SendMessage'),
      );
      expect(sends.some((statement) => referencedIds(statement.Resource).has(queueId))).toBe(true);
      // Other functions' queues stay apart: one queue per schedule, so the alarm names the function.
      for (const other of Object.keys(scheduledFunctionSpecs)) {
        if (other !== name) expect(failedRunsOf(other)).not.toBe(queueId);
      }
    },
  );

  it.each(Object.entries(scheduledFunctionSpecs))(
    '%s retries as its interval allows, and a failed EventBridge delivery lands in the same queue',
    (name, spec) => {
      const retries = spec.everyMinutes === 1 ? 0 : 2;
      expect(scheduledRetryAttempts(spec.everyMinutes)).toBe(retries);
      expect(invokeConfigOf(name)?.Properties?.MaximumRetryAttempts).toBe(retries);
      const rule = rules.find((r) => JSON.stringify(r.Properties?.Targets).includes(idOf(name)));
      const [target] = (rule?.Properties?.Targets ?? []) as { DeadLetterConfig?: { Arn: unknown } }[];
      expect(referencedId(target?.DeadLetterConfig?.Arn)).toBe(failedRunsOf(name));
    },
  );

  it.each(Object.keys(scheduledFunctionSpecs))(
    '%s: an alarm fires when its queue holds a failed run',
    (name) => {
      const queueId = failedRunsOf(name);
      const matching = alarms.filter(
        (alarm) =>
          alarm.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          referencedIds(alarm.Properties?.Dimensions).has(queueId),
      );
      expect(matching).toHaveLength(1);
      expect(matching[0]?.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmName: `vol-is-vol-${stageName}-${name}FailedRuns`,
      });
      expect(matching[0]?.Properties?.AlarmActions).toHaveLength(1);
    },
  );

  it.each(Object.entries(scheduledFunctionSpecs))(
    '%s: a heartbeat alarm (missing data = breaching) exactly when it runs every minute',
    (name, spec) => {
      const heartbeats = alarms.filter(
        (alarm) =>
          alarm.Properties?.MetricName === 'Invocations' &&
          referencedIds(alarm.Properties?.Dimensions).has(idOf(name)),
      );
      if (spec.everyMinutes !== 1) {
        expect(heartbeats).toHaveLength(0);
        return;
      }
      expect(heartbeats).toHaveLength(1);
      expect(heartbeats[0]?.Properties).toMatchObject({
        Statistic: 'Sum',
        Period: 600,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    },
  );

  it('the per-minute functions are the email retry and the promotion sweep', () => {
    const perMinute = Object.entries(scheduledFunctionSpecs)
      .filter(([, spec]) => spec.everyMinutes === 1)
      .map(([name]) => name)
      .sort();
    expect(perMinute).toEqual(['promoteWaitingLists', 'sendDueEmails']);
  });
});
