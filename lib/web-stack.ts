import {
  CfnOutput,
  CrossStackReferences,
  DefaultStackSynthesizer,
  Duration,
  ReferenceStrength,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { omitRedundantRoleDependency } from './constructs/api-function.js';
import { DASHBOARD_PATH, DashboardSignIn, DOOR_PAGE_PATH } from './constructs/dashboard-sign-in.js';
import type { StageConfig } from './stage-config.js';

export type WebStackProps = StackProps & {
  readonly config: StageConfig;
  /** The API the form talks to: its URL goes into `config.json`, its origin into the CSP's `connect-src`. */
  readonly api: apigateway.RestApi;
  /** Directory of the built pages without `config.json` (`buildWebAssets()` in `lib/web-assets.ts`). */
  readonly webAssetDir: string;
  /** The organisers' pool: the dashboard at `/admin/` signs in with its managed login (issue 18). */
  readonly userPool?: cognito.IUserPool;
};

/** The dashboard's address without its trailing slash, which the directory-index function redirects. */
const DASHBOARD_PATH_WITHOUT_SLASH = DASHBOARD_PATH.replace(/\/$/, '');

/**
 * CloudFront Function (viewer request): a path ending in `/` is that directory's `index.html`, as S3 has no such
 * rule, and `/admin` is sent to `/admin/` (301) with its query string, which CloudFront passes as the viewer
 * sent it (still percent-encoded), so it is put back as it was.
 */
export const DIRECTORY_INDEX_FUNCTION = `function handler(event) {
  var request = event.request;
  if (request.uri === '${DASHBOARD_PATH_WITHOUT_SLASH}') {
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: '${DASHBOARD_PATH}' + search(request.querystring) } },
    };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}

function search(querystring) {
  var pairs = [];
  Object.keys(querystring).forEach(function (name) {
    var parameter = querystring[name];
    (parameter.multiValue || [parameter]).forEach(function (item) {
      pairs.push(item.value === '' ? name : name + '=' + item.value);
    });
  });
  return pairs.length === 0 ? '' : '?' + pairs.join('&');
}`;

/** How long browsers and CloudFront keep a page; every deploy invalidates CloudFront (file names carry no hash). */
export const WEB_CACHE_MAX_AGE = Duration.minutes(5);

function pagePolicy(connectOrigins: string[], moreDirectives: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ...moreDirectives,
    `connect-src ${["'self'", ...connectOrigins].join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The Content-Security-Policy of the pages: the meta tags' policy in `web/*.html`, with `connect-src` narrowed
 * to the API's origin and `frame-ancestors 'none'`, which a meta tag cannot carry.
 */
export function contentSecurityPolicy(apiOrigin: string, ...moreConnectOrigins: string[]): string {
  return pagePolicy([apiOrigin, ...moreConnectOrigins]);
}

/** The door page's (`web/checkin.html`): the form's, plus the camera's picture (`media-src`, as its meta tag). */
export function doorPageContentSecurityPolicy(apiOrigin: string, ...moreConnectOrigins: string[]): string {
  return pagePolicy([apiOrigin, ...moreConnectOrigins], ["media-src 'self' blob: mediastream:"]);
}

/** Every page but the door page: no camera, microphone, location or payment. */
const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=()';
/** The door page scans QR codes with the camera of its own origin only. */
const DOOR_PAGE_PERMISSIONS_POLICY = 'camera=(self), microphone=(), geolocation=(), payment=()';

/**
 * The form and the manage page: static files in a private S3 bucket, served only through CloudFront (origin
 * access control), HTTPS only, with security headers. `config.json` (the API's URL) is written at deploy time.
 */
export class WebStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly deployment: s3deploy.BucketDeployment;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** The dashboard's sign-in (managed login domain and app client), when the stack has the organisers' pool. */
  readonly dashboardSignIn?: DashboardSignIn;
  /** `https://<webDomainName or distribution domain>` */
  readonly formUrl: string;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config, api } = props;
    // The API's id and URL come through a strong reference (Export/ImportValue), stated explicitly.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the public build output of web/, written by the deployment and read only by ' +
        'CloudFront through origin access control; server access logs would record nothing but those reads.',
    });

    const apiOrigin = `https://${api.restApiId}.execute-api.${this.region}.${this.urlSuffix}`;
    const securityHeaders = (id: string, comment: string, csp: string, permissions = PERMISSIONS_POLICY) =>
      new cloudfront.ResponseHeadersPolicy(this, id, {
        comment,
        securityHeadersBehavior: {
          contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
          strictTransportSecurity: {
            accessControlMaxAge: Duration.days(365),
            includeSubdomains: true,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
          referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        },
        customHeadersBehavior: {
          customHeaders: [
            {
              header: 'Permissions-Policy',
              value: permissions,
              override: true,
            },
          ],
        },
      });
    this.responseHeadersPolicy = securityHeaders(
      'SecurityHeaders',
      `vol-is-vol ${config.stage}: security headers of the form`,
      contentSecurityPolicy(apiOrigin),
    );

    const customDomain =
      config.webDomainName !== undefined && config.webCertificateArn !== undefined
        ? {
            domainNames: [config.webDomainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', config.webCertificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {};

    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    /** Every page's behavior (static files from the bucket, cached); only its security headers differ. */
    const pageBehavior = (responseHeadersPolicy: cloudfront.IResponseHeadersPolicy) => ({
      origin: siteOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy,
      compress: true,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `vol-is-vol ${config.stage}: registration form`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...customDomain,
      defaultBehavior: pageBehavior(this.responseHeadersPolicy),
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: attendees may register from anywhere, and the pages are public and hold no data.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static files only (GET/HEAD, cached), and holds no data. ' +
          (config.waf.enabled
            ? 'Registrations go to the API, which has its own WAF with rate rules; a CloudFront web ACL would have ' +
              'to live in us-east-1 and cost a second fee.'
            : `Stage ${config.stage} runs without WAF (waf.enabled false) to save its fixed cost, on the API as here; ` +
              'the API keeps stage throttling.'),
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'No CloudFront access logs: they would record the IP address of every visitor (personal data under the ' +
          'GDPR) for static pages; CloudFront metrics cover traffic and errors, as the API logs no source IP either.',
      },
    );
    if (config.webDomainName === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without webDomainName the distribution uses its *.cloudfront.net name and default certificate, whose ' +
          'TLS policy CloudFront fixes; a custom domain (webDomainName, webCertificateArn) gets TLSv1.2_2021.',
      });
    }

    this.formUrl =
      config.webDomainName === undefined
        ? `https://${this.distribution.distributionDomainName}`
        : `https://${config.webDomainName}`;

    // The organisers' dashboard at /admin/ (issue 18): its own behavior, whose CSP also lets the page reach the
    // managed login's token endpoint, and whose viewer-request function serves a directory's index.html and
    // sends `/admin` to `/admin/`.
    if (props.userPool) {
      this.dashboardSignIn = new DashboardSignIn(this, 'DashboardSignIn', {
        userPool: props.userPool,
        stage: config.stage,
        siteUrl: this.formUrl,
      });
      const dashboardBehavior = {
        ...pageBehavior(
          securityHeaders(
            'DashboardSecurityHeaders',
            `vol-is-vol ${config.stage}: security headers of the organisers' dashboard`,
            contentSecurityPolicy(apiOrigin, this.dashboardSignIn.domainUrl),
          ),
        ),
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'DirectoryIndex', {
              comment: 'Serves /admin/ (a directory) as /admin/index.html; redirects /admin to /admin/',
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              code: cloudfront.FunctionCode.fromInline(DIRECTORY_INDEX_FUNCTION),
            }),
          },
        ],
      };
      this.distribution.addBehavior(`${DASHBOARD_PATH}*`, siteOrigin, dashboardBehavior);
      // `/admin/*` does not match `/admin`: that address alone gets the same function, which redirects it.
      this.distribution.addBehavior(DASHBOARD_PATH_WITHOUT_SLASH, siteOrigin, dashboardBehavior);
    }

    // The door page (issue 17): its own behavior, as its CSP lets the camera's picture in, its permissions let
    // the page use the camera, and (with the organisers' pool) its sign-in reach the managed login.
    this.distribution.addBehavior(
      DOOR_PAGE_PATH,
      siteOrigin,
      pageBehavior(
        securityHeaders(
          'DoorPageSecurityHeaders',
          `vol-is-vol ${config.stage}: security headers of the door page`,
          doorPageContentSecurityPolicy(
            apiOrigin,
            ...(this.dashboardSignIn ? [this.dashboardSignIn.domainUrl] : []),
          ),
          DOOR_PAGE_PERMISSIONS_POLICY,
        ),
      ),
    );

    this.deployment = new s3deploy.BucketDeployment(this, 'DeployWeb', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(props.webAssetDir),
        s3deploy.Source.jsonData('config.json', {
          apiBaseUrl: api.url,
          ...(this.dashboardSignIn
            ? {
                admin: {
                  cognitoDomain: this.dashboardSignIn.domainUrl,
                  clientId: this.dashboardSignIn.client.userPoolClientId,
                  issuer: this.dashboardSignIn.issuer,
                },
              }
            : {}),
        }),
      ],
      cacheControl: [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(WEB_CACHE_MAX_AGE)],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      logGroup: new logs.LogGroup(this, 'DeployWebLogs', { retention: config.logRetentionDays }),
    });
    this.acknowledgeDeploymentHandler();

    new CfnOutput(this, 'FormUrl', {
      description:
        'The registration form (set publicBaseUrl and allowedOrigins to this when no custom domain)',
      value: this.formUrl,
    });
    new CfnOutput(this, 'DistributionDomainName', {
      description: 'CloudFront domain name: the target of the DNS record (CNAME/alias) of webDomainName',
      value: this.distribution.distributionDomainName,
    });
    new CfnOutput(this, 'WebBucketName', {
      description: 'Private bucket of the web pages (written by the deployment only)',
      value: this.bucket.bucketName,
    });
  }

  /**
   * The BucketDeployment's handler: a CDK-provided Lambda function (one per stack) that copies the files.
   * Its acknowledgements, and no redundant DependsOn on its role.
   */
  private acknowledgeDeploymentHandler(): void {
    const handler = this.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!(handler instanceof lambda.Function)) throw new Error('BucketDeployment handler not found');
    omitRedundantRoleDependency(handler);
    const provided =
      'The CDK-provided handler of BucketDeployment, run only by CloudFormation during a deploy';
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: `${provided}: AWSLambdaBasicExecutionRole lets it write its own logs, nothing more.`,
      },
      ...this.deploymentWildcards().map((finding) => ({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: `${provided}: CDK's grants to read the uploaded asset (s3:GetObject*, s3:GetBucket*, s3:List* on the CDK asset bucket), to replace the site bucket's objects (s3:DeleteObject*, s3:Abort* on its objects) and to invalidate the distribution.`,
      })),
      {
        id: 'AwsSolutions-L1',
        reason: `${provided}: its runtime is chosen by aws-cdk-lib and moves with CDK upgrades; no request ever reaches it.`,
      },
    );
  }

  /** The wildcard findings (cdk-nag's `appliesTo` form) of the handler's policy, from CDK's own grants. */
  private deploymentWildcards(): string[] {
    const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    // A literal once the region is known (feature flag @aws-cdk/core:enablePartitionLiterals).
    const partition = Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    const qualifier =
      (this.synthesizer instanceof DefaultStackSynthesizer
        ? this.synthesizer.bootstrapQualifier
        : undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    return [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::arn:${partition}:s3:::cdk-${qualifier}-assets-${account}-${region}/*`,
      `Resource::<${this.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`,
      // cloudfront:CreateInvalidation and GetInvalidation do not support resource-level permissions.
      'Resource::*',
    ];
  }
}
