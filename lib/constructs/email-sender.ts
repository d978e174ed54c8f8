import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  emailStreamSettings,
  type FunctionSpec,
  messageRecipientsFilter,
  newOutboxEntryFilter,
} from '../../lambdas/routes.js';
import { type AnyOccurrenceAlarmOptions, anyOccurrenceAlarm, failureQueue } from './alarms.js';
import { ApiFunction, type EmailSending } from './api-function.js';

export type EmailSenderProps = {
  readonly stage: string;
  /** The table, with its stream (NEW_IMAGE). */
  readonly table: dynamodb.ITable;
  readonly tableKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** `emailSenderFunctionSpec` of `lambdas/routes.ts`. */
  readonly spec: FunctionSpec;
  readonly emailSending: EmailSending;
  readonly environment: Readonly<Record<string, string>>;
  readonly alarmTopic: sns.ITopic;
};

/**
 * The email sender: the table's stream, filtered to new outbox entries (`MAIL#` inserts), feeds the function
 * that sends them. A record that fails is reported alone (ReportBatchItemFailures), a failing batch is split
 * (bisect), retries are bounded, and what still fails is parked in an encrypted queue with an alarm on its
 * depth; the entry itself stays in the table, where the per-minute retry (`sendDueEmails`) sends it.
 */
export class EmailSender extends Construct {
  readonly function: ApiFunction;
  readonly failures: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: EmailSenderProps) {
    super(scope, id);
    this.failures = failureQueue(
      this,
      'FailedRecords',
      'This queue is itself the on-failure destination of the email sender (stream records that failed ' +
        'after their retries; the outbox entries stay in the table for the retry); it is alarmed on.',
    );

    this.function = new ApiFunction(this, 'Function', {
      entry: props.spec.entry,
      description: props.spec.description,
      table: props.table,
      tableKey: props.tableKey,
      tableAccess: props.spec.tableAccess,
      logRetention: props.logRetention,
      emailSending: props.emailSending,
      environment: props.environment,
      // A batch paced to a slow account (the sandbox's 1 email/s, shared) or a message list fanned out.
      timeout: Duration.seconds(emailStreamSettings.timeoutSeconds),
    });
    this.function.function.addEventSource(
      new sources.DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        // New outbox entries to send; new recipient lists of an organisers' message to fan out (issue 16).
        filters: [
          lambda.FilterCriteria.filter(newOutboxEntryFilter),
          lambda.FilterCriteria.filter(messageRecipientsFilter),
        ],
        batchSize: emailStreamSettings.batchSize,
        maxBatchingWindow: Duration.seconds(emailStreamSettings.maxBatchingWindowSeconds),
        parallelizationFactor: emailStreamSettings.parallelizationFactor,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: emailStreamSettings.retryAttempts,
        maxRecordAge: Duration.seconds(emailStreamSettings.maxRecordAgeSeconds),
        onFailure: new sources.SqsDlq(this.failures),
      }),
    );

    const prefix = `vol-is-vol-${props.stage}`;
    this.alarm('EmailSenderErrors', {
      description: 'The email sender failed: emails go out later, by the per-minute retry. Look at its logs.',
      metric: this.function.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      alarmTopic: props.alarmTopic,
      prefix,
    });
    this.alarm('EmailSenderFailedRecords', {
      description:
        'Stream records of new emails failed after their retries and wait in the failure queue; the emails ' +
        'themselves are sent by the per-minute retry. Look at the sender logs.',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      alarmTopic: props.alarmTopic,
      prefix,
    });
  }

  private alarm(id: string, options: Omit<AnyOccurrenceAlarmOptions, 'id'>): void {
    this.alarms.push(anyOccurrenceAlarm(this, { id, ...options }));
  }
}
