import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BUSINESS_METRIC_LABELS,
  BUSINESS_METRICS_NAMESPACE,
} from '../../lambdas/adapters/cloudwatch/business-metrics.js';
import { ALERT_LOG_MESSAGES } from '../../lambdas/observability.js';
import type { BusinessEvent } from '../../lambdas/ports.js';
import { type ApiFunction, POWERTOOLS_SERVICE_NAME } from './api-function.js';

/** The CloudWatch metric (namespace `VolIsVol/<stage>`) fed by each alert log message. */
export function alertMetricName(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/**
 * Custom metrics live in one namespace per stage: metric filters cannot add a constant dimension, and two
 * stages in one account must not set off each other's alarms.
 */
export function alertMetricNamespace(stage: string): string {
  return `VolIsVol/${stage}`;
}

/** Why cfn-lint's E3002 is suppressed on the dashboard (and only there). */
export const DASHBOARD_E3002_REASON =
  'E3002 (Tags unexpected): CloudFormation accepts Tags on AWS::CloudWatch::Dashboard and CDK 2.276 emits the ' +
  "stack's project/stage tags on it, but the schema bundled with cfn-lint predates that property.";

/** Table operations the functions use; their throttles and system errors are summed into one alarm each. */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
  dynamodb.Operation.TRANSACT_GET_ITEMS,
];

/** A scheduled function as monitoring sees it: how often it runs and where its failed runs go. */
export type ScheduledRun = {
  readonly name: string;
  readonly everyMinutes: number;
  readonly failedRuns: sqs.IQueue;
};

/** A per-minute function that has not run for this long pages someone (missing data counts as not running). */
export const HEARTBEAT_WINDOW = Duration.minutes(10);

export type MonitoringProps = {
  readonly stage: string;
  readonly api: apigateway.RestApi;
  readonly functions: ReadonlyMap<string, ApiFunction>;
  readonly table: dynamodb.ITable;
  /** The API's JSON access log (its `status` field feeds the 429 metric). */
  readonly accessLogGroup?: logs.ILogGroup;
  readonly alarmEmail?: string;
  /** The web ACL's name, when WAF is on (dashboard and block alarms). */
  readonly webAclName?: string;
  /** Its rate rules' metric names. */
  readonly wafRateRules?: readonly string[];
  /** Whether any function sends email (adds the SES reputation alarms). */
  readonly sendsEmail: boolean;
  /** The scheduled functions: an alarm on each one's failed runs, a heartbeat for the per-minute ones. */
  readonly scheduledRuns?: readonly ScheduledRun[];
};

