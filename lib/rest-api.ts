import { Duration, RemovalPolicy, type Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { XLSX_CONTENT_TYPE } from '../lambdas/adapters/xlsx/registrations-xlsx.js';
import type { Route, RouteAuth } from '../lambdas/routes.js';
import type { ApiFunction } from './constructs/api-function.js';
import { addGatewayResponses } from './gateway-responses.js';
import type { FunctionKind } from './reserved-concurrency.js';
import type { StageConfig } from './stage-config.js';

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

export type RestApiProps = {
  readonly config: StageConfig;
  readonly routes: readonly Route[];
  readonly functions: ReadonlyMap<string, ApiFunction>;
  readonly kinds: ReadonlyMap<string, FunctionKind>;
  readonly userPool: cognito.IUserPool | undefined;
};

/** The one cached method (stage `methodOptions` key: resource path, then method). */
export const CACHED_EVENT_METHOD = '/events/{eventId}/GET';
const EVENT_CACHE_KEYS = ['method.request.path.eventId', 'method.request.header.Accept-Language'] as const;

function isCachedEventRoute(route: Route): boolean {
  return route.method === 'GET' && route.path === '/events/{eventId}';
}

export type RestApi = {
  readonly api: apigateway.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  /** The origin of the registration form (`publicBaseUrl`), the one the gateway's own answers allow. */
  readonly formOrigin: string;
};

/**
 * The REST API from the route table: its stage with access and execution logs, gateway responses, parameter
 * validation, the organisers' authorizer, and one method per route on the route's function.
 */
export function createRestApi(stack: Stack, props: RestApiProps): RestApi {
  const { config } = props;
  const accessLogGroup = new logs.LogGroup(stack, 'AccessLogs', { retention: config.logRetentionDays });
  const eventCacheSeconds = config.eventCacheSeconds ?? 0;
  const api = new apigateway.RestApi(stack, 'Api', {
    restApiName: `vol-is-vol-${config.stage}`,
    description: `vol-is-vol registration API (${config.stage})`,
    endpointTypes: [apigateway.EndpointType.REGIONAL],
    // The XLSX export: the function answers base64, and the gateway sends it as bytes (only this type, so
    // every JSON answer stays text).
    binaryMediaTypes: [XLSX_CONTENT_TYPE],
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
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogGroup),
      accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      // The read path during a rush: everyone watching seats reads the same event, so the stage caches it
      // briefly (about one function invocation per second per event); no other method is cached.
      ...(eventCacheSeconds > 0
        ? {
            cacheClusterEnabled: true,
            cacheClusterSize: '0.5',
            methodOptions: {
              [CACHED_EVENT_METHOD]: {
                cachingEnabled: true,
                cacheTtl: Duration.seconds(eventCacheSeconds),
                cacheDataEncrypted: true,
              },
            },
          }
        : {}),
    },
    defaultCorsPreflightOptions: {
      allowOrigins: [...config.allowedOrigins],
      allowMethods: [...new Set(props.routes.map((route) => route.method))],
      allowHeaders: CORS_ALLOW_HEADERS,
      maxAge: Duration.minutes(10),
    },
  });

  // API Gateway creates the execution log group itself, without retention: create it first, with retention.
  const executionLogs = new logs.LogGroup(stack, 'ExecutionLogs', {
    logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${config.stage}`,
    retention: config.logRetentionDays,
  });
  api.deploymentStage.node.addDependency(executionLogs);

  const formOrigin = new URL(config.publicBaseUrl).origin;
  addGatewayResponses(api, formOrigin);
  addRouteMethods(stack, api, props);
  acknowledgeCloudWatchRole(api);
  return { api, accessLogGroup, formOrigin };
}

/** One method per route, parameters validated at the gateway, admin routes behind the Cognito authorizer. */
function addRouteMethods(stack: Stack, api: apigateway.RestApi, props: RestApiProps): void {
  const { config, functions, kinds } = props;
  const cached = (route: Route) => (config.eventCacheSeconds ?? 0) > 0 && isCachedEventRoute(route);
  // Bodies are validated by zod in the functions (one schema with the local stack); the gateway checks parameters.
  const requestValidator = api.addRequestValidator('ParameterValidator', {
    requestValidatorName: 'parameters',
    validateRequestParameters: true,
    validateRequestBody: false,
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      'Request parameters are validated at the gateway (validator on every method). Bodies are validated in ' +
      'the function by zod, with the same schemas as the local stack, so that every client gets the same ' +
      'error codes (MALFORMED_JSON, VALIDATION_FAILED with a detail per field); ' +
      (config.waf.enabled
        ? 'WAF refuses bodies over 16 KB.'
        : 'the functions refuse bodies over their own size limits (WAF is off in this stage).'),
  });

  const hasAdminRoutes = props.routes.some((route) => route.auth === 'admin');
  const adminAuthorizer =
    hasAdminRoutes && props.userPool !== undefined
      ? new apigateway.CognitoUserPoolsAuthorizer(stack, 'OrganiserAuthorizer', {
          authorizerName: `vol-is-vol-${config.stage}-organisers`,
          cognitoUserPools: [props.userPool],
          identitySource: apigateway.IdentitySource.header('Authorization'),
          resultsCacheTtl: Duration.minutes(5),
        })
      : undefined;

  const integrations = new Map<string, apigateway.LambdaIntegration>();
  for (const route of props.routes) {
    const fn = functions.get(route.functionName);
    if (fn === undefined || kinds.get(route.functionName) === 'scheduled') {
      throw new Error(
        `Route ${route.method} ${route.path} names function "${route.functionName}", which has no function spec.`,
      );
    }
    let integration = integrations.get(route.functionName);
    if (integration === undefined) {
      // No test-invoke permission: the console's "Test" button is not a way into production data.
      integration = new apigateway.LambdaIntegration(fn.function, {
        allowTestInvoke: false,
        // A cached method answers per event and per language (its error messages are localised).
        ...(cached(route) ? { cacheKeyParameters: [...EVENT_CACHE_KEYS] } : {}),
      });
      integrations.set(route.functionName, integration);
    }
    const method = api.root.resourceForPath(route.path).addMethod(route.method, integration, {
      ...methodOptionsForAuth(route.auth, adminAuthorizer),
      requestValidator,
      requestParameters: {
        ...Object.fromEntries(
          pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]),
        ),
        ...(cached(route) ? { 'method.request.header.Accept-Language': false } : {}),
      },
    });
    if (route.auth !== 'admin') {
      const reason = openRouteReason(route, config.waf.enabled);
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions-APIG4', reason },
        { id: 'AwsSolutions-COG4', reason },
      );
    }
  }
}

function acknowledgeCloudWatchRole(api: apigateway.RestApi): void {
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole === undefined) return;
  Validations.of(cloudWatchRole).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      "API Gateway's account-level logging role: AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS " +
      'documents for it, and API Gateway (not our code) assumes the role.',
  });
}
