import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export type AnyOccurrenceAlarmOptions = {
  /** Construct id and the alarm name's suffix (`<prefix>-<id>`). */
  readonly id: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly alarmTopic: sns.ITopic;
  readonly prefix: string;
};

/** An alarm on the first occurrence (≥ 1 in one period), telling the topic when it fires and when it clears. */
export function anyOccurrenceAlarm(scope: Construct, options: AnyOccurrenceAlarmOptions): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, `${options.id}Alarm`, {
    alarmName: `${options.prefix}-${options.id}`,
    alarmDescription: options.description,
    metric: options.metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(options.alarmTopic));
  alarm.addOkAction(new cwActions.SnsAction(options.alarmTopic));
  return alarm;
}

/**
 * Where work that failed for good is parked to be seen (an alarm on its depth) and read: encrypted, TLS only,
 * kept 14 days. It is itself a dead-letter queue, which `reason` says for cdk-nag (AwsSolutions-SQS3).
 */
export function failureQueue(scope: Construct, id: string, reason: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  return queue;
}
