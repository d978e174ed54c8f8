import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { CredentialSource } from './token.js';

/**
 * AWS: Cognito's managed login (hosted UI) with the OAuth 2.0 authorization-code flow and PKCE, through
 * oidc-client-ts, for the organisers' dashboard (`/admin/`) and the door page (`/checkin.html`). The user pool
 * asks for the password and the authenticator code; a page only ever sees the tokens, which it keeps in
 * sessionStorage (this tab only, never localStorage, never in an address). The ID token goes to the API, whose
 * Cognito authorizer checks it and the group (`organisers`, or `door` for the check-in routes).
 */

/** `admin` in the site's `config.json`, written at deploy time: the login domain, app client and issuer. */
export type CognitoConfig = { domain: string; clientId: string; issuer: string };

/** The Cognito part of the site's `config.json`, or undefined (the local stack: sign in with a token). */
export function cognitoConfigOf(siteConfig: Record<string, unknown>): CognitoConfig | undefined {
  const admin = siteConfig.admin as Record<string, unknown> | undefined;
  if (
    !admin ||
    typeof admin.cognitoDomain !== 'string' ||
    typeof admin.clientId !== 'string' ||
    typeof admin.issuer !== 'string'
  ) {
    return undefined;
  }
  return { domain: admin.cognitoDomain.replace(/\/+$/, ''), clientId: admin.clientId, issuer: admin.issuer };
}

let manager: UserManager | undefined;

/** `returnUrl`: the page itself, without query or fragment, as registered in the app client's callback URLs. */
function userManager(cognito: CognitoConfig, returnUrl: string): UserManager {
  manager ??= new UserManager({
    authority: cognito.issuer,
    client_id: cognito.clientId,
    redirect_uri: returnUrl,
    post_logout_redirect_uri: returnUrl,
    response_type: 'code',
    scope: 'openid email profile',
    // The endpoints of the managed login on the pool's domain; no discovery request needed.
    metadata: {
      issuer: cognito.issuer,
      authorization_endpoint: `${cognito.domain}/oauth2/authorize`,
      token_endpoint: `${cognito.domain}/oauth2/token`,
      userinfo_endpoint: `${cognito.domain}/oauth2/userInfo`,
      revocation_endpoint: `${cognito.domain}/oauth2/revoke`,
    },
    userStore: new WebStorageStateStore({ store: sessionStorage }),
    stateStore: new WebStorageStateStore({ store: sessionStorage }),
    loadUserInfo: false,
    // ID tokens live 15 minutes; the refresh token (12 hours, this tab only) renews them.
    automaticSilentRenew: true,
  });
  return manager;
}

export async function startCognitoSignIn(cognito: CognitoConfig, returnUrl: string): Promise<void> {
  await userManager(cognito, returnUrl).signinRedirect();
}

/**
 * The credential of whoever signed in; finishes a sign-in when the managed login sent the browser back.
 * `forget` drops the tokens of this tab only; `signOut` also ends the managed login's session.
 */
export async function cognitoCredentials(
  cognito: CognitoConfig,
  returnUrl: string,
): Promise<CredentialSource & { forget(): Promise<void> }> {
  const users = userManager(cognito, returnUrl);
  const params = new URLSearchParams(location.search);
  if (params.has('code') && params.has('state')) {
    try {
      await users.signinRedirectCallback();
    } finally {
      // The one-time code leaves the address at once (and with it the history entry).
      history.replaceState(null, '', returnUrl);
    }
  }
  return {
    authorization: async () => {
      const user = await users.getUser();
      return user && !user.expired && user.id_token ? user.id_token : undefined;
    },
    forget: () => users.removeUser(),
    signOut: async () => {
      await users.removeUser();
      // Cognito's own logout ends the managed login's session too, then comes back to the page.
      const logout = new URL(`${cognito.domain}/logout`);
      logout.searchParams.set('client_id', cognito.clientId);
      logout.searchParams.set('logout_uri', returnUrl);
      location.assign(logout.href);
    },
  };
}
