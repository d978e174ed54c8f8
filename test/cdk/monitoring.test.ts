import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  BUSINESS_METRIC_LABELS,
  BUSINESS_METRICS_NAMESPACE,
} from '../../lambdas/adapters/cloudwatch/business-metrics.js';
import { ALERT_LOG_MESSAGES } from '../../lambdas/observability.js';
import { functionSpecs, scheduledFunctionSpecs } from '../../lambdas/routes.js';
import { alertMetricName, alertMetricNamespace } from '../../lib/constructs/monitoring.js';
import {
  type CfnResource,
  logicalIdOf,
  referencedId,
  referencedIds,
  resourcesOfType,
  synthStage,
} from './helpers.js';

const functionNames = [...Object.keys(functionSpecs), ...Object.keys(scheduledFunctionSpecs)];

type AlarmProps = {
  AlarmName: string;
  MetricName?: string;
  Namespace?: string;
  Threshold: number;
  ComparisonOperator: string;
  AlarmActions: unknown[];
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: { Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string } } }[];
};

describe.each(['dev', 'acceptance'])('monitoring (%s)', (name) => {
  const stage = synthStage(name);
  const template = stage.apiTemplate;
  const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties as unknown as AlarmProps,
  );
  // The SES bounce and complaint topic (lib/constructs/email-feedback.ts) is no alarm topic.
  const feedbackTopic = stage.api.emailFeedback?.topic.node.defaultChild as CfnFunction | undefined;
  const topics = Object.fromEntries(
    Object.entries(resourcesOfType(template, 'AWS::SNS::Topic')).filter(
      ([id]) => feedbackTopic === undefined || id !== logicalIdOf(feedbackTopic),
    ),
  );
  const topicId = Object.keys(topics)[0] ?? '';

  const alarmOn = (namespace: string, metricName: string, dimension?: string): AlarmProps[] =>
    alarms.filter(
      (alarm) =>
        alarm.Namespace === namespace &&
        alarm.MetricName === metricName &&
        (dimension === undefined || JSON.stringify(alarm.Dimensions ?? []).includes(dimension)),
    );

  it('has one alarm topic, encrypted with its own rotating key, refusing non-TLS publishers', () => {
    expect(Object.keys(topics)).toHaveLength(1);
    const keyId = referencedId(topics[topicId]?.Properties?.KmsMasterKeyId);
    const key = resourcesOfType(template, 'AWS::KMS::Key')[keyId ?? ''];
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key?.Properties?.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    const policy = Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy')).find((p) =>
      referencedIds(p.Properties?.Topics).has(topicId),
    );
    const document = JSON.stringify(policy?.Properties?.PolicyDocument);
    expect(document).toContain('"aws:SecureTransport":"false"');
    // The topic policy replaces SNS's default one: CloudWatch alarms must be allowed to publish explicitly.
    expect(document).toContain('"Service":"cloudwatch.amazonaws.com"');
    expect(document).toContain('aws:SourceAccount');
  });

  it('subscribes the alarm email from the stage config, if any', () => {
    const subscriptions = Object.values(resourcesOfType(template, 'AWS::SNS::Subscription')).filter(
      (subscription) => referencedId(subscription.Properties?.TopicArn) === topicId,
    );
    if (stage.config.alarmEmail === undefined) {
      expect(subscriptions).toHaveLength(0);
    } else {
      expect(subscriptions.map((s) => s.Properties)).toEqual([
        expect.objectContaining({ Protocol: 'email', Endpoint: stage.config.alarmEmail }),
      ]);
    }
  });

  it('every alarm notifies the topic', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions.map(referencedId)).toEqual([topicId]);
      expect(alarm.AlarmName.startsWith(`vol-is-vol-${name}-`)).toBe(true);
    }
  });

  it('alarms on API 5XX errors and p99 latency', () => {
    expect(alarmOn('AWS/ApiGateway', '5XXError')).toHaveLength(1);
    expect(alarmOn('AWS/ApiGateway', 'Latency')).toHaveLength(1);
  });

  it.each(functionNames)('alarms on %s: errors and throttles', (fnName) => {
    const fn = stage.api.functionFor(fnName).function;
    const id = logicalIdOf(fn.node.defaultChild as CfnFunction);
    for (const metric of ['Errors', 'Throttles']) {
      const matching = alarms.filter(
        (a) =>
          a.Namespace === 'AWS/Lambda' &&
          a.MetricName === metric &&
          referencedIds(a.Dimensions ?? []).has(id),
      );
      expect(matching).toHaveLength(1);
      expect(matching[0]?.Threshold).toBe(1);
    }
  });

  it('alarms on DynamoDB throttled requests and system errors of the table', () => {
    for (const metricName of ['ThrottledRequests', 'SystemErrors']) {
      const matching = alarms.filter((a) =>
        (a.Metrics ?? []).some((m) => m.MetricStat?.Metric.MetricName === metricName),
      );
      expect(matching).toHaveLength(1);
      const metrics = matching[0]?.Metrics ?? [];
      expect(metrics.some((m) => m.Expression !== undefined)).toBe(true);
      expect(JSON.stringify(metrics)).toContain('Fn::ImportValue');
    }
  });

  it.each(Object.entries(ALERT_LOG_MESSAGES))(
    'turns the log message of %s into a metric on every function log group, with an alarm at 1',
    (key, message) => {
      const metricName = alertMetricName(key);
      const namespace = alertMetricNamespace(name);
      const filters = Object.values(resourcesOfType(template, 'AWS::Logs::MetricFilter')).filter((filter) =>
        JSON.stringify(filter.Properties?.MetricTransformations).includes(`"MetricName":"${metricName}"`),
      );
      const logGroupIds = functionNames.map((fnName) =>
        logicalIdOf(stage.api.functionFor(fnName).logGroup.node.defaultChild as unknown as CfnFunction),
      );
      expect(filters.map((f) => referencedId(f.Properties?.LogGroupName)).sort()).toEqual(logGroupIds.sort());
      for (const filter of filters) {
        expect(filter.Properties?.FilterPattern).toBe(`{ $.message = "${message}" }`);
        expect(filter.Properties?.MetricTransformations).toEqual([
          { MetricNamespace: namespace, MetricName: metricName, MetricValue: '1' },
        ]);
      }
      const matching = alarmOn(namespace, metricName);
      expect(matching).toHaveLength(1);
      expect(matching[0]).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    },
  );

  it('has a dashboard with the API, the functions, the table and the alert metrics', () => {
    const dashboards = Object.values(
      resourcesOfType(template, 'AWS::CloudWatch::Dashboard'),
    ) as CfnResource[];
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const text of [
      'AWS/ApiGateway',
      'AWS/Lambda',
      'ConsumedWriteCapacityUnits',
      alertMetricNamespace(name),
    ]) {
      expect(body).toContain(text);
    }
    for (const key of Object.keys(ALERT_LOG_MESSAGES)) expect(body).toContain(alertMetricName(key));
  });

  it('graphs every business metric the functions write as EMF, for this stage only', () => {
    const [dashboard] = Object.values(
      resourcesOfType(template, 'AWS::CloudWatch::Dashboard'),
    ) as CfnResource[];
    // The body is a Fn::Join of JSON text and references; the metrics are in the text.
    const body = dashboard?.Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] } | undefined;
    const parts = body?.['Fn::Join'][1] ?? [];
    const text = parts.filter((part) => typeof part === 'string').join('');
    for (const metricName of Object.keys(BUSINESS_METRIC_LABELS)) {
      // As the adapter writes it: namespace, name, and the dimensions service and stage.
      expect(text).toContain(
        JSON.stringify([
          BUSINESS_METRICS_NAMESPACE,
          metricName,
          'service',
          'vol-is-vol',
          'stage',
          name,
        ]).slice(0, -1),
      );
    }
  });
});

