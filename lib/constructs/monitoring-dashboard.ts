import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  BUSINESS_METRIC_LABELS,
  BUSINESS_METRICS_NAMESPACE,
} from '../../lambdas/adapters/cloudwatch/business-metrics.js';
import type { BusinessEvent } from '../../lambdas/ports.js';
import { type ApiFunction, POWERTOOLS_SERVICE_NAME } from './api-function.js';
import type { MonitoringProps } from './monitoring.js';

/** Why cfn-lint's E3002 is suppressed on the dashboard (and only there). */
export const DASHBOARD_E3002_REASON =
  'E3002 (Tags unexpected): CloudFormation accepts Tags on AWS::CloudWatch::Dashboard and CDK 2.276 emits the ' +
  "stack's project/stage tags on it, but the schema bundled with cfn-lint predates that property.";

/** The stage's one dashboard: API, functions, table, alarms, alert log messages, WAF and business metrics. */
export function buildDashboard(
  scope: Construct,
  props: MonitoringProps,
  parts: {
    dashboardName: string;
    alarms: cloudwatch.IAlarm[];
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

  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: parts.dashboardName,
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
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 8, alarms: parts.alarms }),
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
      left: [parts.tableThrottles],
    }),
  );
  const last: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({
      title: 'Table system errors',
      width: 8,
      left: [parts.tableSystemErrors],
    }),
    new cloudwatch.GraphWidget({ title: 'Alert log messages', width: 8, left: parts.alertMetrics }),
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

/** The stream-fed email sender, as the dashboard shows it (it is built after the dashboard). */
export type DashboardEmailSender = {
  readonly function: ApiFunction;
  readonly failures: sqs.IQueue;
  readonly alarms: readonly cloudwatch.IAlarm[];
};

/**
 * One row for the email sender: its invocations, errors and p99 duration, how far behind the table's stream it
 * reads (iterator age), the records parked in its failure queue, and its alarms.
 */
export function addEmailSenderWidgets(dashboard: cloudwatch.Dashboard, sender: DashboardEmailSender): void {
  const period = Duration.minutes(5);
  const fn = sender.function.function;
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Email sender: invocations and errors',
      width: 6,
      left: [
        fn.metricInvocations({ period, statistic: 'Sum', label: 'invocations' }),
        fn.metricErrors({ period, statistic: 'Sum', label: 'errors' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Email sender: duration and stream lag (ms)',
      width: 6,
      left: [
        fn.metricDuration({ period, statistic: 'p99', label: 'duration p99' }),
        fn.metric('IteratorAge', { period, statistic: 'Maximum', label: 'iterator age max' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Email sender: failed stream records',
      width: 6,
      left: [
        sender.failures.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: 'Maximum',
          label: 'in the failure queue',
        }),
      ],
    }),
    new cloudwatch.AlarmStatusWidget({ title: 'Email sender alarms', width: 6, alarms: [...sender.alarms] }),
  );
}
