import {
  CfnOutput,
  CrossStackReferences,
  ReferenceStrength,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import {
  emailFeedbackFunctionSpec,
  emailSenderFunctionSpec,
  type FunctionName,
  type FunctionSpec,
  functionSpecs,
  type Route,
  routes,
  type ScheduledFunctionSpec,
  scheduledFunctionSpecs,
} from '../lambdas/routes.js';
import { type ApiEmail, setUpEmailSending } from './api-email.js';
import { checkFunctionNames, createApiFunctions, createCursorSecret } from './api-functions.js';
import type { ApiFunction } from './constructs/api-function.js';
import { ApiWebAcl } from './constructs/api-web-acl.js';
import { EmailFeedback } from './constructs/email-feedback.js';
import { EmailSender } from './constructs/email-sender.js';
import { Monitoring } from './constructs/monitoring.js';
import { functionKinds } from './reserved-concurrency.js';
import { createRestApi } from './rest-api.js';
import { addSchedules } from './schedules.js';
import type { StageConfig } from './stage-config.js';

// The parts of this stack live in their own files; these re-exports keep `lib/api-stack.ts` their one entry point.
export { SCHEDULED_FUNCTION_TIMEOUT } from './api-functions.js';
export {
  ACCESS_LOG_FIELDS,
  CACHED_EVENT_METHOD,
  CORS_ALLOW_HEADERS,
  methodOptionsForAuth,
  openRouteReason,
  pathParameters,
} from './rest-api.js';
export { scheduledRetryAttempts } from './schedules.js';

export type ApiStackProps = StackProps & {
  readonly config: StageConfig;
  readonly table: dynamodb.ITable;
  /** The table's customer-managed key (stage option `tableKmsKey`); undefined for the AWS-managed key. */
  readonly tableKey?: kms.IKey;
  /**
   * The organisers' user pool: routes with `auth: 'admin'` get a Cognito user pool authorizer on it.
   * Required as soon as the route table holds an admin route; synth fails without it.
   */
  readonly userPool?: cognito.IUserPool;
  /** Route table and function specs; default the ones in `lambdas/routes.ts` (overridable for tests). */
  readonly routes?: readonly Route[];
  readonly functionSpecs?: Readonly<Record<string, FunctionSpec>>;
  readonly scheduledFunctionSpecs?: Readonly<Record<string, ScheduledFunctionSpec>>;
  /** false: no stream-fed email sender (tests of other parts with a small function set). */
  readonly emailSender?: boolean;
};

/** The stream-fed email sender's name among the functions (`functionFor`). */
export const EMAIL_SENDER = 'emailSender';

/**
 * Stateless resources: one Lambda function per function spec, a REST API built from the route table,
 * schedules, WAF, alarms and a dashboard. It can be destroyed and recreated freely; the data lives in the DataStack.
 */
export class ApiStack extends Stack {
  readonly api: apigateway.RestApi;
  readonly functions: ReadonlyMap<string, ApiFunction>;
  readonly accessLogGroup: logs.LogGroup;
  readonly webAcl: ApiWebAcl | undefined;
  readonly monitoring: Monitoring;
  readonly schedules: ReadonlyMap<string, events.Rule>;
  readonly emailConfigurationSet: ses.ConfigurationSet | undefined;
  /** Bounces and complaints of the configuration set; undefined without one. */
  readonly emailFeedback: EmailFeedback | undefined;
  /** The stream-fed email sender; undefined on a table without a stream (a restored table). */
  readonly emailSender: EmailSender | undefined;
  /** The admin cursors' signing secret (when a function serves admin routes). */
  readonly cursorSecret: secretsmanager.Secret | undefined;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    // The table comes from the DataStack through a strong reference (Export/ImportValue), stated explicitly:
    // CloudFormation then refuses to delete the data stack while this API still uses its table.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const table = this.tableInUse(props);
    const routeTable = props.routes ?? routes;
    const specs: Readonly<Record<string, FunctionSpec>> = props.functionSpecs ?? functionSpecs;
    const scheduled: Readonly<Record<string, ScheduledFunctionSpec>> =
      props.scheduledFunctionSpecs ?? scheduledFunctionSpecs;
    checkFunctionNames(config, specs, scheduled);
    const kinds = functionKinds(routeTable, specs, scheduled);
    const servesAdmin = new Set(
      routeTable.filter((r) => r.auth === 'admin').map((r) => r.functionName as string),
    );
    const allSpecs: [string, FunctionSpec][] = [...Object.entries(specs), ...Object.entries(scheduled)];
    const anySendsEmail = allSpecs.some(([, spec]) => spec.sendsEmail === true);

    const email = setUpEmailSending(this, config);
    this.emailConfigurationSet = email.configurationSet;
    this.cursorSecret = createCursorSecret(this, config, servesAdmin);
    const functions = createApiFunctions(this, {
      config,
      table,
      tableKey: props.tableKey,
      specs: allSpecs,
      kinds,
      servesAdmin,
      email,
      cursorSecret: this.cursorSecret,
    });
    this.functions = functions;
    const restApi = createRestApi(this, {
      config,
      routes: routeTable,
      functions: this.functions,
      kinds,
      userPool: props.userPool,
    });
    this.api = restApi.api;
    this.accessLogGroup = restApi.accessLogGroup;
    this.webAcl = this.protectWithWaf(config, routeTable, restApi.formOrigin);
    const schedules = addSchedules(this, scheduled, this.functions);
    this.schedules = schedules.rules;

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      api: this.api,
      functions: this.functions,
      table,
      accessLogGroup: this.accessLogGroup,
      alarmEmail: config.alarmEmail,
      webAclName: this.webAcl === undefined ? undefined : `vol-is-vol-${config.stage}`,
      wafRateRules: this.webAcl?.rateRuleNames,
      sendsEmail: anySendsEmail,
      scheduledRuns: schedules.runs,
    });
    // A restored table (config.restoredTableName) has no stream here: its emails go out by the retry alone.
    this.emailSender =
      table.tableStreamArn === undefined || props.emailSender === false
        ? undefined
        : new EmailSender(this, 'EmailSender', {
            stage: config.stage,
            table,
            tableKey: props.tableKey,
            logRetention: config.logRetentionDays,
            spec: emailSenderFunctionSpec,
            emailSending: email.sending,
            environment: {
              STAGE: config.stage,
              ALLOWED_ORIGINS: config.allowedOrigins.join(','),
              ...email.environment,
            },
            alarmTopic: this.monitoring.topic,
          });
    if (this.emailSender !== undefined) {
      functions.set(EMAIL_SENDER, this.emailSender.function);
      this.monitoring.addEmailSender(this.emailSender);
    }
    this.emailFeedback =
      email.configurationSetName !== undefined && anySendsEmail
        ? new EmailFeedback(this, 'EmailFeedback', {
            stage: config.stage,
            configurationSetName: email.configurationSetName,
            table,
            tableKey: props.tableKey,
            logRetention: config.logRetentionDays,
            spec: emailFeedbackFunctionSpec,
            environment: { STAGE: config.stage },
            alarmTopic: this.monitoring.topic,
          })
        : undefined;
    this.addOutputs(email);
  }

  /** The function built for a function spec name. */
  functionFor(name: FunctionName | (string & {})): ApiFunction {
    const fn = this.functions.get(name);
    if (fn === undefined) throw new Error(`No function named "${name}".`);
    return fn;
  }

  /** After a point-in-time restore the stage may run on the restored table; the Data stack keeps the old one. */
  private tableInUse(props: ApiStackProps): dynamodb.ITable {
    if (props.config.restoredTableName === undefined) return props.table;
    return dynamodb.Table.fromTableAttributes(this, 'RestoredTable', {
      tableName: props.config.restoredTableName,
      encryptionKey: props.tableKey,
    });
  }

  /** The WAF web ACL on the API stage, or (WAF off in this stage) the acknowledgement of its absence. */
  private protectWithWaf(
    config: StageConfig,
    routeTable: readonly Route[],
    formOrigin: string,
  ): ApiWebAcl | undefined {
    if (config.waf.enabled) {
      return new ApiWebAcl(this, 'WebAcl', {
        name: `vol-is-vol-${config.stage}`,
        stageArn: this.api.deploymentStage.stageArn,
        registrationRateLimit: config.waf.registrationRateLimit,
        routes: routeTable,
        formOrigin,
      });
    }
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: `WAF is switched off for stage ${config.stage} in lib/stage-config.ts (waf.enabled), to save its fixed monthly cost; stage throttling still applies. Stages open to the public have it on.`,
    });
    return undefined;
  }

  private addOutputs(email: ApiEmail): void {
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API stage',
      value: this.api.url,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic of the alarms (subscribe more addresses here)',
      value: this.monitoring.topic.topicArn,
    });
    new CfnOutput(this, 'DashboardName', {
      description: 'CloudWatch dashboard',
      value: this.monitoring.dashboard.dashboardName,
    });
    if (email.configurationSetName !== undefined) {
      new CfnOutput(this, 'SesConfigurationSet', {
        description: 'SES configuration set of the confirmation emails',
        value: email.configurationSetName,
      });
    }
  }
}
