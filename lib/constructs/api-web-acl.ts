import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { errorBody } from '../gateway-responses.js';

/** Bodies above this size are refused by WAF (413) before they reach a function. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A route as WAF sees it: method and API Gateway path template (`/events/{eventId}/registrations`). */
export type RateLimitedRoute = { readonly method: string; readonly path: string };

/**
 * The public routes a rate rule must cover: every one that is not a read and needs no organiser login. They
 * create a registration or send an email (registration, waiting-list signup, changing, cancelling, joining
 * or leaving a list, erasing personal data). Those under `/events/` create a registration; the others act on
 * one, with its manage token.
 */
export function rateLimitedRoutes(routes: readonly (RateLimitedRoute & { auth: string })[]): {
  creating: RateLimitedRoute[];
  changing: RateLimitedRoute[];
} {
  const writes = routes.filter((route) => route.auth !== 'admin' && route.method !== 'GET');
  return {
    creating: writes.filter((route) => route.path.startsWith('/events/')),
    changing: writes.filter((route) => !route.path.startsWith('/events/')),
  };
}

/**
 * One regex for the URI paths of these routes as WAF sees them: with the stage name in front on the
 * execute-api endpoint (`/production/events/x/registrations`), without it behind a custom domain.
 */
export function pathRegex(routes: readonly RateLimitedRoute[]): string {
  const templates = [...new Set(routes.map((route) => route.path))].map((path) =>
    path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+'),
  );
  return `^(/[^/]+)?(${templates.join('|')})/?$`;
}

export type ApiWebAclProps = {
  readonly name: string;
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /** Requests one IP address may send per 5 minutes, per rate rule (creating; acting on a registration). */
  readonly registrationRateLimit: number;
  /** The API's routes; the public ones that write get a rate rule (`rateLimitedRoutes`). */
  readonly routes: readonly (RateLimitedRoute & { auth: string })[];
  /** The form's origin, so that the browser can read WAF's own refusals. */
  readonly formOrigin: string;
};

type Visibility = wafv2.CfnWebACL.VisibilityConfigProperty;

function visibility(metricName: string): Visibility {
  return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

function managedRuleGroup(
  name: string,
  priority: number,
  ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[],
): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
    visibilityConfig: visibility(name),
  };
}

function methodIs(method: string): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { method: {} },
      positionalConstraint: 'EXACTLY',
      searchString: method,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

/**
 * A per-IP rate rule over 5 minutes for these routes (their methods, their paths), refusing with 429 in the
 * project's error shape; none without routes. Requests on other routes are not counted.
 */
function rateRule(
  name: string,
  priority: number,
  routes: readonly RateLimitedRoute[],
  limit: number,
  corsHeaders: wafv2.CfnWebACL.CustomHTTPHeaderProperty[],
): wafv2.CfnWebACL.RuleProperty[] {
  const methods = [...new Set(routes.map((route) => route.method))].sort();
  if (methods.length === 0) return [];
  const method =
    methods.length === 1
      ? methodIs(methods[0] as string)
      : { orStatement: { statements: methods.map(methodIs) } };
  const rule: wafv2.CfnWebACL.RuleProperty = {
    name,
    priority,
    action: {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: 'TooManyRequests',
          responseHeaders: [...corsHeaders, { name: 'Retry-After', value: '300' }],
        },
      },
    },
    statement: {
      rateBasedStatement: {
        limit,
        evaluationWindowSec: 300,
        aggregateKeyType: 'IP',
        scopeDownStatement: {
          andStatement: {
            statements: [
              method,
              {
                regexMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  regexString: pathRegex(routes),
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            ],
          },
        },
      },
    },
    visibilityConfig: visibility(name),
  };
  return [rule];
}

/**
 * AWS WAF (REGIONAL) for the API stage: a 16 KB body limit, the AWS IP reputation list, per-IP rate limits on
 * every public route that writes (creating registrations; acting on one), and the AWS managed common and
 * known-bad-inputs rule sets. Its own refusals use the project's error shape.
 */
export class ApiWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  /** Metric names (namespace AWS/WAFV2, dimension Rule) per rule. */
  readonly ruleMetricNames: readonly string[];
  /** Metric names of the rate rules. */
  readonly rateRuleNames: readonly string[];

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);

    const corsHeaders = [
      { name: 'Access-Control-Allow-Origin', value: props.formOrigin },
      { name: 'Vary', value: 'Origin' },
      { name: 'Cache-Control', value: 'no-store' },
    ];

    const { creating, changing } = rateLimitedRoutes(props.routes);
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: 'BodySizeLimit',
        priority: 0,
        action: {
          block: {
            customResponse: {
              responseCode: 413,
              customResponseBodyKey: 'PayloadTooLarge',
              responseHeaders: corsHeaders,
            },
          },
        },
        statement: {
          sizeConstraintStatement: {
            // A body beyond what WAF inspects (16 KB, set below) counts as too large as well.
            fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
            comparisonOperator: 'GT',
            size: MAX_BODY_BYTES,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        visibilityConfig: visibility('BodySizeLimit'),
      },
      // Known-bad addresses (bots, reconnaissance, DDoS sources by AWS threat intelligence) never get through.
      managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 1),
      ...rateRule('RegistrationRateLimit', 2, creating, props.registrationRateLimit, corsHeaders),
      ...rateRule('ManageRateLimit', 3, changing, props.registrationRateLimit, corsHeaders),
      // Its SizeRestrictions_BODY (8 KB) only counts: BodySizeLimit above is the body limit of this API.
      managedRuleGroup('AWSManagedRulesCommonRuleSet', 4, [
        { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
      ]),
      managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 5),
    ];

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'vol-is-vol API: body size limit, IP reputation, rate limits per IP, AWS managed rules',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_16' } } },
      customResponseBodies: {
        PayloadTooLarge: { contentType: 'APPLICATION_JSON', content: errorBody('PAYLOAD_TOO_LARGE') },
        TooManyRequests: { contentType: 'APPLICATION_JSON', content: errorBody('TOO_MANY_REQUESTS') },
      },
      rules,
    });
    this.ruleMetricNames = rules.map((rule) => (rule.visibilityConfig as Visibility).metricName);
    this.rateRuleNames = rules
      .filter(
        (rule) => (rule.statement as wafv2.CfnWebACL.StatementProperty).rateBasedStatement !== undefined,
      )
      .map((rule) => (rule.visibilityConfig as Visibility).metricName);

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
