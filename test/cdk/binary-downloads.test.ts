/**
 * The Excel export through API Gateway (issue 18): the function answers base64 with `isBase64Encoded`, and the
 * REST API must list the XLSX media type as binary, or the gateway hands the browser base64 text instead of a
 * workbook. Only that type: every JSON answer stays text.
 */
import { describe, expect, it } from 'vitest';
import { XLSX_CONTENT_TYPE } from '../../lambdas/adapters/xlsx/registrations-xlsx.js';
import { apiMethods, propertyOf, resourcesOfType, synthStage } from './helpers.js';

describe.each(['dev', 'production'])('binary downloads (%s)', (name) => {
  const { apiTemplate } = synthStage(name);

  it('lists the XLSX type, and only it, among the REST API’s binary media types', () => {
    const [restApi] = Object.values(resourcesOfType(apiTemplate, 'AWS::ApiGateway::RestApi'));
    expect(propertyOf(restApi, 'BinaryMediaTypes')).toEqual([XLSX_CONTENT_TYPE]);
    expect(XLSX_CONTENT_TYPE).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });

  it('serves the XLSX export behind the organisers’ authorizer as a Lambda proxy (the body passes through)', () => {
    const method = apiMethods(apiTemplate).find(
      (m) => m.httpMethod === 'GET' && m.path === '/admin/events/{eventId}/registrations.xlsx',
    );
    expect(method?.properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
    const integration = method?.properties.Integration as Record<string, unknown>;
    expect(integration.Type).toBe('AWS_PROXY');
    // A ContentHandling conversion would turn the function's base64 into something else.
    expect(integration.ContentHandling).toBeUndefined();
  });
});
