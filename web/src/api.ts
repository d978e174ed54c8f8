import { lang } from './i18n.js';
import type { Msg } from './texts.js';
import type { ApiErrorBody } from './types.js';

/**
 * Talking to the API. Locally the API is on the same origin; in AWS the page reads the site's `config.json`
 * (written at deploy time) for the API's base URL, and falls back to the same origin without it.
 */

let siteConfigFile: Promise<Record<string, unknown>> | undefined;

/**
 * The site's `config.json` as written ({} without one): the API's base URL, in AWS also the sign-in (`admin`).
 * It sits at the site's root beside every page's bundle, so it is found from the bundle's own address (the
 * dashboard's page is one level down, at `/admin/`).
 */
export function siteConfig(): Promise<Record<string, unknown>> {
  siteConfigFile ??= (async () => {
    try {
      const response = await fetch(new URL('config.json', import.meta.url), { cache: 'no-cache' });
      if (!response.ok) return {};
      const config: unknown = await response.json();
      return typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  })();
  return siteConfigFile;
}

export async function apiBaseUrl(): Promise<string> {
  const { apiBaseUrl } = await siteConfig();
  return typeof apiBaseUrl === 'string' ? apiBaseUrl.replace(/\/+$/, '') : '';
}

export type ApiOutcome<T> =
  | { kind: 'ok'; status: number; body: T; serverTime?: number }
  | { kind: 'error'; status: number; error: ApiErrorBody; retryAfterSeconds?: number }
  | { kind: 'network' };

export type ApiFailure = Exclude<ApiOutcome<unknown>, { kind: 'ok' }>;

const REQUEST_TIMEOUT_MS = 20_000;

function timeoutSignal(ms: number): AbortSignal {
  if (typeof AbortSignal.timeout === 'function') return AbortSignal.timeout(ms);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

function readError(body: unknown): ApiErrorBody | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = body.error;
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') {
    return undefined;
  }
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  return { code: error.code, message, details: 'details' in error ? error.details : undefined };
}

/** Retry-After in seconds (a number of seconds or an HTTP date), or undefined when absent or unreadable. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

/**
 * The server's clock when it answered, from the `Date` header (whole seconds, so the middle of that second),
 * or undefined when the header is missing or not exposed (cross-origin it needs Access-Control-Expose-Headers).
 */
function serverTime(response: Response): number | undefined {
  const date = Date.parse(response.headers.get('Date') ?? '');
  return Number.isNaN(date) ? undefined : date + 500;
}

export async function apiRequest<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiOutcome<T>> {
  const base = await apiBaseUrl();
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': lang() };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  Object.assign(headers, options.headers);
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
      credentials: 'omit',
      signal: timeoutSignal(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch {
    return { kind: 'network' };
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok && body !== undefined) {
    return { kind: 'ok', status: response.status, body: body as T, serverTime: serverTime(response) };
  }
  return {
    kind: 'error',
    status: response.status,
    error: readError(body) ?? { code: `HTTP_${response.status}`, message: '' },
    retryAfterSeconds: retryAfter(response.headers.get('Retry-After')),
  };
}

/** The message for a failure that is not about one field. The API's own text is used for unknown codes. */
export function failureMessage(failure: ApiFailure): Msg {
  if (failure.kind === 'network') return (t) => t.network;
  const { error } = failure;
  switch (error.code) {
    case 'ALREADY_REGISTERED':
      return (t) => t.alreadyRegistered;
    case 'REGISTRATION_CLOSED': {
      const details = error.details as { status?: string } | undefined;
      return details?.status === 'not-yet-open'
        ? (t) => t.registrationNotYetOpen
        : (t) => t.registrationClosed;
    }
    case 'WORKSHOP_FULL':
      return (t) => t.workshopFull;
    case 'INVALID_CHOICE':
      return (t) => t.invalidChoice;
    case 'TRY_AGAIN':
      return (t) => t.tryAgain(failure.retryAfterSeconds);
    case 'REQUEST_IN_PROGRESS':
      return (t) => t.requestInProgress;
    case 'EVENT_NOT_FOUND':
      return (t) => t.eventGone;
    case 'REGISTRATION_NOT_FOUND':
      return (t) => t.linkInvalid;
    case 'ALREADY_WAITING':
      return (t) => t.alreadyWaiting;
    case 'REGISTRATION_WAITING':
      return (t) => t.changeWaiting;
    case 'REGISTRATION_CANCELLED':
      return (t) => t.alreadyCancelled;
    default:
      return (t) => [t.unexpected(error.code), error.message].filter(Boolean).join(' ');
  }
}

/** Whether the request may have been carried out (or still is): then a retry must reuse its Idempotency-Key. */
export function outcomeUncertain(failure: ApiFailure): boolean {
  if (failure.kind === 'network') return true;
  return failure.status >= 500 || failure.error.code === 'REQUEST_IN_PROGRESS';
}
