import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ALERT_LOG_MESSAGES } from '../../lambdas/observability.js';
import { pascalCase } from '../api-functions.js';
import type { MonitoringProps } from './monitoring.js';

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

export type AlarmOptions = {
  description: string;
  metric: cloudwatch.IMetric;
  threshold: number;
  evaluationPeriods?: number;
  /** Default: at or above the threshold. */
  comparisonOperator?: cloudwatch.ComparisonOperator;
  /** Default: no data is no problem (no errors, no throttles). */
  treatMissingData?: cloudwatch.TreatMissingData;
};

/** Adds one alarm (id `<Pascal id>Alarm`, name `<prefix>-<id>`) that notifies the alarm topic. */
export type AddAlarm = (id: string, options: AlarmOptions) => cloudwatch.Alarm;

/** API errors, latency, 4XX rate and stage throttling (429, from the access log); WAF blocks when WAF is on. */
export function addApiAlarms(scope: Construct, props: MonitoringProps, alarm: AddAlarm): void {
  const api = props.api;
  alarm('Api5xx', {
    description: 'The API answered with a server error (5XX): look at the function logs and X-Ray.',
    metric: api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
    threshold: 1,
  });
  alarm('ApiLatencyP99', {
    description: 'p99 latency of the API above 3 s for 15 minutes.',
    metric: api.metricLatency({ period: Duration.minutes(5), statistic: 'p99' }),
    threshold: 3000,
    evaluationPeriods: 3,
  });
  // Validation errors are normal; a quarter of all answers being 4XX for 15 minutes is not (a broken form,
  // a wrong origin, a client in a loop). Below 20 requests in 5 minutes the rate says nothing.
  alarm('Api4xxRate', {
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
    new logs.MetricFilter(scope, 'Api429Filter', {
      logGroup: props.accessLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: alertMetricNamespace(props.stage),
      metricName: 'Api429',
      metricValue: '1',
    });
    alarm('Api429', {
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
    alarm('WafBlockedRequests', {
      description:
        'WAF blocked 100 or more requests in 5 minutes (all rules): an attack, or a rule hitting real users.',
      metric: wafMetric('ALL'),
      threshold: 100,
    });
    // The limits are sized so that no office is ever refused: a refusal by a rate rule is worth a look.
    const rateRules = props.wafRateRules ?? [];
    if (rateRules.length > 0) {
      alarm('WafRateLimited', {
        description: `A WAF rate rule (${rateRules.join(', ')}) refused an address: abuse, or a limit too low for an office.`,
        metric: new cloudwatch.MathExpression({
          expression: rateRules.map((_, index) => `FILL(rate${index},0)`).join(' + '),
          usingMetrics: Object.fromEntries(rateRules.map((rule, index) => [`rate${index}`, wafMetric(rule)])),
          period: Duration.minutes(5),
          label: 'requests refused by rate rules',
        }),
        threshold: 1,
      });
    }
  }
}

/** Errors and throttles of every function. */
export function addFunctionAlarms(props: MonitoringProps, alarm: AddAlarm): void {
  for (const [name, fn] of props.functions) {
    alarm(`${name}Errors`, {
      description: `Function ${name} failed (uncaught error or timeout).`,
      metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
    });
    alarm(`${name}Throttles`, {
      description: `Function ${name} was throttled (concurrency exhausted).`,
      metric: fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
    });
  }
}

/** Failed runs of every scheduled function (its dead-letter queue), and a heartbeat for the per-minute ones. */
export function addScheduleAlarms(props: MonitoringProps, alarm: AddAlarm): void {
  for (const run of props.scheduledRuns ?? []) {
    alarm(`${run.name}FailedRuns`, {
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
    alarm(`${run.name}Heartbeat`, {
      description: `Scheduled function ${run.name} (every minute) has not run for ${HEARTBEAT_WINDOW.toMinutes()} minutes.`,
      metric: fn.function.metricInvocations({ period: HEARTBEAT_WINDOW, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}

/** Table throttles and system errors over all operations; returns both metrics for the dashboard. */
export function addTableAlarms(
  props: MonitoringProps,
  alarm: AddAlarm,
): { tableThrottles: cloudwatch.IMetric; tableSystemErrors: cloudwatch.IMetric } {
  const tableThrottles = sumOverOperations(props.table, 'ThrottledRequests', 'throttled');
  const tableSystemErrors = sumOverOperations(props.table, 'SystemErrors', 'errors');
  alarm('TableThrottledRequests', {
    description: 'DynamoDB throttled requests on the table (the functions retry, clients may see 503).',
    metric: tableThrottles,
    threshold: 1,
  });
  alarm('TableSystemErrors', {
    description: 'DynamoDB answered with system errors (HTTP 500) on the table.',
    metric: tableSystemErrors,
    threshold: 1,
  });
  return { tableThrottles, tableSystemErrors };
}

/**
 * A metric filter per alert log message and function, and an alarm per message; returns the metrics (labelled
 * with their message) for the dashboard.
 */
export function addAlertLogAlarms(
  scope: Construct,
  props: MonitoringProps,
  alarm: AddAlarm,
): cloudwatch.Metric[] {
  const namespace = alertMetricNamespace(props.stage);
  const alertMetrics: cloudwatch.Metric[] = [];
  for (const [key, message] of Object.entries(ALERT_LOG_MESSAGES)) {
    const metricName = alertMetricName(key);
    for (const [name, fn] of props.functions) {
      new logs.MetricFilter(scope, `${metricName}Filter${pascalCase(name)}`, {
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
    alarm(metricName, {
      description: `A function logged "${message}": someone must look at this.`,
      metric,
      threshold: 1,
    });
  }
  return alertMetrics;
}

/**
 * Account-wide SES reputation (published with reputation metrics). AWS reviews an account at 5 % bounces or
 * 0.1 % complaints; these alarms fire well before.
 */
export function addSesAlarms(alarm: AddAlarm): void {
  alarm('SesBounceRate', {
    description: 'SES bounce rate above 2.5 % (AWS reviews the account at 5 %).',
    metric: new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.BounceRate',
      statistic: 'Maximum',
      period: Duration.hours(1),
    }),
    threshold: 0.025,
  });
  alarm('SesComplaintRate', {
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
