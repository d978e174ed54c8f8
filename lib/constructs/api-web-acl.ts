import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { errorBody } from '../gateway-responses.js';

/** Bodies above this size are refused by WAF (413) before they reach a function. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * The registration route as WAF sees the URI path: with the stage name in front on the execute-api
 * endpoint (`/production/events/x/registrations`), without it behind a custom domain.
 */
export const REGISTRATION_PATH_REGEX = '^(/[^/]+)?/events/[^/]+/registrations/?$';

export type ApiWebAclProps = {
  readonly name: string;
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /** Registrations one IP address may post per 5 minutes. */
  readonly registrationRateLimit: number;
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

/**
 * AWS WAF (REGIONAL) for the API stage: a 16 KB body limit, a per-IP rate limit on registrations, and the
 * AWS managed common and known-bad-inputs rule sets. Its own refusals use the project's error shape.
 */
export class ApiWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  /** Metric names (namespace AWS/WAFV2, dimension Rule) per rule. */
  readonly ruleMetricNames: readonly string[];

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);

    const corsHeaders = [
      { name: 'Access-Control-Allow-Origin', value: props.formOrigin },
      { name: 'Vary', value: 'Origin' },
      { name: 'Cache-Control', value: 'no-store' },
    ];

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
      {
        name: 'RegistrationRateLimit',
        priority: 1,
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
            limit: props.registrationRateLimit,
            evaluationWindowSec: 300,
            aggregateKeyType: 'IP',
            scopeDownStatement: {
              andStatement: {
                statements: [
                  {
                    byteMatchStatement: {
                      fieldToMatch: { method: {} },
                      positionalConstraint: 'EXACTLY',
                      searchString: 'POST',
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                  {
                    regexMatchStatement: {
                      fieldToMatch: { uriPath: {} },
                      regexString: REGISTRATION_PATH_REGEX,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                ],
              },
            },
          },
        },
        visibilityConfig: visibility('RegistrationRateLimit'),
      },
      // Its SizeRestrictions_BODY (8 KB) only counts: BodySizeLimit above is the body limit of this API.
      managedRuleGroup('AWSManagedRulesCommonRuleSet', 2, [
        { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
      ]),
      managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 3),
    ];

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'vol-is-vol API: body size limit, registration rate limit, AWS managed rules',
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

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
