import {
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  emailFeedbackFunctionSpec,
  type FunctionName,
  type FunctionSpec,
  functionSpecs,
  type Route,
  type RouteAuth,
  routes,
  type ScheduledFunctionSpec,
  scheduledFunctionSpecs,
} from '../lambdas/routes.js';
import { ApiFunction, type EmailSending } from './constructs/api-function.js';
import { ApiWebAcl } from './constructs/api-web-acl.js';
import { EmailFeedback } from './constructs/email-feedback.js';
import { Monitoring, type ScheduledRun } from './constructs/monitoring.js';
import { ORGANISERS_GROUP } from './data-stack.js';
import { addGatewayResponses } from './gateway-responses.js';
import { functionKinds, reservedConcurrencyOf } from './reserved-concurrency.js';
import { mailFromOf, type StageConfig } from './stage-config.js';

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
};

/** Headers browsers may send cross-origin (the form posts JSON; `Idempotency-Key` makes a retry safe). */
export const CORS_ALLOW_HEADERS = ['Content-Type', 'Authorization', 'Idempotency-Key'];

/**
 * Fields of the JSON access log: enough to trace a request, nothing personal. The resource path is the
 * template (`/registrations/{registrationId}`), never the actual path; no query string, no body, no
 * Authorization header, and no source IP address (personal data under the GDPR; WAF rates by IP without logging it).
 */
export const ACCESS_LOG_FIELDS = {
  requestId: apigateway.AccessLogField.contextRequestId(),
  requestTime: apigateway.AccessLogField.contextRequestTime(),
  httpMethod: apigateway.AccessLogField.contextHttpMethod(),
  resourcePath: apigateway.AccessLogField.contextResourcePath(),
  status: apigateway.AccessLogField.contextStatus(),
  protocol: apigateway.AccessLogField.contextProtocol(),
  responseLength: apigateway.AccessLogField.contextResponseLength(),
  responseLatency: apigateway.AccessLogField.contextResponseLatency(),
  integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
  errorType: apigateway.AccessLogField.contextErrorResponseType(),
  wafResponseCode: apigateway.AccessLogField.contextWafResponseCode(),
} as const;

/** Timeout of a scheduled function (a sweep may take longer than an HTTP answer may). */
export const SCHEDULED_FUNCTION_TIMEOUT = Duration.seconds(60);

/**
 * Why a route without the Cognito authorizer is acceptable (cdk-nag acknowledgement), true for this route in
 * this stage: only routes a WAF rate rule counts, and only where WAF is on, claim one.
 */
export function openRouteReason(route: Route, wafEnabled: boolean): string {
  const rateLimited = route.method !== 'GET';
  const limits = [
    ...(wafEnabled
      ? [
          rateLimited ? 'a WAF rate rule per IP' : 'the WAF IP reputation list and managed rules',
          'the 16 KB body limit',
        ]
      : []),
    'stage throttling',
    'validation of every input in the function',
  ].join(', ');
  switch (route.auth) {
    case 'manage-token':
      return (
        'Attendees have no account: the function checks the manage token from the confirmation email (a random ' +
        `secret of 128+ bits, stored only as a hash) and answers 404 alike for an unknown id and a wrong token; ${limits}.`
      );
    default:
      return `Public route by design: attendees have no account. Abuse is limited by ${limits}.`;
  }
}

/**
 * Method options per credential kind. `none` and `manage-token` routes are open at the gateway
 * (the handler checks the manage token); `admin` routes need the Cognito authorizer.
 */
export function methodOptionsForAuth(
  auth: RouteAuth,
  adminAuthorizer: apigateway.IAuthorizer | undefined,
): apigateway.MethodOptions {
  switch (auth) {
    case 'none':
    case 'manage-token':
      return { authorizationType: apigateway.AuthorizationType.NONE };
    case 'admin':
      if (adminAuthorizer === undefined) {
        throw new Error('Admin routes need an authorizer: pass the organisers `userPool` to ApiStack.');
      }
      return {
        authorizer: adminAuthorizer,
        authorizationType: adminAuthorizer.authorizationType ?? apigateway.AuthorizationType.COGNITO,
      };
  }
}

