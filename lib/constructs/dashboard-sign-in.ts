import { Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ORGANISER_CLIENT_TOKENS } from '../data-stack.js';

/** Where the organisers' dashboard is on the site, and where its sign-in comes back to. */
export const DASHBOARD_PATH = '/admin/';
/** The door page (issue 17), which signs door staff in through the same managed login and app client. */
export const DOOR_PAGE_PATH = '/checkin.html';

export type DashboardSignInProps = {
  readonly userPool: cognito.IUserPool;
  readonly stage: string;
  /** `https://<site>`: the form's CloudFront site, which serves the dashboard at `/admin/` and `/checkin.html`. */
  readonly siteUrl: string;
};

/**
 * The dashboard's sign-in (issue 18): Cognito's managed login (hosted UI) on a domain of the organisers' pool,
 * and an app client for the pages: public (no secret, as a browser cannot keep one), the authorization-code
 * flow only (the pages use PKCE through oidc-client-ts), callback and sign-out URLs on the site's own domain
 * only: the dashboard and the door page, which door staff (group `door`) use. MFA comes from the pool. Tokens
 * as short-lived as the CLI's (`ORGANISER_CLIENT_TOKENS`).
 */
export class DashboardSignIn extends Construct {
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  readonly domainUrl: string;
  /** The pool's issuer (`https://cognito-idp.<region>.amazonaws.com/<poolId>`), as in the ID token's `iss`. */
  readonly issuer: string;
  /** `https://<site>/admin/` */
  readonly callbackUrl: string;
  /** `https://<site>/checkin.html` */
  readonly doorPageUrl: string;

  constructor(scope: Construct, id: string, props: DashboardSignInProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.callbackUrl = `${props.siteUrl}${DASHBOARD_PATH}`;
    this.doorPageUrl = `${props.siteUrl}${DOOR_PAGE_PATH}`;
    this.domain = new cognito.UserPoolDomain(this, 'Domain', {
      userPool: props.userPool,
      // Unique per account and stage; Cognito prefixes are global within a region.
      cognitoDomain: { domainPrefix: `vol-is-vol-${props.stage}-${stack.account}` },
    });
    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: 'organiser-dashboard',
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.callbackUrl, this.doorPageUrl],
        logoutUrls: [this.callbackUrl, this.doorPageUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      ...ORGANISER_CLIENT_TOKENS,
    });
    // Cognito's default without a list is SRP and custom auth as well: name the one flow the page uses besides
    // the managed login, refreshing its tokens.
    (this.client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = [
      'ALLOW_REFRESH_TOKEN_AUTH',
    ];
    this.domainUrl = this.domain.baseUrl();
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${props.userPool.userPoolId}`;
  }
}
