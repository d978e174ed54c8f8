import { apiBaseUrl, siteConfig } from '../api.js';
import { lang } from '../i18n.js';
import { type CognitoConfig, cognitoConfigOf } from '../sign-in/cognito.js';
import type { CredentialSource } from '../sign-in/token.js';
import type { ApiErrorBody } from '../types.js';

/**
 * The admin API as this page talks to it. The page's config is the site's `config.json` (`siteConfig`): the
 * API's base URL, and in AWS the Cognito managed login (`admin`: domain and app client id). The credential goes
 * to the API only, in the Authorization header, never into an address.
 */

export type AdminConfig = {
  apiBaseUrl: string;
  /** Present in AWS: Cognito managed login with the authorization-code flow and PKCE. */
  cognito?: CognitoConfig;
};

let config: Promise<AdminConfig> | undefined;

export function adminConfig(): Promise<AdminConfig> {
  config ??= (async () => {
    const cognito = cognitoConfigOf(await siteConfig());
    return { apiBaseUrl: await apiBaseUrl(), ...(cognito ? { cognito } : {}) };
  })();
  return config;
}

let credentials: CredentialSource | undefined;
let onSignedOut: (reason: 'expired' | 'forbidden') => void = () => {};

export function useCredentials(source: CredentialSource, signedOut: typeof onSignedOut): void {
  credentials = source;
  onSignedOut = signedOut;
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiErrorBody | undefined,
  ) {
    super(error?.message ?? `HTTP ${status}`);
  }
}

export class NetworkError extends Error {}

/** One request to the admin API; 401 and 403 end the session (the page shows the sign-in again). */
export async function adminRequest(
  method: string,
  path: string,
  options: { body?: unknown; accept?: string } = {},
): Promise<Response> {
  const { apiBaseUrl } = await adminConfig();
  const authorization = await credentials?.authorization();
  const headers: Record<string, string> = {
    'Accept-Language': lang(),
    Accept: options.accept ?? 'application/json',
  };
  if (authorization) headers.Authorization = authorization;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${apiBaseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new NetworkError();
  }
  if (response.ok) return response;
  let error: ApiErrorBody | undefined;
  try {
    error = ((await response.json()) as { error?: ApiErrorBody }).error;
  } catch {
    error = undefined;
  }
  if (response.status === 401) onSignedOut('expired');
  if (response.status === 403) onSignedOut('forbidden');
  throw new AdminApiError(response.status, error);
}

// biome-ignore lint/suspicious/noExplicitAny: the admin API's JSON, read field by field by the views.
export type Json = any;

export async function adminJson(method: string, path: string, body?: unknown): Promise<Json> {
  return (await adminRequest(method, path, { body })).json();
}

export const eventPath = (eventId: string, rest = '') =>
  `/admin/events/${encodeURIComponent(eventId)}${rest}`;

/**
 * Whether the credential opens the check-in routes although the API refused it elsewhere: door staff (the
 * `door` group, or the local DOOR_TOKEN), whom the dashboard sends to the door page. Asked with a search at the
 * door of an event that need not exist: only 401 and 403 say the credential may not check people in.
 */
export async function opensCheckIn(): Promise<boolean> {
  const { apiBaseUrl } = await adminConfig();
  const authorization = await credentials?.authorization();
  if (!authorization) return false;
  try {
    const response = await fetch(`${apiBaseUrl}${eventPath('door-staff-probe', '/check-ins')}?q=%23`, {
      headers: { Authorization: authorization, Accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
    return response.status < 500 && response.status !== 401 && response.status !== 403;
  } catch {
    return false;
  }
}