/** `{eventId}` and the like in a resource path. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1] ?? '').filter((name) => name !== '');
}

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
  /** The admin cursors' signing secret (when a function serves admin routes). */
  readonly cursorSecret: secretsmanager.Secret | undefined;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    // The table comes from the DataStack through a strong reference (Export/ImportValue), stated explicitly:
    // CloudFormation then refuses to delete the data stack while this API still uses its table.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    // After a point-in-time restore the stage may run on the restored table; the Data stack keeps the old one.
    const table =
      config.restoredTableName === undefined
        ? props.table
        : dynamodb.Table.fromTableAttributes(this, 'RestoredTable', {
            tableName: config.restoredTableName,
            encryptionKey: props.tableKey,
          });
    const routeTable = props.routes ?? routes;
    const specs: Readonly<Record<string, FunctionSpec>> = props.functionSpecs ?? functionSpecs;
    const scheduled: Readonly<Record<string, ScheduledFunctionSpec>> =
      props.scheduledFunctionSpecs ?? scheduledFunctionSpecs;

    for (const name of Object.keys(scheduled)) {
      if (name in specs)
        throw new Error(`Function name "${name}" is both a route function and a scheduled one.`);
    }
    for (const name of Object.keys(config.reservedConcurrency.functions)) {
      if (!(name in specs) && !(name in scheduled)) {
        throw new Error(
          `reservedConcurrency.functions names "${name}", which is no function in lambdas/routes.ts.`,
        );
      }
    }

    const kinds = functionKinds(routeTable, specs, scheduled);
    const servesAdmin = new Set(
      routeTable.filter((r) => r.auth === 'admin').map((r) => r.functionName as string),
    );

    // Email: the configuration set (if any) and the one sending grant.
    const allSpecs: [string, FunctionSpec][] = [...Object.entries(specs), ...Object.entries(scheduled)];
    const anySendsEmail = allSpecs.some(([, spec]) => spec.sendsEmail === true);
    const mailFrom = mailFromOf(config.email);
    let configurationSetName: string | undefined;
    const configurationSetMode = config.email.configurationSet;
    if (configurationSetMode.kind === 'create') {
      this.emailConfigurationSet = new ses.ConfigurationSet(this, 'EmailConfigurationSet', {
        reputationMetrics: true,
        sendingEnabled: true,
        tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
        suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      });
      configurationSetName = this.emailConfigurationSet.configurationSetName;
    } else if (configurationSetMode.kind === 'existing') {
      configurationSetName = configurationSetMode.name;
    }
    const emailSending: EmailSending = {
      identityArn: this.formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: config.email.identity,
      }),
      configurationSetArn:
        configurationSetName === undefined
          ? undefined
          : this.formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: configurationSetName,
            }),
      fromAddress: mailFrom.address,
    };
    const emailEnvironment: Record<string, string> = {
      MAIL_FROM: config.email.mailFrom,
      PUBLIC_BASE_URL: config.publicBaseUrl,
      ...(config.email.replyTo === undefined ? {} : { MAIL_REPLY_TO: config.email.replyTo }),
      ...(configurationSetName === undefined ? {} : { SES_CONFIGURATION_SET: configurationSetName }),
    };

    // The admin page cursors' signing key: generated by Secrets Manager at the first deploy, per stage.
    this.cursorSecret =
      servesAdmin.size === 0
        ? undefined
        : new secretsmanager.Secret(this, 'CursorSecret', {
            description: `vol-is-vol ${config.stage}: signs the page cursors of the admin API`,
            generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
            removalPolicy: RemovalPolicy.DESTROY,
          });
    if (this.cursorSecret !== undefined) {
      Validations.of(this.cursorSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Signs short-lived admin page cursors only; no rotation Lambda: a new value (aws secretsmanager ' +
          'put-secret-value, or a redeploy of a replaced secret) only makes open cursors start over at page one.',
      });
    }

    const functions = new Map<string, ApiFunction>();
    for (const [name, spec] of allSpecs) {
      const kind = kinds.get(name) ?? 'route';
      const reserved = reservedConcurrencyOf(config, name, kind);
      const apiFunction = new ApiFunction(this, `${pascalCase(name)}Function`, {
        entry: spec.entry,
        description: spec.description,
        table,
        tableKey: props.tableKey,
        tableAccess: spec.tableAccess,
        logRetention: config.logRetentionDays,
        reservedConcurrentExecutions: reserved,
        timeout: kind === 'scheduled' ? SCHEDULED_FUNCTION_TIMEOUT : undefined,
        emailSending: spec.sendsEmail === true ? emailSending : undefined,
        environment: {
          STAGE: config.stage,
          ALLOWED_ORIGINS: config.allowedOrigins.join(','),
          ...(spec.sendsEmail === true ? emailEnvironment : {}),
          ...(servesAdmin.has(name) ? { ADMIN_GROUP: ORGANISERS_GROUP } : {}),
          ...(servesAdmin.has(name) && this.cursorSecret !== undefined
            ? { CURSOR_SECRET_ARN: this.cursorSecret.secretArn }
            : {}),
        },
      });
      if (servesAdmin.has(name)) this.cursorSecret?.grantRead(apiFunction.function);
      functions.set(name, apiFunction);
    }
    this.functions = functions;

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: config.logRetentionDays });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `vol-is-vol-${config.stage}`,
      description: `vol-is-vol registration API (${config.stage})`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Access logging needs the account-level CloudWatch role; kept when the stack goes, since other
      // stages in the same account rely on the same account setting.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.stage,
        throttlingRateLimit: config.throttling.rateLimit,
        throttlingBurstLimit: config.throttling.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        // Execution logs for errors only, never request or response bodies.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: [...config.allowedOrigins],
        allowMethods: [...new Set(routeTable.map((route) => route.method))],
        allowHeaders: CORS_ALLOW_HEADERS,
        maxAge: Duration.minutes(10),
      },
    });

    // API Gateway creates the execution log group itself, without retention: create it first, with retention.
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${config.stage}`,
      retention: config.logRetentionDays,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    const formOrigin = new URL(config.publicBaseUrl).origin;
    addGatewayResponses(this.api, formOrigin);

    // Bodies are validated by zod in the functions (one schema with the local stack); the gateway checks parameters.
    const requestValidator = this.api.addRequestValidator('ParameterValidator', {
      requestValidatorName: 'parameters',
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Request parameters are validated at the gateway (validator on every method). Bodies are validated in ' +
        'the function by zod, with the same schemas as the local stack, so that every client gets the same ' +
        'error codes (MALFORMED_JSON, VALIDATION_FAILED with a detail per field); ' +
        (config.waf.enabled
          ? 'WAF refuses bodies over 16 KB.'
          : 'the functions refuse bodies over their own size limits (WAF is off in this stage).'),
    });

    const hasAdminRoutes = routeTable.some((route) => route.auth === 'admin');
    const adminAuthorizer =
      hasAdminRoutes && props.userPool !== undefined
        ? new apigateway.CognitoUserPoolsAuthorizer(this, 'OrganiserAuthorizer', {
            authorizerName: `vol-is-vol-${config.stage}-organisers`,
            cognitoUserPools: [props.userPool],
            identitySource: apigateway.IdentitySource.header('Authorization'),
            resultsCacheTtl: Duration.minutes(5),
          })
        : undefined;

    const integrations = new Map<string, apigateway.LambdaIntegration>();
    for (const route of routeTable) {
      const fn = functions.get(route.functionName);
      if (fn === undefined || kinds.get(route.functionName) === 'scheduled') {
        throw new Error(
          `Route ${route.method} ${route.path} names function "${route.functionName}", which has no function spec.`,
        );
      }
      let integration = integrations.get(route.functionName);
      if (integration === undefined) {
        // No test-invoke permission: the console's "Test" button is not a way into production data.
        integration = new apigateway.LambdaIntegration(fn.function, { allowTestInvoke: false });
        integrations.set(route.functionName, integration);
      }
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
        ...methodOptionsForAuth(route.auth, adminAuthorizer),
        requestValidator,
        requestParameters: Object.fromEntries(
          pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]),
        ),
      });
      if (route.auth !== 'admin') {
        const reason = openRouteReason(route, config.waf.enabled);
        Validations.of(method).acknowledge(
          { id: 'AwsSolutions-APIG4', reason },
          { id: 'AwsSolutions-COG4', reason },
        );
      }
    }

    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level logging role: AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS " +
          'documents for it, and API Gateway (not our code) assumes the role.',
      });
    }

    if (config.waf.enabled) {
      this.webAcl = new ApiWebAcl(this, 'WebAcl', {
        name: `vol-is-vol-${config.stage}`,
        stageArn: this.api.deploymentStage.stageArn,
        registrationRateLimit: config.waf.registrationRateLimit,
        routes: routeTable,
        formOrigin,
      });
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: `WAF is switched off for stage ${config.stage} in lib/stage-config.ts (waf.enabled), to save its fixed monthly cost; stage throttling still applies. Stages open to the public have it on.`,
      });
    }

    const schedules = new Map<string, events.Rule>();
    const scheduledRuns: ScheduledRun[] = [];
    for (const [name, spec] of Object.entries(scheduled)) {
      if (!Number.isInteger(spec.everyMinutes) || spec.everyMinutes < 1) {
        throw new Error(`Scheduled function "${name}": everyMinutes must be a whole number ≥ 1.`);
      }
      const fn = functions.get(name)?.function;
      if (fn === undefined) continue;
      const interval = Duration.minutes(spec.everyMinutes);
      // A run that cannot start before the next one is due is dropped: the next run does the same work.
      const maxEventAge = Duration.minutes(Math.min(spec.everyMinutes, 6 * 60));
      // Where a run that failed for good ends up, so that it is seen (an alarm on its depth) and can be read.
      const failedRuns = new sqs.Queue(this, `${pascalCase(name)}FailedRuns`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(failedRuns).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself a dead-letter queue: the on-failure destination of scheduled function ${name} and the dead-letter queue of its EventBridge target. Nothing consumes it; an alarm fires on its depth.`,
      });
      fn.configureAsyncInvoke({
        retryAttempts: scheduledRetryAttempts(spec.everyMinutes),
        maxEventAge,
        onFailure: new destinations.SqsDestination(failedRuns),
      });
      schedules.set(
        name,
        new events.Rule(this, `${pascalCase(name)}Schedule`, {
          description: `Runs ${name} every ${spec.everyMinutes} minute(s): ${spec.description}`,
          schedule: events.Schedule.rate(interval),
          targets: [
            new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge, deadLetterQueue: failedRuns }),
          ],
        }),
      );
      scheduledRuns.push({ name, everyMinutes: spec.everyMinutes, failedRuns });
    }
    this.schedules = schedules;

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      api: this.api,
      functions,
      table,
      accessLogGroup: this.accessLogGroup,
      alarmEmail: config.alarmEmail,
      webAclName: this.webAcl === undefined ? undefined : `vol-is-vol-${config.stage}`,
      wafRateRules: this.webAcl?.rateRuleNames,
      sendsEmail: anySendsEmail,
      scheduledRuns,
    });

    if (configurationSetName !== undefined && anySendsEmail) {
      this.emailFeedback = new EmailFeedback(this, 'EmailFeedback', {
        stage: config.stage,
        configurationSetName,
        table,
        tableKey: props.tableKey,
        logRetention: config.logRetentionDays,
        spec: emailFeedbackFunctionSpec,
        environment: { STAGE: config.stage },
        alarmTopic: this.monitoring.topic,
      });
    }

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
    if (configurationSetName !== undefined) {
      new CfnOutput(this, 'SesConfigurationSet', {
        description: 'SES configuration set of the confirmation emails',
        value: configurationSetName,
      });
    }
  }

  /** The function built for a function spec name. */
  functionFor(name: FunctionName | (string & {})): ApiFunction {
    const fn = this.functions.get(name);
    if (fn === undefined) throw new Error(`No function named "${name}".`);
    return fn;
  }
}

/**
 * Lambda's own retries of a failed scheduled run (after 1, then 2 minutes). A per-minute function gets none:
 * its next run comes sooner and does the same work, and a retry would overlap it. The others get two.
 */
export function scheduledRetryAttempts(everyMinutes: number): number {
  return everyMinutes <= 1 ? 0 : 2;
}

function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