describe.each(['dev', 'production'])('alarms that see sparse metrics and refusals (%s)', (name) => {
  const stage = synthStage(name);
  const template = stage.apiTemplate;
  const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties as unknown as AlarmProps & { TreatMissingData?: string },
  );
  const named = (id: string) => alarms.find((alarm) => alarm.AlarmName === `vol-is-vol-${name}-${id}`);

  it.each(['TableThrottledRequests', 'TableSystemErrors'])(
    '%s fills every operation with 0 before summing (DynamoDB publishes only when it happens)',
    (id) => {
      const metrics = named(id)?.Metrics ?? [];
      const [sum] = metrics.filter((metric) => metric.Expression !== undefined);
      const series = metrics.filter((metric) => metric.MetricStat !== undefined);
      expect(series.length).toBeGreaterThanOrEqual(8);
      const terms = String(sum?.Expression).split(' + ');
      expect(terms).toHaveLength(series.length);
      for (const term of terms) expect(term).toMatch(/^FILL\(\w+,0\)$/);
    },
  );

  it('alarms on the API 4XX rate (with a floor of requests), on 429s from the access log', () => {
    const rate = named('Api4xxRate');
    expect(rate?.Threshold).toBe(25);
    const expression = rate?.Metrics?.find((metric) => metric.Expression !== undefined)?.Expression;
    expect(expression).toContain('IF(FILL(requests,0) >= 20');
    expect(JSON.stringify(rate?.Metrics)).toContain('"MetricName":"4XXError"');
    expect(named('Api429')).toMatchObject({ MetricName: 'Api429', Threshold: 1 });
    const filters = Object.values(resourcesOfType(template, 'AWS::Logs::MetricFilter')).filter((filter) =>
      JSON.stringify(filter.Properties?.MetricTransformations).includes('"MetricName":"Api429"'),
    );
    expect(filters).toHaveLength(1);
    expect(filters[0]?.Properties?.FilterPattern).toBe('{ $.status = "429" }');
    expect(referencedId(filters[0]?.Properties?.LogGroupName)).toBe(
      logicalIdOf(stage.api.accessLogGroup.node.defaultChild as unknown as CfnFunction),
    );
  });

  it('alarms on WAF blocks and rate-rule refusals exactly where WAF is on', () => {
    if (!stage.config.waf.enabled) {
      expect(named('WafBlockedRequests')).toBeUndefined();
      expect(named('WafRateLimited')).toBeUndefined();
      return;
    }
    expect(named('WafBlockedRequests')).toMatchObject({
      Namespace: 'AWS/WAFV2',
      MetricName: 'BlockedRequests',
    });
    const limited = JSON.stringify(named('WafRateLimited')?.Metrics);
    expect(limited).toContain('"Value":"RegistrationRateLimit"');
    expect(limited).toContain('"Value":"ManageRateLimit"');
    expect(limited).toContain('FILL(rate0,0) + FILL(rate1,0)');
  });

  it("the alarm topic key lets CloudWatch use it only for this account's alarms", () => {
    const keys = Object.values(resourcesOfType(template, 'AWS::KMS::Key'));
    const statements = keys.flatMap(
      (key) =>
        (key.Properties?.KeyPolicy as { Statement?: Record<string, unknown>[] } | undefined)?.Statement ?? [],
    );
    const cloudWatch = statements.filter((statement) =>
      JSON.stringify(statement.Principal).includes('cloudwatch.amazonaws.com'),
    );
    expect(cloudWatch).toHaveLength(1);
    expect(cloudWatch[0]?.Condition).toEqual({
      StringEquals: {
        'aws:SourceAccount': name === 'production' ? '123456789012' : { Ref: 'AWS::AccountId' },
      },
    });
  });
});
