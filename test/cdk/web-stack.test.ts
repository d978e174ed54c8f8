import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ApiStack } from '../../lib/api-stack.js';
import { DataStack } from '../../lib/data-stack.js';
import { repoRoot } from '../../lib/repo-root.js';
import { loadStageConfig, type StageConfig, stageConfigs, stageNames } from '../../lib/stage-config.js';
import { addComplianceChecks } from '../../lib/vol-is-vol-app.js';
import { contentSecurityPolicy, WebStack } from '../../lib/web-stack.js';
import {
  type CfnResource,
  configWith,
  exampleStage,
  propertyOf,
  referencedId,
  resourcesOfType,
  SKIP_BUNDLING,
  synthStage,
  webAssetDir,
} from './helpers.js';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

function only(template: Template, type: string): [string, CfnResource] {
  const entries = Object.entries(resourcesOfType(template, type));
  expect(entries, type).toHaveLength(1);
  return entries[0] as [string, CfnResource];
}

/** The Api stack's export that a `Fn::ImportValue` names, as the Api template's output value. */
function exportedValue(apiTemplate: Template, importValue: unknown): unknown {
  const name = (importValue as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
  const outputs = apiTemplate.toJSON().Outputs as Record<
    string,
    { Value: unknown; Export?: { Name: string } }
  >;
  return Object.values(outputs).find((output) => output.Export?.Name === name)?.Value;
}

describe('web stack (the form on CloudFront)', () => {
  const stage = synthStage('dev');
  const template = stage.webTemplate;
  const [bucketId, bucket] = only(template, 'AWS::S3::Bucket');
  const [distributionId, distribution] = only(template, 'AWS::CloudFront::Distribution');
  const config = propertyOf<Record<string, unknown>>(distribution, 'DistributionConfig');
  const behavior = config.DefaultCacheBehavior as Record<string, unknown>;
  const restApiId = stage.api.getLogicalId(stage.api.api.node.defaultChild as CfnElement);

  it('is its own stack per stage', () => {
    for (const name of stageNames) {
      expect(synthStage(name).web.stackName).toBe(`VolIsVol-${name}-Web`);
    }
  });

  it('keeps the bucket private, encrypted and TLS-only', () => {
    expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties?.WebsiteConfiguration).toBeUndefined();
    const [, policy] = only(template, 'AWS::S3::BucketPolicy');
    const statements = propertyOf<{ Statement: Record<string, unknown>[] }>(
      policy,
      'PolicyDocument',
    ).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    // The one Allow: CloudFront, for this distribution only, reading objects.
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0]?.Action).toBe('s3:GetObject');
    expect(JSON.stringify(allows[0]?.Condition)).toContain(`{"Ref":"${distributionId}"}`);
  });

  it('reaches the bucket through origin access control, not a public website endpoint', () => {
    const [oacId, oac] = only(template, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties?.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const origins = config.Origins as Record<string, unknown>[];
    expect(origins).toHaveLength(1);
    expect(referencedId(origins[0]?.OriginAccessControlId)).toBe(oacId);
    expect(referencedId(origins[0]?.DomainName)).toBe(bucketId);
    expect(origins[0]?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  it('redirects HTTP to HTTPS, serves index.html at the root and only allows GET and HEAD', () => {
    expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.ViewerCertificate).toBeUndefined();
  });

  it('sends the security headers through a response headers policy', () => {
    // The default behavior's policy (the dashboard at /admin/ has its own: dashboard-sign-in.test.ts).
    const policyId = referencedId(behavior.ResponseHeadersPolicyId) ?? '';
    const policy = resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy')[policyId];
    expect(policy).toBeDefined();
    const headers = propertyOf<{ SecurityHeadersConfig: Record<string, unknown> }>(
      policy,
      'ResponseHeadersPolicyConfig',
    ).SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 31_536_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    const csp = JSON.stringify(headers.ContentSecurityPolicy);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' https://");
    expect(csp).toContain('.execute-api.eu-west-1.');
    // The API's id comes from the Api stack.
    const join = (
      headers.ContentSecurityPolicy as { ContentSecurityPolicy: { 'Fn::Join': [string, unknown[]] } }
    ).ContentSecurityPolicy['Fn::Join'][1];
    const imported = join.find(
      (part) => typeof part === 'object' && part !== null && 'Fn::ImportValue' in part,
    );
    expect(exportedValue(stage.apiTemplate, imported)).toEqual({ Ref: restApiId });
  });

  it("keeps the pages' own CSP, narrowing connect-src to the API and forbidding framing", () => {
    const directives = (policy: string) =>
      new Map(
        policy
          .split(';')
          .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
          .map(([k, ...v]) => [k, v]),
      );
    const header = directives(contentSecurityPolicy('https://abc.execute-api.eu-west-1.amazonaws.com'));
    const html = readFileSync(path.join(repoRoot, 'web', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    for (const [name, values] of directives(meta ?? '')) {
      if (name === 'connect-src') continue;
      expect(header.get(name), name).toEqual(values);
    }
    expect(header.get('connect-src')).toEqual(["'self'", 'https://abc.execute-api.eu-west-1.amazonaws.com']);
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('deploys the built pages plus config.json with the API URL, resolved at deploy time', () => {
    const [, deployment] = only(template, 'Custom::CDKBucketDeployment');
    expect(referencedId(deployment.Properties?.DestinationBucketName)).toBe(bucketId);
    expect(referencedId(deployment.Properties?.DistributionId)).toBe(distributionId);
    expect(deployment.Properties?.DistributionPaths).toEqual(['/*']);
    expect(deployment.Properties?.Prune).toBe(true);
    const keys = propertyOf<string[]>(deployment, 'SourceObjectKeys');
    expect(keys).toHaveLength(2);
    // Source 1: the built pages (no config.json of their own); source 2: config.json with markers for the URL.
    expect(existsSync(path.join(webAssetDir, 'index.html'))).toBe(true);
    expect(existsSync(path.join(webAssetDir, 'form.js'))).toBe(true);
    expect(existsSync(path.join(webAssetDir, 'config.json'))).toBe(false);
    const markers = propertyOf<Record<string, unknown>[]>(deployment, 'SourceMarkers');
    expect(markers[0]).toEqual({});
    const imported = Object.values(markers[1] ?? {}).map((value) => exportedValue(stage.apiTemplate, value));
    expect(imported).toContainEqual({ Ref: restApiId });
    expect(imported).toContainEqual({
      Ref: stage.api.getLogicalId(stage.api.api.deploymentStage.node.defaultChild as CfnElement),
    });
    expect(propertyOf<unknown[]>(deployment, 'SourceMarkersConfig')[1]).toEqual({ jsonEscape: true });
  });

  it('outputs the form URL', () => {
    template.hasOutput('FormUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
    });
    template.hasOutput('DistributionDomainName', Match.anyValue());
  });
});

describe('web stack with a custom domain', () => {
  function build(config: StageConfig): Template {
    const app = new App({ context: { ...SKIP_BUNDLING }, builtinCloudFormationValidation: false });
    const data = new DataStack(app, 'Data', { config });
    const api = new ApiStack(app, 'Api', { config, table: data.table, userPool: data.userPool });
    const web = new WebStack(app, 'Web', { config, api: api.api, webAssetDir });
    addComplianceChecks(app);
    // In-process synth throws on any unacknowledged cdk-nag finding.
    app.synth();
    return Template.fromStack(web);
  }

  const config = configWith('test', {
    webDomainName: 'test.vol-is-vol.example.org',
    webCertificateArn: CERTIFICATE_ARN,
  });

  it('serves the domain with its certificate and TLS 1.2 (cdk-nag clean without the CFR4 acknowledgement)', () => {
    const template = build(config);
    const [distributionId, distribution] = only(template, 'AWS::CloudFront::Distribution');
    const distributionConfig = propertyOf<Record<string, unknown>>(distribution, 'DistributionConfig');
    expect(distributionConfig.Aliases).toEqual(['test.vol-is-vol.example.org']);
    expect(distributionConfig.ViewerCertificate).toEqual({
      AcmCertificateArn: CERTIFICATE_ARN,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    template.hasOutput('FormUrl', { Value: 'https://test.vol-is-vol.example.org' });
    template.hasOutput('DistributionDomainName', { Value: { 'Fn::GetAtt': [distributionId, 'DomainName'] } });
  });

  it('is required, with a current TLS policy, for every public stage', () => {
    const template = build(exampleStage('production'));
    const [, distribution] = only(template, 'AWS::CloudFront::Distribution');
    const distributionConfig = propertyOf<Record<string, unknown>>(distribution, 'DistributionConfig');
    expect(distributionConfig.Aliases).toEqual([exampleStage('production').webDomainName]);
    expect(distributionConfig.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021' });
  });

  it('refuses a half or inconsistent custom domain configuration', () => {
    const base = stageConfigs.test;
    const load = (overrides: object) => () => loadStageConfig('test', { test: { ...base, ...overrides } });
    expect(load({ webDomainName: 'test.vol-is-vol.example.org' })).toThrow(
      /webCertificateArn: .*go together/,
    );
    expect(load({ webCertificateArn: CERTIFICATE_ARN })).toThrow(/webDomainName: .*go together/);
    expect(
      load({
        webDomainName: 'test.vol-is-vol.example.org',
        webCertificateArn: CERTIFICATE_ARN.replace('us-east-1', 'eu-west-1'),
      }),
    ).toThrow(/webCertificateArn: must be an ACM certificate ARN in us-east-1/);
    expect(
      load({ webDomainName: 'elders.vol-is-vol.example.org', webCertificateArn: CERTIFICATE_ARN }),
    ).toThrow(/publicBaseUrl: must be on https:\/\/elders\.vol-is-vol\.example\.org/);
  });
});
