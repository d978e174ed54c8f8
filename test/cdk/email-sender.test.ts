/**
 * Delivery off the request path (issue 19): the table's stream feeds the email sender, filtered to new outbox
 * entries, with failures reported per record, bisected, retried a bounded number of times and parked in an
 * encrypted queue with an alarm; only the sender and the retry may send email.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { emailStreamSettings, functionSpecs, scheduledFunctionSpecs } from '../../lambdas/routes.js';
import { EMAIL_SENDER } from '../../lib/api-stack.js';
import {
  actionsOf,
  logicalIdOf,
  propertyOf,
  referencedId,
  resourcesOfType,
  statementsOfFunction,
  synthStage,
} from './helpers.js';

describe.each(['dev', 'production'])('email sender (%s)', (stageName) => {
  const stage = synthStage(stageName);
  const senderId = logicalIdOf(stage.api.functionFor(EMAIL_SENDER).function.node.defaultChild as CfnFunction);
  const mappings = Object.values(resourcesOfType(stage.apiTemplate, 'AWS::Lambda::EventSourceMapping'));
  const sesOf = (name: string) =>
    statementsOfFunction(
      stage.apiTemplate,
      logicalIdOf(stage.api.functionFor(name).function.node.defaultChild as CfnFunction),
    ).filter((statement) => actionsOf(statement).some((action) => action.startsWith('ses:')));

  it('the table has a stream with new images', () => {
    const [table] = Object.values(resourcesOfType(stage.dataTemplate, 'AWS::DynamoDB::Table'));
    expect(propertyOf(table, 'StreamSpecification')).toEqual({ StreamViewType: 'NEW_IMAGE' });
    // Still retained and protected: enabling the stream is an in-place update.
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(propertyOf(table, 'DeletionProtectionEnabled')).toBe(true);
  });

  it('one mapping, from the table stream to the sender, filtered to inserted MAIL# items and message recipient lists', () => {
    expect(mappings).toHaveLength(1);
    const [mapping] = mappings;
    expect(referencedId(propertyOf(mapping, 'FunctionName'))).toBe(senderId);
    expect(JSON.stringify(propertyOf(mapping, 'EventSourceArn'))).toContain('StreamArn');
    const filters = propertyOf<{ Filters: { Pattern: string }[] }>(mapping, 'FilterCriteria').Filters;
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { pk: { S: [{ prefix: 'MAIL#' }] } } } },
      {
        eventName: ['INSERT'],
        dynamodb: {
          NewImage: { pk: { S: [{ prefix: 'MSG#' }] }, sk: { S: [{ prefix: 'RECIPIENTS#' }] } },
        },
      },
    ]);
    expect(propertyOf(mapping, 'StartingPosition')).toBe('LATEST');
  });

  it('reports failures per record, bisects, retries a bounded number of times, then parks the record', () => {
    const [mapping] = mappings;
    expect(propertyOf(mapping, 'FunctionResponseTypes')).toEqual(['ReportBatchItemFailures']);
    expect(propertyOf(mapping, 'BisectBatchOnFunctionError')).toBe(true);
    expect(propertyOf(mapping, 'MaximumRetryAttempts')).toBe(emailStreamSettings.retryAttempts);
    expect(propertyOf(mapping, 'MaximumRecordAgeInSeconds')).toBe(emailStreamSettings.maxRecordAgeSeconds);
    expect(propertyOf(mapping, 'BatchSize')).toBe(emailStreamSettings.batchSize);
    const destination = propertyOf<{ OnFailure: { Destination: unknown } }>(mapping, 'DestinationConfig');
    const queueId = referencedId(destination.OnFailure.Destination);
    const queue = resourcesOfType(stage.apiTemplate, 'AWS::SQS::Queue')[queueId ?? ''];
    expect(propertyOf(queue, 'SqsManagedSseEnabled')).toBe(true);
    const depthAlarms = Object.values(resourcesOfType(stage.apiTemplate, 'AWS::CloudWatch::Alarm')).filter(
      (alarm) =>
        alarm.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(alarm.Properties?.Dimensions).includes(queueId ?? '-'),
    );
    expect(depthAlarms).toHaveLength(1);
    expect(propertyOf(depthAlarms[0], 'AlarmActions')).toBeDefined();
  });

  it('the sender may read the stream and send email; it may not scan or query the outbox index', () => {
    const statements = statementsOfFunction(stage.apiTemplate, senderId);
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator']));
    expect(actions).not.toContain('dynamodb:Scan');
    const ses = sesOf(EMAIL_SENDER);
    expect(ses).toHaveLength(2);
    // SES API v2 SendEmail, on the identity and (where the stage has one) the configuration set.
    const send = ses.find((statement) => actionsOf(statement).includes('ses:SendEmail'));
    expect(send && actionsOf(send)).toEqual(['ses:SendEmail']);
    expect(JSON.stringify(send?.Resource)).toContain(':identity/');
    if (stageName === 'production') expect(JSON.stringify(send?.Resource)).toContain(':configuration-set/');
  });

  it('the senders may read the account send rate (GetAccount) and nothing else of SES beyond sending', () => {
    for (const name of [EMAIL_SENDER, 'sendDueEmails']) {
      const actions = sesOf(name).flatMap(actionsOf).sort();
      expect(actions).toEqual(['ses:GetAccount', 'ses:SendEmail']);
    }
  });

  it('the sender has time to pace a batch to a slow account', () => {
    const sender = resourcesOfType(stage.apiTemplate, 'AWS::Lambda::Function')[senderId];
    expect(propertyOf(sender, 'Timeout')).toBe(emailStreamSettings.timeoutSeconds);
  });

  it('only the sender and the retry may send email: the request functions and the promotion sweep may not', () => {
    for (const name of ['register', 'manage', 'admin', 'promoteWaitingLists']) {
      expect(name in functionSpecs || name in scheduledFunctionSpecs).toBe(true);
      expect(sesOf(name)).toEqual([]);
    }
    expect(sesOf('sendDueEmails')).toHaveLength(2);
  });
  it('the dashboard shows the sender: invocations, errors, stream lag, its failure queue and its alarms', () => {
    const [dashboard] = Object.values(resourcesOfType(stage.apiTemplate, 'AWS::CloudWatch::Dashboard'));
    const body = propertyOf<{ 'Fn::Join': [string, unknown[]] }>(dashboard, 'DashboardBody');
    const parts = body['Fn::Join'][1];
    const text = parts.filter((part) => typeof part === 'string').join('');
    const referenced = parts.map((part) => (typeof part === 'string' ? undefined : referencedId(part)));
    const sender = stage.api.emailSender;
    if (sender === undefined) throw new Error('no email sender');
    const idOf = (construct: IConstruct) =>
      Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
    const queueId = idOf(sender.failures);
    expect(referenced).toContain(senderId);
    expect(referenced).toContain(queueId);
    for (const alarm of sender.alarms) {
      expect(referenced).toContain(idOf(alarm));
    }
    for (const metric of [
      '"Invocations"',
      '"Errors"',
      '"IteratorAge"',
      '"ApproximateNumberOfMessagesVisible"',
    ]) {
      expect(text).toContain(metric);
    }
    expect(text).toContain('Email sender');
  });
});
