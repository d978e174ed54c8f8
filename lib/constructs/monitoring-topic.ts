import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/** The encrypted SNS topic every alarm goes to, with the email subscription from the stage config. */
export function alarmTopic(
  scope: Construct,
  options: { stage: string; prefix: string; alarmEmail?: string },
): sns.Topic {
  // CloudWatch cannot publish to a topic under the AWS-managed SNS key: the topic has its own key.
  const key = new kms.Key(scope, 'AlarmTopicKey', {
    description: `${options.prefix}: encryption of the alarm topic`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      // Only for alarms of this account (the confused-deputy guard AWS recommends for service principals).
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    displayName: `vol-is-vol ${options.stage} alarms`,
    masterKey: key,
    enforceSSL: true,
  });
  // The topic policy (TLS only) replaces SNS's default policy: allow CloudWatch alarms of this account explicitly.
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  if (options.alarmEmail !== undefined) {
    topic.addSubscription(new subscriptions.EmailSubscription(options.alarmEmail));
  }
  return topic;
}
