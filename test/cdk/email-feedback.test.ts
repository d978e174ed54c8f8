import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { emailFeedbackFunctionSpec } from '../../lambdas/routes.js';
import { WRITE_ACTIONS } from '../../lib/table-access.js';
import {
  actionsOf,
  type CfnResource,
  logicalIdOf,
  type PolicyStatementJson,
  propertyOf,
  referencedId,
  referencedIds,
  resourcesOfType,
  statementsOfFunction,
  synthStage,
} from './helpers.js';

type AlarmProps = {
  AlarmName: string;
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  AlarmActions: unknown[];
  Threshold: number;
};

describe('SES bounces and complaints (acceptance: a configuration set of its own)', () => {
  const stage = synthStage('acceptance');
  const template = stage.apiTemplate;
  const feedback = stage.api.emailFeedback;
  const stack = stage.api;
  if (feedback === undefined) throw new Error('acceptance has a configuration set: feedback expected');
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    logicalIdOf(construct.node.defaultChild as CfnFunction);
  const topicId = id(feedback.topic);
  const functionId = id(feedback.function.function);
  const queueId = id(feedback.failures);
  const configurationSetId = id(stack.emailConfigurationSet as never);

  it('the configuration set publishes bounces and complaints, and only those, to the feedback topic', () => {
    const destinations = Object.values(
      resourcesOfType(template, 'AWS::SES::ConfigurationSetEventDestination'),
    );
    expect(destinations).toHaveLength(1);
    const properties = destinations[0]?.Properties as {
      ConfigurationSetName: unknown;
      EventDestination: {
        Enabled: boolean;
        MatchingEventTypes: string[];
        SnsDestination: { TopicARN: unknown };
      };
    };
    expect(referencedId(properties.ConfigurationSetName)).toBe(configurationSetId);
    expect(properties.EventDestination.Enabled).toBe(true);
    expect([...properties.EventDestination.MatchingEventTypes].sort()).toEqual(['bounce', 'complaint']);
    expect(referencedId(properties.EventDestination.SnsDestination.TopicARN)).toBe(topicId);
  });

  it('the topic is encrypted with its own rotating key that SES of this account may use', () => {
    const topic = resourcesOfType(template, 'AWS::SNS::Topic')[topicId];
    const keyId = referencedId(topic?.Properties?.KmsMasterKeyId);
    const key = resourcesOfType(template, 'AWS::KMS::Key')[keyId ?? ''];
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    const statements = propertyOf<{ Statement: PolicyStatementJson[] }>(key, 'KeyPolicy').Statement;
    const ses = statements.find((s) => JSON.stringify(s).includes('ses.amazonaws.com'));
    expect(actionsOf(ses as PolicyStatementJson).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(JSON.stringify(ses?.Condition)).toContain('aws:SourceAccount');
    expect(JSON.stringify(ses?.Condition)).toContain(':configuration-set/');
  });

  it('only SES, for this account and configuration set, may publish; TLS only', () => {
    const policy = Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy')).find((p) =>
      referencedIds(p.Properties?.Topics).has(topicId),
    );
    const statements = propertyOf<{ Statement: PolicyStatementJson[] }>(policy, 'PolicyDocument').Statement;
    const publish = statements.filter((s) => s.Effect === 'Allow');
    expect(publish).toHaveLength(1);
    expect(JSON.stringify(publish[0])).toContain('ses.amazonaws.com');
    expect(JSON.stringify(publish[0]?.Condition)).toContain('AWS:SourceAccount');
    expect(JSON.stringify(publish[0]?.Condition)).toContain(':configuration-set/');
    expect(JSON.stringify(statements)).toContain('"aws:SecureTransport":"false"');
  });

  it('the feedback function is subscribed to the topic and may be invoked by it', () => {
    const subscription = Object.values(resourcesOfType(template, 'AWS::SNS::Subscription')).find(
      (s) => referencedId(s.Properties?.TopicArn) === topicId,
    );
    expect(subscription?.Properties?.Protocol).toBe('lambda');
    expect(referencedId(subscription?.Properties?.Endpoint)).toBe(functionId);
    const permission = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission')).find(
      (p) => referencedId(p.Properties?.FunctionName) === functionId,
    );
    expect(permission?.Properties).toMatchObject({ Principal: 'sns.amazonaws.com' });
    expect(referencedId(permission?.Properties?.SourceArn)).toBe(topicId);
  });

  it('the function may only update registrations: no reads, no index, no other partition, no SES', () => {
    expect(emailFeedbackFunctionSpec.tableAccess).toEqual({
      readKeyPrefixes: [],
      writeKeyPrefixes: ['REG#'],
      queryIndexPartitions: [],
    });
    const statements = statementsOfFunction(template, functionId);
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0] as PolicyStatementJson).sort()).toEqual([...WRITE_ACTIONS].sort());
    expect(dynamo[0]?.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual(['REG#*']);
    const all = statements.flatMap(actionsOf);
    expect(all.filter((a) => a.startsWith('ses:'))).toEqual([]);
    // The customer-managed table key, only through DynamoDB.
    const kms = statements.find((s) => actionsOf(s).includes('kms:Encrypt'));
    expect(JSON.stringify(kms?.Condition)).toContain('kms:ViaService');
  });

  it('events that still fail after two retries go to an encrypted queue, alarmed on', () => {
    const config = Object.values(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')).find(
      (c) => referencedId(c.Properties?.FunctionName) === functionId,
    );
    expect(config?.Properties?.MaximumRetryAttempts).toBe(2);
    const onFailure = propertyOf<{ OnFailure: { Destination: unknown } }>(config, 'DestinationConfig')
      .OnFailure.Destination;
    expect(referencedId(onFailure)).toBe(queueId);
    const queue = resourcesOfType(template, 'AWS::SQS::Queue')[queueId] as CfnResource;
    expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    const role = statementsOfFunction(template, functionId).find((s) =>
      actionsOf(s).includes('sqs:SendMessage'),
    );
    expect(referencedId((role?.Resource as unknown[] | undefined)?.[0] ?? role?.Resource)).toBe(queueId);
  });

  it('alarms on the function failing and on failed events, to the alarm topic', () => {
    const alarmTopicId = id(stack.monitoring.topic);
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties as unknown as AlarmProps,
    );
    const errors = alarms.find((a) => a.AlarmName === 'vol-is-vol-acceptance-EmailFeedbackErrors');
    expect(errors).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1 });
    expect(referencedIds(errors?.Dimensions).has(functionId)).toBe(true);
    const failed = alarms.find((a) => a.AlarmName === 'vol-is-vol-acceptance-EmailFeedbackFailedEvents');
    expect(failed).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' });
    expect(referencedIds(failed?.Dimensions).has(queueId)).toBe(true);
    for (const alarm of [errors, failed])
      expect(referencedIds(alarm?.AlarmActions).has(alarmTopicId)).toBe(true);
  });

  it('has the SES reputation alarms and the "sender not ready" alarm', () => {
    const names = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map(
      (a) => (a.Properties as unknown as AlarmProps).AlarmName,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'vol-is-vol-acceptance-SesBounceRate',
        'vol-is-vol-acceptance-SesComplaintRate',
        'vol-is-vol-acceptance-SesNotReady',
      ]),
    );
  });
});

describe('without a configuration set (dev)', () => {
  it('has no event destination, topic subscription or feedback function', () => {
    const stage = synthStage('dev');
    expect(stage.api.emailFeedback).toBeUndefined();
    expect(resourcesOfType(stage.apiTemplate, 'AWS::SES::ConfigurationSetEventDestination')).toEqual({});
    const descriptions = Object.values(resourcesOfType(stage.apiTemplate, 'AWS::Lambda::Function')).map(
      (fn) => fn.Properties?.Description,
    );
    expect(descriptions).not.toContain(emailFeedbackFunctionSpec.description);
  });
});
