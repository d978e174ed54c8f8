import {
  CfnOutput,
  CrossStackReferences,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  type FunctionName,
  type FunctionSpec,
  functionSpecs,
  type Route,
  type RouteAuth,
  routes,
} from '../lambdas/routes.js';
import { ApiFunction } from './constructs/api-function.js';
import type { StageConfig } from './stage-config.js';

export type ApiStackProps = StackProps & {
  readonly config: StageConfig;
  readonly table: dynamodb.ITable;
  /**
   * Authorizer for routes with `auth: 'admin'` (the Cognito user pool authorizer, group `organisers`).
   * Required as soon as the route table holds an admin route; synth fails without it.
   */
  readonly adminAuthorizer?: apigateway.IAuthorizer;
  /** Route table and function specs; default the ones in `lambdas/routes.ts` (overridable for tests). */
  readonly routes?: readonly Route[];
  readonly functionSpecs?: Readonly<Record<string, FunctionSpec>>;
};

/** Headers browsers may send cross-origin (the form posts JSON; `Idempotency-Key` makes a retry safe). */
export const CORS_ALLOW_HEADERS = ['Content-Type', 'Authorization', 'Idempotency-Key'];

/** Fields of the JSON access log: enough to trace a request, nothing from the query string or body. */
export const ACCESS_LOG_FIELDS = {
  requestId: apigateway.AccessLogField.contextRequestId(),
  ip: apigateway.AccessLogField.contextIdentitySourceIp(),
  requestTime: apigateway.AccessLogField.contextRequestTime(),
  httpMethod: apigateway.AccessLogField.contextHttpMethod(),
  resourcePath: apigateway.AccessLogField.contextResourcePath(),
  status: apigateway.AccessLogField.contextStatus(),
  responseLength: apigateway.AccessLogField.contextResponseLength(),
  integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
} as const;

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
        throw new Error('Admin routes need an authorizer: pass `adminAuthorizer` to ApiStack.');
      }
      return {
        authorizer: adminAuthorizer,
        authorizationType: adminAuthorizer.authorizationType ?? apigateway.AuthorizationType.COGNITO,
      };
  }
}

/**
 * Stateless resources: one Lambda function per function spec and a REST API built from the route table.
 * It can be destroyed and recreated freely; the data lives in the DataStack.
 */
export class ApiStack extends Stack {
  readonly api: apigateway.RestApi;
  readonly functions: ReadonlyMap<string, ApiFunction>;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, table } = props;
    // The table comes from the DataStack through a strong reference (Export/ImportValue), stated explicitly:
    // CloudFormation then refuses to delete the data stack while this API still uses its table.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const routeTable = props.routes ?? routes;
    const specs: Readonly<Record<string, FunctionSpec>> = props.functionSpecs ?? functionSpecs;

    const functions = new Map<string, ApiFunction>();
    for (const [name, spec] of Object.entries(specs)) {
      functions.set(
        name,
        new ApiFunction(this, `${pascalCase(name)}Function`, {
          entry: spec.entry,
          description: spec.description,
          table,
          tableAccess: spec.tableAccess,
          logRetention: config.logRetentionDays,
          environment: {
            STAGE: config.stage,
            ALLOWED_ORIGINS: config.corsOrigins.join(','),
          },
        }),
      );
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
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: [...config.corsOrigins],
        allowMethods: [...new Set(routeTable.map((route) => route.method))],
        allowHeaders: CORS_ALLOW_HEADERS,
      },
    });

    const integrations = new Map<string, apigateway.LambdaIntegration>();
    for (const route of routeTable) {
      const fn = functions.get(route.functionName);
      if (fn === undefined) {
        throw new Error(
          `Route ${route.method} ${route.path} names function "${route.functionName}", which has no function spec.`,
        );
      }
      let integration = integrations.get(route.functionName);
      if (integration === undefined) {
        integration = new apigateway.LambdaIntegration(fn.function);
        integrations.set(route.functionName, integration);
      }
      this.api.root
        .resourceForPath(route.path)
        .addMethod(route.method, integration, methodOptionsForAuth(route.auth, props.adminAuthorizer));
    }

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API stage',
      value: this.api.url,
    });
  }

  /** The function built for a function spec name. */
  functionFor(name: FunctionName | (string & {})): ApiFunction {
    const fn = this.functions.get(name);
    if (fn === undefined) throw new Error(`No function named "${name}".`);
    return fn;
  }
}

function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
