import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { pascalCase } from '../api-functions.js';
import type { ApiFunction } from './api-function.js';
import {
  type AlarmOptions,
  addAlertLogAlarms,
  addApiAlarms,
  addFunctionAlarms,
  addScheduleAlarms,
  addSesAlarms,
  addTableAlarms,
  type ScheduledRun,
} from './monitoring-alarms.js';
import { addEmailSenderWidgets, buildDashboard, type DashboardEmailSender } from './monitoring-dashboard.js';
import { alarmTopic } from './monitoring-topic.js';

export {
  alertMetricName,
  alertMetricNamespace,
  HEARTBEAT_WINDOW,
  type ScheduledRun,
} from './monitoring-alarms.js';
export { DASHBOARD_E3002_REASON } from './monitoring-dashboard.js';

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
 *
 * The parts (monitoring-topic.ts, monitoring-alarms.ts, monitoring-dashboard.ts) add their resources to this
 * construct, in this order, so construct ids and the template do not depend on the split.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.prefix = `vol-is-vol-${props.stage}`;
    this.topic = alarmTopic(this, { stage: props.stage, prefix: this.prefix, alarmEmail: props.alarmEmail });

    const alarm = this.alarm.bind(this);
    addApiAlarms(this, props, alarm);
    addFunctionAlarms(props, alarm);
    addScheduleAlarms(props, alarm);
    const { tableThrottles, tableSystemErrors } = addTableAlarms(props, alarm);
    const alertMetrics = addAlertLogAlarms(this, props, alarm);
    if (props.sendsEmail) addSesAlarms(alarm);

    this.dashboard = buildDashboard(this, props, {
      dashboardName: this.prefix,
      alarms: this.alarms,
      tableThrottles,
      tableSystemErrors,
      alertMetrics,
    });
  }

  /** The stream-fed email sender's row on the dashboard (the sender is built after this construct). */
  addEmailSender(sender: DashboardEmailSender): void {
    addEmailSenderWidgets(this.dashboard, sender);
  }

  private alarm(id: string, options: AlarmOptions): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `${pascalCase(id)}Alarm`, {
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
}
