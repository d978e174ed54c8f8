import { describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes.js';
import { MAX_BODY_BYTES } from '../../lib/constructs/api-web-acl.js';
import { errorBody, GATEWAY_RESPONSES, JSON_CONTENT_TYPE } from '../../lib/gateway-responses.js';
import { referencedId, resourcesOfType, synthStage } from './helpers.js';

type ErrorShape = { error: { code: string; message: string } };

/** The codes a gateway (or WAF) refusal may carry: the API contract's, nothing API Gateway-specific. */
const CONTRACT_CODES = [
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_REQUESTS',
  'VALIDATION_FAILED',
  'UNSUPPORTED_MEDIA_TYPE',
  'BAD_REQUEST',
  'INTERNAL_ERROR',
];

describe('gateway responses', () => {
  const stage = synthStage('test');
  const formOrigin = new URL(stage.config.publicBaseUrl).origin;
  const responses = Object.values(resourcesOfType(stage.apiTemplate, 'AWS::ApiGateway::GatewayResponse'));

  it('covers authorisation, not found, size, throttling and the 4XX/5XX catch-alls', () => {
    const types = responses.map((r) => r.Properties?.ResponseType);
    for (const type of [
      'UNAUTHORIZED',
      'ACCESS_DENIED',
      'MISSING_AUTHENTICATION_TOKEN',
      'REQUEST_TOO_LARGE',
      'THROTTLED',
      'WAF_FILTERED',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
    ]) {
      expect(types).toContain(type);
    }
    expect(types.length).toBe(GATEWAY_RESPONSES.length);
  });

  it.each(GATEWAY_RESPONSES.map((spec) => [spec.type, spec] as const))(
    '%s: status, JSON error body in the contract shape, JSON content type and CORS for the form',
    (type, spec) => {
      const response = responses.find((r) => r.Properties?.ResponseType === type);
      expect(response?.Properties?.StatusCode).toBe(
        spec.statusCode === undefined ? undefined : String(spec.statusCode),
      );
      const templates = response?.Properties?.ResponseTemplates as Record<string, string>;
      const body = JSON.parse(templates['application/json'] ?? '') as ErrorShape;
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe(spec.code);
      expect(CONTRACT_CODES).toContain(body.error.code);
      expect(body.error.message.length).toBeGreaterThan(10);
      const headers = response?.Properties?.ResponseParameters as Record<string, string>;
      expect(headers['gatewayresponse.header.Content-Type']).toBe(`'${JSON_CONTENT_TYPE}'`);
      expect(headers['gatewayresponse.header.Access-Control-Allow-Origin']).toBe(`'${formOrigin}'`);
      expect(headers['gatewayresponse.header.Vary']).toBe("'Origin'");
    },
  );

  it('uses the brief codes for the key refusals', () => {
    const codeOf = (type: string) => GATEWAY_RESPONSES.find((spec) => spec.type === type)?.code;
    expect(codeOf('UNAUTHORIZED')).toBe('UNAUTHORIZED');
    expect(codeOf('ACCESS_DENIED')).toBe('FORBIDDEN');
    expect(codeOf('REQUEST_TOO_LARGE')).toBe('PAYLOAD_TOO_LARGE');
    expect(codeOf('THROTTLED')).toBe('TOO_MANY_REQUESTS');
    expect(codeOf('MISSING_AUTHENTICATION_TOKEN')).toBe('NOT_FOUND');
    expect(codeOf('DEFAULT_5XX')).toBe('INTERNAL_ERROR');
  });

  it('refuses message text that VTL would interpret', () => {
    expect(() => errorBody('NOT_FOUND', 'kost $5')).toThrow(/may not contain/);
    expect(() => errorBody('NOT_FOUND', '#set')).toThrow(/may not contain/);
  });
});

describe('WAF', () => {
  it('dev (waf.enabled false): no web ACL and no association', () => {
    const { apiTemplate } = synthStage('dev');
    apiTemplate.resourceCountIs('AWS::WAFv2::WebACL', 0);
    apiTemplate.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  describe.each(['test', 'production'])('%s (waf.enabled true)', (name) => {
    const stage = synthStage(name);
    const acls = resourcesOfType(stage.apiTemplate, 'AWS::WAFv2::WebACL');
    const [aclId, acl] = Object.entries(acls)[0] ?? [];
    type Rule = { Name: string; Priority: number; Statement: Record<string, unknown>; Action?: unknown };
    const rules = (acl?.Properties?.Rules ?? []) as Rule[];
    const rule = (ruleName: string) => rules.find((r) => r.Name === ruleName);

    it('has one REGIONAL web ACL that allows by default, associated with the API stage', () => {
      expect(Object.keys(acls)).toHaveLength(1);
      expect(acl?.Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
      const associations = Object.values(resourcesOfType(stage.apiTemplate, 'AWS::WAFv2::WebACLAssociation'));
      expect(associations).toHaveLength(1);
      expect(referencedId(associations[0]?.Properties?.WebACLArn)).toBe(aclId);
      const stageId = Object.keys(resourcesOfType(stage.apiTemplate, 'AWS::ApiGateway::Stage'))[0];
      const resourceArn = JSON.stringify(associations[0]?.Properties?.ResourceArn);
      expect(resourceArn).toContain(`"/stages/",{"Ref":"${stageId}"}`);
      const restApiId = Object.keys(resourcesOfType(stage.apiTemplate, 'AWS::ApiGateway::RestApi'))[0];
      expect(resourceArn).toContain(restApiId);
      const association = Object.values(
        stage.apiTemplate.findResources('AWS::WAFv2::WebACLAssociation') as Record<
          string,
          { DependsOn?: string[] }
        >,
      )[0];
      // The Ref to the stage in ResourceArn orders it after the stage; a DependsOn would repeat it (W3005).
      expect(association?.DependsOn ?? []).not.toContain(stageId);
    });

    it('runs the AWS managed common rule set and known bad inputs', () => {
      for (const group of ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']) {
        expect(rule(group)?.Statement).toMatchObject({
          ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group },
        });
      }
    });

    type RateStatement = {
      Limit: number;
      AggregateKeyType: string;
      EvaluationWindowSec: number;
      ScopeDownStatement: { AndStatement: { Statements: Record<string, Record<string, unknown>>[] } };
    };
    const rateStatement = (ruleName: string) => rule(ruleName)?.Statement.RateBasedStatement as RateStatement;
    const methodsOf = (statement: Record<string, Record<string, unknown>> | undefined): string[] => {
      const single = statement?.ByteMatchStatement?.SearchString;
      if (typeof single === 'string') return [single];
      const alternatives = (statement?.OrStatement?.Statements ?? []) as {
        ByteMatchStatement: { SearchString: string };
      }[];
      return alternatives.map((alternative) => alternative.ByteMatchStatement.SearchString);
    };
    /** Whether a rate rule counts this request (method and URI path, with the stage name in front). */
    const counts = (ruleName: string, method: string, uriPath: string): boolean => {
      const [methodMatch, pathMatch] = rateStatement(ruleName).ScopeDownStatement.AndStatement.Statements;
      const regex = new RegExp(String(pathMatch?.RegexMatchStatement?.RegexString));
      return methodsOf(methodMatch).includes(method) && regex.test(uriPath);
    };
    const rateRules = ['RegistrationRateLimit', 'ManageRateLimit'];
    const example = (path: string) => path.replace(/\{[^}]+\}/g, 'x-1');

    it('rate-limits per IP every public route that creates a registration or sends an email, with a 429', () => {
      const writes = routes.filter((route) => route.auth !== 'admin' && route.method !== 'GET');
      // The routes issue 14 names, at least: registration, waiting-list signup, manage PATCH/DELETE, erasure.
      for (const [method, path] of [
        ['POST', '/events/{eventId}/registrations'],
        ['POST', '/events/{eventId}/waiting-list'],
        ['PATCH', '/registrations/{registrationId}'],
        ['DELETE', '/registrations/{registrationId}'],
        ['DELETE', '/registrations/{registrationId}/personal-data'],
      ]) {
        expect(writes.some((route) => route.method === method && route.path === path)).toBe(true);
      }
      for (const route of writes) {
        for (const uriPath of [`/${name}${example(route.path)}`, example(route.path)]) {
          expect(
            rateRules.filter((ruleName) => counts(ruleName, route.method, uriPath)),
            `${route.method} ${uriPath}`,
          ).toHaveLength(1);
        }
      }
      for (const ruleName of rateRules) {
        const statement = rateStatement(ruleName);
        expect(statement).toMatchObject({
          Limit: stage.config.waf.registrationRateLimit,
          AggregateKeyType: 'IP',
          EvaluationWindowSec: 300,
        });
        expect(rule(ruleName)?.Action).toMatchObject({ Block: { CustomResponse: { ResponseCode: 429 } } });
      }
    });

    it('counts no reads and no organiser routes', () => {
      for (const route of routes.filter((r) => r.auth === 'admin' || r.method === 'GET')) {
        for (const ruleName of rateRules) {
          expect(counts(ruleName, route.method, `/${name}${example(route.path)}`), route.path).toBe(false);
        }
      }
      expect(counts('RegistrationRateLimit', 'POST', `/${name}/events/x/registrations/y`)).toBe(false);
    });

    it('registrations: 30 colleagues behind one office address are never refused', () => {
      // Each registers once (a double click or a retry is answered from the idempotency record, but still
      // counts), changes twice and joins a waiting list: 60 creating and 90 managing requests at most.
      expect(stage.config.waf.registrationRateLimit).toBeGreaterThanOrEqual(2 * 30 + 10);
      expect(stage.config.waf.registrationRateLimit).toBeGreaterThanOrEqual(3 * 30 + 10);
    });

    it('blocks addresses on the AWS IP reputation list before any other rule but the body limit', () => {
      const reputation = rule('AWSManagedRulesAmazonIpReputationList');
      expect(reputation?.Statement).toMatchObject({
        ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' },
      });
      expect(reputation?.Priority).toBe(1);
      expect(rules.map((r) => r.Priority)).toEqual([...new Set(rules.map((r) => r.Priority))]);
    });

    it('refuses bodies over 16 KB (and bodies beyond what WAF inspects) with a 413 in the error shape', () => {
      const size = rule('BodySizeLimit');
      expect(size?.Priority).toBe(0);
      expect(size?.Statement.SizeConstraintStatement).toMatchObject({
        FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
        ComparisonOperator: 'GT',
        Size: MAX_BODY_BYTES,
      });
      expect(size?.Action).toMatchObject({ Block: { CustomResponse: { ResponseCode: 413 } } });
      expect(acl?.Properties?.AssociationConfig).toEqual({
        RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_16' } },
      });
    });

    it('its custom responses are JSON in the error shape', () => {
      const bodies = acl?.Properties?.CustomResponseBodies as Record<
        string,
        { ContentType: string; Content: string }
      >;
      expect(Object.keys(bodies).sort()).toEqual(['PayloadTooLarge', 'TooManyRequests']);
      for (const [key, code] of [
        ['PayloadTooLarge', 'PAYLOAD_TOO_LARGE'],
        ['TooManyRequests', 'TOO_MANY_REQUESTS'],
      ] as const) {
        expect(bodies[key]?.ContentType).toBe('APPLICATION_JSON');
        expect((JSON.parse(bodies[key]?.Content ?? '') as ErrorShape).error.code).toBe(code);
      }
    });
  });
});