/**
 * Alarms → one encrypted SNS topic (email subscription from the stage config), metric filters for the alert
 * log messages, and one dashboard with the API, the functions, the table and those metrics.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.prefix = `vol-is-vol-${props.stage}`;

    // CloudWatch cannot publish to a topic under the AWS-managed SNS key: the topic has its own key.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: `${this.prefix}: encryption of the alarm topic`,
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
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `vol-is-vol ${props.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // The topic policy (TLS only) replaces SNS's default policy: allow CloudWatch alarms of this account explicitly.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (props.alarmEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const api = props.api;
    this.alarm('Api5xx', {
      description: 'The API answered with a server error (5XX): look at the function logs and X-Ray.',
      metric: api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
    });
    this.alarm('ApiLatencyP99', {
      description: 'p99 latency of the API above 3 s for 15 minutes.',
      metric: api.metricLatency({ period: Duration.minutes(5), statistic: 'p99' }),
      threshold: 3000,
      evaluationPeriods: 3,
    });
    // Validation errors are normal; a quarter of all answers being 4XX for 15 minutes is not (a broken form,
    // a wrong origin, a client in a loop). Below 20 requests in 5 minutes the rate says nothing.
    this.alarm('Api4xxRate', {
      description:
        'More than 25 % of API answers were 4XX for 15 minutes (with at least 20 requests per 5 minutes): a broken form, CORS, or a client in a loop.',
      metric: new cloudwatch.MathExpression({
        expression: 'IF(FILL(requests,0) >= 20, 100 * FILL(clientErrors,0) / FILL(requests,0), 0)',
        usingMetrics: {
          requests: api.metricCount({ statistic: 'Sum' }),
          clientErrors: api.metricClientError({ statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
        label: '4XX rate (%)',
      }),
      threshold: 25,
      evaluationPeriods: 3,
    });
    if (props.accessLogGroup !== undefined) {
      // API Gateway's stage throttling answers 429 before any function runs: only the access log sees it.
      new logs.MetricFilter(this, 'Api429Filter', {
        logGroup: props.accessLogGroup,
        filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
        metricNamespace: alertMetricNamespace(props.stage),
        metricName: 'Api429',
        metricValue: '1',
      });
      this.alarm('Api429', {
        description: 'The API refused requests with 429 (stage throttling): attendees were turned away.',
        metric: new cloudwatch.Metric({
          namespace: alertMetricNamespace(props.stage),
          metricName: 'Api429',
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 1,
      });
    }
    if (props.webAclName !== undefined) {
      const wafMetric = (rule: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: props.webAclName ?? '', Region: api.stack.region, Rule: rule },
          statistic: 'Sum',
          period: Duration.minutes(5),
        });
      this.alarm('WafBlockedRequests', {
        description:
          'WAF blocked 100 or more requests in 5 minutes (all rules): an attack, or a rule hitting real users.',
        metric: wafMetric('ALL'),
        threshold: 100,
      });
      // The limits are sized so that no office is ever refused: a refusal by a rate rule is worth a look.
      const rateRules = props.wafRateRules ?? [];
      if (rateRules.length > 0) {
        this.alarm('WafRateLimited', {
          description: `A WAF rate rule (${rateRules.join(', ')}) refused an address: abuse, or a limit too low for an office.`,
          metric: new cloudwatch.MathExpression({
            expression: rateRules.map((_, index) => `FILL(rate${index},0)`).join(' + '),
            usingMetrics: Object.fromEntries(
              rateRules.map((rule, index) => [`rate${index}`, wafMetric(rule)]),
            ),
            period: Duration.minutes(5),
            label: 'requests refused by rate rules',
          }),
          threshold: 1,
        });
      }
    }

    for (const [name, fn] of props.functions) {
      this.alarm(`${name}Errors`, {
        description: `Function ${name} failed (uncaught error or timeout).`,
        metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
      });
      this.alarm(`${name}Throttles`, {
        description: `Function ${name} was throttled (concurrency exhausted).`,
        metric: fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
      });
    }

    for (const run of props.scheduledRuns ?? []) {
      this.alarm(`${run.name}FailedRuns`, {
        description: `Scheduled function ${run.name} failed for good (after its retries) or could not be started: the event is in its dead-letter queue.`,
        metric: run.failedRuns.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
      });
      if (run.everyMinutes !== 1) continue;
      const fn = props.functions.get(run.name);
      if (fn === undefined) continue;
      // A stopped schedule (rule disabled, deleted, or the function unable to start) sends no data at all.
      this.alarm(`${run.name}Heartbeat`, {
        description: `Scheduled function ${run.name} (every minute) has not run for ${HEARTBEAT_WINDOW.toMinutes()} minutes.`,
        metric: fn.function.metricInvocations({ period: HEARTBEAT_WINDOW, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }

    const tableThrottles = sumOverOperations(props.table, 'ThrottledRequests', 'throttled');
    const tableSystemErrors = sumOverOperations(props.table, 'SystemErrors', 'errors');
    this.alarm('TableThrottledRequests', {
      description: 'DynamoDB throttled requests on the table (the functions retry, clients may see 503).',
      metric: tableThrottles,
      threshold: 1,
    });
    this.alarm('TableSystemErrors', {
      description: 'DynamoDB answered with system errors (HTTP 500) on the table.',
      metric: tableSystemErrors,
      threshold: 1,
    });

    const namespace = alertMetricNamespace(props.stage);
    const alertMetrics: cloudwatch.Metric[] = [];
    for (const [key, message] of Object.entries(ALERT_LOG_MESSAGES)) {
      const metricName = alertMetricName(key);
      for (const [name, fn] of props.functions) {
        new logs.MetricFilter(this, `${metricName}Filter${pascal(name)}`, {
          logGroup: fn.logGroup,
          filterPattern: logs.FilterPattern.stringValue('$.message', '=', message),
          metricNamespace: namespace,
          metricName,
          metricValue: '1',
        });
      }
      const metric = new cloudwatch.Metric({
        namespace,
        metricName,
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
      alertMetrics.push(metric.with({ label: message }));
      this.alarm(metricName, {
        description: `A function logged "${message}": someone must look at this.`,
        metric,
        threshold: 1,
      });
    }

    if (props.sendsEmail) {
      // Account-wide SES reputation (published with reputation metrics). AWS reviews an account at 5 %
      // bounces or 0.1 % complaints; these alarms fire well before.
      this.alarm('SesBounceRate', {
        description: 'SES bounce rate above 2.5 % (AWS reviews the account at 5 %).',
        metric: new cloudwatch.Metric({
          namespace: 'AWS/SES',
          metricName: 'Reputation.BounceRate',
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold: 0.025,
      });
      this.alarm('SesComplaintRate', {
        description: 'SES complaint rate above 0.05 % (AWS reviews the account at 0.1 %).',
        metric: new cloudwatch.Metric({
          namespace: 'AWS/SES',
          metricName: 'Reputation.ComplaintRate',
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold: 0.0005,
      });
    }

    this.dashboard = this.buildDashboard(props, { tableThrottles, tableSystemErrors, alertMetrics });
  }

  private alarm(
    id: string,
    options: {
      description: string;
      metric: cloudwatch.IMetric;
      threshold: number;
      evaluationPeriods?: number;
      /** Default: at or above the threshold. */
      comparisonOperator?: cloudwatch.ComparisonOperator;
      /** Default: no data is no problem (no errors, no throttles). */
      treatMissingData?: cloudwatch.TreatMissingData;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `${pascal(id)}Alarm`, {
      alarmName: `${this.prefix}-${id}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator:
        options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
    alarm.addOkAction(new cwActions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  private buildDashboard(
    props: MonitoringProps,
    metrics: {
      tableThrottles: cloudwatch.IMetric;
      tableSystemErrors: cloudwatch.IMetric;
      alertMetrics: cloudwatch.IMetric[];
    },
  ): cloudwatch.Dashboard {
    const period = Duration.minutes(5);
    const api = props.api;
    const functions = [...props.functions.entries()];
    const perFunction = (
      label: string,
      pick: (fn: ApiFunction) => cloudwatch.IMetric,
    ): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title: label,
        width: 8,
        left: functions.map(([name, fn]) => (pick(fn) as cloudwatch.Metric).with({ label: name, period })),
      });

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.prefix,
      defaultInterval: Duration.hours(6),
    });
    // cfn-lint's bundled schema lags CloudFormation here: this resource only, not the check everywhere.
    const cfnDashboard = dashboard.node.defaultChild as cloudwatch.CfnDashboard;
    cfnDashboard.addMetadata('cfn-lint', { config: { ignore_checks: ['E3002'] } });
    cfnDashboard.addMetadata('cfn-lint-reason', DASHBOARD_E3002_REASON);
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# vol-is-vol ${props.stage}\nAPI, functions, table, alert and business metrics. Alarms go to the SNS topic of this stack.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        width: 8,
        left: [
          api.metricCount({ period, statistic: 'Sum', label: 'requests' }),
          api.metricClientError({ period, statistic: 'Sum', label: '4XX' }),
          api.metricServerError({ period, statistic: 'Sum', label: '5XX' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        width: 8,
        left: [
          api.metricLatency({ period, statistic: 'p50', label: 'p50' }),
          api.metricLatency({ period, statistic: 'p99', label: 'p99' }),
          api.metricIntegrationLatency({ period, statistic: 'p99', label: 'integration p99' }),
        ],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 8, alarms: this.alarms }),
    );
    dashboard.addWidgets(
      perFunction('Invocations', (fn) => fn.function.metricInvocations({ statistic: 'Sum' })),
      perFunction('Errors', (fn) => fn.function.metricErrors({ statistic: 'Sum' })),
      perFunction('Throttles', (fn) => fn.function.metricThrottles({ statistic: 'Sum' })),
    );
    dashboard.addWidgets(
      perFunction('Duration p99 (ms)', (fn) => fn.function.metricDuration({ statistic: 'p99' })),
      new cloudwatch.GraphWidget({
        title: 'Table capacity consumed',
        width: 8,
        left: [
          props.table.metricConsumedReadCapacityUnits({ period, statistic: 'Sum', label: 'RCU' }),
          props.table.metricConsumedWriteCapacityUnits({ period, statistic: 'Sum', label: 'WCU' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Table throttled requests',
        width: 8,
        left: [metrics.tableThrottles],
      }),
    );
    const last: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Table system errors',
        width: 8,
        left: [metrics.tableSystemErrors],
      }),
      new cloudwatch.GraphWidget({ title: 'Alert log messages', width: 8, left: metrics.alertMetrics }),
    ];
    if (props.webAclName !== undefined) {
      const waf = (metricName: string, label: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/WAFV2',
          metricName,
          dimensionsMap: { WebACL: props.webAclName ?? '', Region: api.stack.region, Rule: 'ALL' },
          statistic: 'Sum',
          period,
          label,
        });
      last.push(
        new cloudwatch.GraphWidget({
          title: 'WAF',
          width: 8,
          left: [waf('AllowedRequests', 'allowed'), waf('BlockedRequests', 'blocked')],
        }),
      );
    }
    dashboard.addWidgets(...last);
    dashboard.addWidgets(...businessWidgets(props.stage, period));
    return dashboard;
  }
}

/**
 * A table metric summed over the operations the functions use. DynamoDB publishes these metrics only when
 * something happened, so each series is filled with 0: a sum over partly missing series would be missing too,
 * and an alarm would never see the one operation that was throttled.
 */
function sumOverOperations(
  table: dynamodb.ITable,
  metricName: string,
  idPrefix: string,
): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(
    TABLE_OPERATIONS.map((operation, index) => [
      `${idPrefix}${index}`,
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.tableName, Operation: operation },
        statistic: 'Sum',
      }),
    ]),
  );
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id},0)`)
      .join(' + '),
    usingMetrics,
    period: Duration.minutes(5),
    label: `${metricName} (all operations)`,
  });
}

function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The business metrics the functions write as EMF (lambdas/adapters/cloudwatch/business-metrics.ts), summed
 * over every function of the stage: registrations on the left, emails on the right.
 */
function businessWidgets(stage: string, period: Duration): cloudwatch.GraphWidget[] {
  const metric = (name: BusinessEvent) =>
    new cloudwatch.Metric({
      namespace: BUSINESS_METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: POWERTOOLS_SERVICE_NAME, stage },
      statistic: 'Sum',
      period,
      label: BUSINESS_METRIC_LABELS[name],
    });
  return [
    new cloudwatch.GraphWidget({
      title: 'Registrations',
      width: 12,
      left: (
        ['RegistrationsConfirmed', 'RegistrationsRefusedFull', 'WaitingListSignups', 'Promotions'] as const
      ).map(metric),
    }),
    new cloudwatch.GraphWidget({
      title: 'Emails',
      width: 12,
      left: (['EmailsSent', 'EmailsFailed', 'EmailsDeferred'] as const).map(metric),
    }),
  ];
}
