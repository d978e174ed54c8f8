import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { AdminConfig, CredentialSource } from './client.js';

/**
 * AWS: Cognito's managed login (hosted UI) with the OAuth 2.0 authorization-code flow and PKCE, through
 * oidc-client-ts. The user pool asks for the password and the authenticator code; this page only ever sees
 * the tokens, which it keeps in sessionStorage (this tab only, never localStorage, never in an address). The
 * ID token goes to the API, whose Cognito authorizer checks it and the `organisers` group.
 */

type Cognito = NonNullable<AdminConfig['cognito']>;

function pageUrl(): string {
  return new URL('./', location.href).href.split(/[?#]/)[0] ?? location.origin;
}

let manager: UserManager | undefined;

function userManager(cognito: Cognito): UserManager {
  manager ??= new UserManager({
    authority: cognito.issuer,
    client_id: cognito.clientId,
    redirect_uri: pageUrl(),
    post_logout_redirect_uri: pageUrl(),
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

function cognitoOf(config: AdminConfig): Cognito {
  if (!config.cognito) throw new Error('no Cognito configuration');
  return config.cognito;
}

export async function startCognitoSignIn(config: AdminConfig): Promise<void> {
  await userManager(cognitoOf(config)).signinRedirect();
}

/** The credential of a signed-in organiser; finishes a sign-in when the managed login sent the browser back. */
export async function cognitoCredentials(config: AdminConfig): Promise<CredentialSource> {
  const cognito = cognitoOf(config);
  const users = userManager(cognito);
  const params = new URLSearchParams(location.search);
  if (params.has('code') && params.has('state')) {
    try {
      await users.signinRedirectCallback();
    } finally {
      // The one-time code leaves the address at once (and with it the history entry).
      history.replaceState(null, '', pageUrl());
    }
  }
  return {
    authorization: async () => {
      const user = await users.getUser();
      return user && !user.expired && user.id_token ? user.id_token : undefined;
    },
    signOut: async () => {
      await users.removeUser();
      // Cognito's own logout ends the managed login's session too, then comes back here.
      const logout = new URL(`${cognito.domain}/logout`);
      logout.searchParams.set('client_id', cognito.clientId);
      logout.searchParams.set('logout_uri', pageUrl());
      location.assign(logout.href);
    },
  };
}
