/**
 * The organisers' dashboard and the door page in AWS (issues 18 and 17): Cognito's managed login with an app
 * client for the pages that is public (no secret), allows the authorization-code flow only (the pages add
 * PKCE), and sends people back only to the site's own `/admin/` and `/checkin.html`; the site serves both with a
 * CSP that lets the page reach the login's token endpoint and nothing else new, and sends `/admin` to `/admin/`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../lib/repo-root.js';
import { DIRECTORY_INDEX_FUNCTION } from '../../lib/web-stack.js';
import { exampleStage, propertyOf, referencedId, resourcesOfType, synthStage } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties, read field by field
type Json = any;

describe.each(['dev', 'production'])('dashboard sign-in (%s)', (name) => {
  const built = synthStage(name);
  const template = built.webTemplate;
  const clients = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolClient'));
  const client = clients.find((c) => propertyOf(c, 'ClientName') === 'organiser-dashboard');
  const siteUrl = name === 'production' ? `https://${exampleStage('production').webDomainName}` : undefined;

  it('is a public client without a secret, for the authorization-code flow only', () => {
    expect(client).toBeDefined();
    expect(propertyOf(client, 'GenerateSecret')).toBe(false);
    expect(propertyOf(client, 'AllowedOAuthFlows')).toEqual(['code']);
    expect(propertyOf(client, 'AllowedOAuthFlowsUserPoolClient')).toBe(true);
    expect(propertyOf<string[]>(client, 'AllowedOAuthScopes')).toEqual(
      expect.arrayContaining(['openid', 'email', 'profile']),
    );
    expect(propertyOf(client, 'SupportedIdentityProviders')).toEqual(['COGNITO']);
    // No password flows: only the managed login (with the pool's MFA) signs in.
    expect(propertyOf<string[]>(client, 'ExplicitAuthFlows')).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    expect(propertyOf(client, 'IdTokenValidity')).toBe(15);
  });

  it('sends people back only to /admin/ and /checkin.html on the site’s own domain, after sign-in and sign-out', () => {
    const callbacks = propertyOf<unknown[]>(client, 'CallbackURLs');
    const logouts = propertyOf<unknown[]>(client, 'LogoutURLs');
    expect(logouts).toEqual(callbacks);
    if (siteUrl) {
      expect(callbacks).toEqual([`${siteUrl}/admin/`, `${siteUrl}/checkin.html`]);
    } else {
      // Without a domain of its own: the distribution's *.cloudfront.net name.
      const [distributionId] = Object.keys(resourcesOfType(template, 'AWS::CloudFront::Distribution'));
      const onSite = (page: string) => ({
        'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, page]],
      });
      expect(callbacks).toEqual([onSite('/admin/'), onSite('/checkin.html')]);
    }
  });

  it('has a managed login domain on the organisers’ pool', () => {
    const domains = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolDomain'));
    expect(domains).toHaveLength(1);
    expect(JSON.stringify(propertyOf(domains[0], 'UserPoolId'))).toContain('Fn::ImportValue');
    expect(JSON.stringify(propertyOf(domains[0], 'Domain'))).toContain(`vol-is-vol-${name}-`);
  });

  it('serves /admin/ as its index.html, with a CSP that adds only the login domain to connect-src', () => {
    const [distribution] = Object.values(resourcesOfType(template, 'AWS::CloudFront::Distribution'));
    const config = propertyOf<Record<string, Json>>(distribution, 'DistributionConfig');
    const behavior = (config.CacheBehaviors as Record<string, Json>[]).find(
      (b) => b.PathPattern === '/admin/*',
    );
    expect(behavior?.ViewerProtocolPolicy).toBe('redirect-to-https');
    const association = behavior?.FunctionAssociations?.[0];
    expect(association?.EventType).toBe('viewer-request');
    const fn = resourcesOfType(template, 'AWS::CloudFront::Function')[
      referencedId(association.FunctionARN) ?? ''
    ];
    expect(propertyOf(fn, 'FunctionCode')).toBe(DIRECTORY_INDEX_FUNCTION);

    const policies = resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const cspOf = (id: string | undefined) =>
      JSON.stringify(
        propertyOf<Record<string, Json>>(policies[id ?? ''], 'ResponseHeadersPolicyConfig')
          .SecurityHeadersConfig.ContentSecurityPolicy,
      );
    const dashboard = cspOf(referencedId(behavior?.ResponseHeadersPolicyId));
    const form = cspOf(referencedId(config.DefaultCacheBehavior.ResponseHeadersPolicyId));
    expect(dashboard).toContain('.auth.');
    expect(dashboard).toContain('amazoncognito.com');
    expect(form).not.toContain('amazoncognito.com');
    expect(dashboard).toContain("frame-ancestors 'none'");
    expect(dashboard).toContain("script-src 'self'");
  });

  it('redirects /admin (which /admin/* does not match) to /admin/ with the same viewer-request function', () => {
    const [distribution] = Object.values(resourcesOfType(template, 'AWS::CloudFront::Distribution'));
    const behaviors = propertyOf<Record<string, Json>>(distribution, 'DistributionConfig')
      .CacheBehaviors as Record<string, Json>[];
    const viewerRequestFunction = (pathPattern: string) => {
      const behavior = behaviors.find((b) => b.PathPattern === pathPattern);
      expect(behavior?.ViewerProtocolPolicy, pathPattern).toBe('redirect-to-https');
      const associations = behavior?.FunctionAssociations as Json[];
      expect(associations.map((a) => a.EventType)).toEqual(['viewer-request']);
      return referencedId(associations[0].FunctionARN);
    };
    const functionId = viewerRequestFunction('/admin');
    expect(functionId).toBeDefined();
    expect(viewerRequestFunction('/admin/*')).toBe(functionId);

    // The function as deployed, run on `/admin?x=1`: a 301 to `/admin/?x=1`.
    const fn = resourcesOfType(template, 'AWS::CloudFront::Function')[functionId ?? ''];
    expect(propertyOf<Json>(fn, 'FunctionConfig').Runtime).toBe('cloudfront-js-2.0');
    const handler = vm.runInNewContext(`${propertyOf<string>(fn, 'FunctionCode')}\nhandler`);
    const response = handler({
      request: { method: 'GET', uri: '/admin', querystring: { x: { value: '1' } } },
    });
    expect(response).toMatchObject({ statusCode: 301, headers: { location: { value: '/admin/?x=1' } } });
  });

  it('serves /checkin.html with its own CSP: the page’s own, connect-src adding only the login domain', () => {
    const [distribution] = Object.values(resourcesOfType(template, 'AWS::CloudFront::Distribution'));
    const config = propertyOf<Record<string, Json>>(distribution, 'DistributionConfig');
    const behavior = (config.CacheBehaviors as Record<string, Json>[]).find(
      (b) => b.PathPattern === '/checkin.html',
    );
    expect(behavior?.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior?.AllowedMethods).toEqual(['GET', 'HEAD']);
    const headers = propertyOf<Record<string, Json>>(
      resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy')[
        referencedId(behavior?.ResponseHeadersPolicyId) ?? ''
      ],
      'ResponseHeadersPolicyConfig',
    );
    // The policy is a Fn::Join of literal parts and the API's and login domain's tokens.
    const parts = headers.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy['Fn::Join'][1];
    const text = (parts as Json[]).map((part) => (typeof part === 'string' ? part : '<token>')).join('');
    const directives = new Map(
      text.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    // connect-src: the page itself, the API (https://<id>.execute-api…) and the managed login (https://<prefix>.auth…).
    const connect = directives.get('connect-src') ?? [];
    expect(connect).toHaveLength(3);
    expect(connect[0]).toBe("'self'");
    expect(connect[1]).toMatch(/^https:\/\/<token>\.execute-api\./);
    expect(connect[2]).toMatch(/^https:\/\/<token>\.auth\.[a-z0-9-]+\.amazoncognito\.com$/);
    // …whose token is the managed login's domain on the organisers' pool.
    const [domainId] = Object.keys(resourcesOfType(template, 'AWS::Cognito::UserPoolDomain'));
    expect(parts).toContainEqual({ Ref: domainId });
    // Everything else as the page's own meta tag says, plus no framing.
    const html = readFileSync(path.join(repoRoot, 'web', 'checkin.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    for (const directive of meta.split(';')) {
      const [name, ...values] = directive.trim().split(/\s+/);
      if (name === 'connect-src') continue;
      expect(directives.get(name), name).toEqual(values);
    }
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    // The camera for this page only; the form keeps it off.
    const permissions = (headers.CustomHeadersConfig.Items as Json[]).find(
      (item) => item.Header === 'Permissions-Policy',
    );
    expect(permissions?.Value).toContain('camera=(self)');
    const formHeaders = propertyOf<Record<string, Json>>(
      resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy')[
        referencedId(config.DefaultCacheBehavior.ResponseHeadersPolicyId) ?? ''
      ],
      'ResponseHeadersPolicyConfig',
    );
    expect(JSON.stringify(formHeaders.CustomHeadersConfig)).toContain('camera=()');
    expect(JSON.stringify(formHeaders.SecurityHeadersConfig)).not.toContain('media-src');
  });
});
