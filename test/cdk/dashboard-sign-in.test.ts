/**
 * The organisers' dashboard in AWS (issue 18): Cognito's managed login with an app client for the page that is
 * public (no secret), allows the authorization-code flow only (the page adds PKCE), and sends people back only
 * to the site's own `/admin/`; the site serves `/admin/` with a CSP that lets the page reach the login's token
 * endpoint and nothing else new.
 */
import { describe, expect, it } from 'vitest';
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

  it('sends people back only to /admin/ on the site’s own domain, after sign-in and sign-out', () => {
    const callbacks = propertyOf<unknown[]>(client, 'CallbackURLs');
    const logouts = propertyOf<unknown[]>(client, 'LogoutURLs');
    expect(callbacks).toHaveLength(1);
    expect(logouts).toEqual(callbacks);
    if (siteUrl) {
      expect(callbacks).toEqual([`${siteUrl}/admin/`]);
    } else {
      // Without a domain of its own: the distribution's *.cloudfront.net name.
      const [distributionId] = Object.keys(resourcesOfType(template, 'AWS::CloudFront::Distribution'));
      expect(callbacks[0]).toEqual({
        'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/admin/']],
      });
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
});
