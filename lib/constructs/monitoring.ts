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
import { ALERT_LOG_MESSAGES } from '../../lambdas/observability.js';
import type { ApiFunction } from './api-function.js';

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
  readonly alarmEmail?: string;
  /** The web ACL's name, when WAF is on (for the dashboard). */
  readonly webAclName?: string;
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

    const tableThrottles = props.table.metricThrottledRequestsForOperations({
      operations: TABLE_OPERATIONS,
      period: Duration.minutes(5),
    });
    const tableSystemErrors = props.table.metricSystemErrorsForOperations({
      operations: TABLE_OPERATIONS,
      period: Duration.minutes(5),
    });
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
        markdown: `# vol-is-vol ${props.stage}\nAPI, functions, table and alert metrics. Alarms go to the SNS topic of this stack.`,
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
      // One math expression per graph: both use the same per-operation metric ids.
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
    return dashboard;
  }
}

function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
