import { Duration, type Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ScheduledFunctionSpec } from '../lambdas/routes.js';
import { pascalCase } from './api-functions.js';
import type { ApiFunction } from './constructs/api-function.js';
import type { ScheduledRun } from './constructs/monitoring.js';

/**
 * Lambda's own retries of a failed scheduled run (after 1, then 2 minutes). A per-minute function gets none:
 * its next run comes sooner and does the same work, and a retry would overlap it. The others get two.
 */
export function scheduledRetryAttempts(everyMinutes: number): number {
  return everyMinutes <= 1 ? 0 : 2;
}

export type Schedules = {
  readonly rules: Map<string, events.Rule>;
  /** What monitoring alarms on: each scheduled function with its failed-runs queue. */
  readonly runs: ScheduledRun[];
};

/**
 * An EventBridge rule per scheduled function, and a queue for its runs that failed for good (both Lambda's
 * on-failure destination and the rule target's dead-letter queue).
 */
export function addSchedules(
  stack: Stack,
  scheduled: Readonly<Record<string, ScheduledFunctionSpec>>,
  functions: ReadonlyMap<string, ApiFunction>,
): Schedules {
  const rules = new Map<string, events.Rule>();
  const runs: ScheduledRun[] = [];
  for (const [name, spec] of Object.entries(scheduled)) {
    if (!Number.isInteger(spec.everyMinutes) || spec.everyMinutes < 1) {
      throw new Error(`Scheduled function "${name}": everyMinutes must be a whole number ≥ 1.`);
    }
    const fn = functions.get(name)?.function;
    if (fn === undefined) continue;
    const interval = Duration.minutes(spec.everyMinutes);
    // A run that cannot start before the next one is due is dropped: the next run does the same work.
    const maxEventAge = Duration.minutes(Math.min(spec.everyMinutes, 6 * 60));
    // Where a run that failed for good ends up, so that it is seen (an alarm on its depth) and can be read.
    const failedRuns = new sqs.Queue(stack, `${pascalCase(name)}FailedRuns`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(failedRuns).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself a dead-letter queue: the on-failure destination of scheduled function ${name} and the dead-letter queue of its EventBridge target. Nothing consumes it; an alarm fires on its depth.`,
    });
    fn.configureAsyncInvoke({
      retryAttempts: scheduledRetryAttempts(spec.everyMinutes),
      maxEventAge,
      onFailure: new destinations.SqsDestination(failedRuns),
    });
    rules.set(
      name,
      new events.Rule(stack, `${pascalCase(name)}Schedule`, {
        description: `Runs ${name} every ${spec.everyMinutes} minute(s): ${spec.description}`,
        schedule: events.Schedule.rate(interval),
        targets: [
          new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge, deadLetterQueue: failedRuns }),
        ],
      }),
    );
    runs.push({ name, everyMinutes: spec.everyMinutes, failedRuns });
  }
  return { rules, runs };
}
