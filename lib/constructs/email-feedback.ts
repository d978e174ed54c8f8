import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../../lambdas/routes.js';
import { type AnyOccurrenceAlarmOptions, anyOccurrenceAlarm, failureQueue } from './alarms.js';
import { ApiFunction } from './api-function.js';

/** SES events that say something lasting about an address. */
export const FEEDBACK_EVENT_TYPES = [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT];

export type EmailFeedbackProps = {
  readonly stage: string;
  readonly configurationSetName: string;
  readonly table: dynamodb.ITable;
  readonly tableKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** The function that marks registrations (`emailFeedbackFunctionSpec` in `lambdas/routes.ts`). */
  readonly spec: FunctionSpec;
  readonly environment: Readonly<Record<string, string>>;
  /** Where the alarms of this construct go (the stack's alarm topic). */
  readonly alarmTopic: sns.ITopic;
};

/**
 * Bounces and complaints: the configuration set publishes them to an encrypted SNS topic, a function marks the
 * registration (`emailState`), and what it cannot handle after Lambda's retries lands in an encrypted queue.
 * Alarms: the function's errors and a message in that queue.
 */
export class EmailFeedback extends Construct {
  readonly topic: sns.Topic;
  readonly function: ApiFunction;
  readonly failures: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: EmailFeedbackProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = `vol-is-vol-${props.stage}`;
    const configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: props.configurationSetName,
    });

    // SES cannot publish to a topic under the AWS-managed SNS key: the topic has its own key.
    const key = new kms.Key(this, 'TopicKey', {
      description: `${prefix}: encryption of the SES bounce and complaint topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesPublishesFeedback',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': configurationSetArn },
        },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `vol-is-vol ${props.stage} SES bounces and complaints`,
      masterKey: key,
      enforceSSL: true,
    });
    // Adds the topic policy: SES may publish, from this account's configuration set only.
    new ses.ConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSet: ses.ConfigurationSet.fromConfigurationSetName(
        this,
        'ConfigurationSet',
        props.configurationSetName,
      ),
      destination: ses.EventDestination.snsTopic(this.topic),
      events: FEEDBACK_EVENT_TYPES,
      enabled: true,
    });

    this.failures = failureQueue(
      this,
      'FailedEvents',
      'This queue is itself the dead-letter destination of the feedback function (failed SES events after ' +
        "Lambda's retries); it is alarmed on and read by people, so it needs no dead-letter queue of its own.",
    );

    this.function = new ApiFunction(this, 'Function', {
      entry: props.spec.entry,
      description: props.spec.description,
      table: props.table,
      tableKey: props.tableKey,
      tableAccess: props.spec.tableAccess,
      logRetention: props.logRetention,
      environment: props.environment,
    });
    this.function.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.failures),
    });
    this.topic.addSubscription(new subscriptions.LambdaSubscription(this.function.function));

    this.alarm('EmailFeedbackErrors', {
      description: 'The SES bounce and complaint function failed: registrations may miss their email state.',
      metric: this.function.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      alarmTopic: props.alarmTopic,
      prefix,
    });
    this.alarm('EmailFeedbackFailedEvents', {
      description:
        'SES bounce or complaint events gave up after retries and wait in the failure queue: look at the ' +
        'function logs, fix, and redrive the queue.',
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
