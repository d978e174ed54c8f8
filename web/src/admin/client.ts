import { lang } from '../i18n.js';
import type { ApiErrorBody } from '../types.js';

/**
 * The admin API as this page talks to it. The page's config is `config.json` at the site's root (the form's
 * own): the API's base URL, and in AWS the Cognito managed login (`admin`: domain and app client id). The
 * credential goes to the API only, in the Authorization header, never into an address.
 */

export type AdminConfig = {
  apiBaseUrl: string;
  /** Present in AWS: Cognito managed login with the authorization-code flow and PKCE. */
  cognito?: { domain: string; clientId: string; issuer: string };
};

let config: Promise<AdminConfig> | undefined;

export function adminConfig(): Promise<AdminConfig> {
  config ??= (async () => {
    try {
      const response = await fetch(new URL('../config.json', document.baseURI), { cache: 'no-cache' });
      if (!response.ok) return { apiBaseUrl: '' };
      const raw = (await response.json()) as Record<string, unknown>;
      const apiBaseUrl = typeof raw.apiBaseUrl === 'string' ? raw.apiBaseUrl.replace(/\/+$/, '') : '';
      const admin = raw.admin as Record<string, unknown> | undefined;
      const cognito =
        admin &&
        typeof admin.cognitoDomain === 'string' &&
        typeof admin.clientId === 'string' &&
        typeof admin.issuer === 'string'
          ? {
              domain: admin.cognitoDomain.replace(/\/+$/, ''),
              clientId: admin.clientId,
              issuer: admin.issuer,
            }
          : undefined;
      return { apiBaseUrl, ...(cognito ? { cognito } : {}) };
    } catch {
      return { apiBaseUrl: '' };
    }
  })();
  return config;
}

/** Where the credential comes from (the local token or Cognito); the page swaps it at sign-in. */
export type CredentialSource = { authorization(): Promise<string | undefined>; signOut(): Promise<void> };

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
