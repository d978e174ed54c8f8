/**
 * The organiser CLI's side of the admin API: the options a command runs with, what it talks to (`Io`, so
 * tests can stand in for the terminal, the network and Cognito), and the HTTP client that signs in once and
 * turns refusals into errors the CLI prints.
 */
import type { SignInInput } from './sign-in.js';

export type Io = {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  fetch: typeof fetch;
  /** Asks for a password without echoing it. */
  askPassword: (question: string) => Promise<string>;
  signIn: (input: SignInInput) => Promise<string>;
};

export type Options = {
  url: string;
  token?: string;
  'user-pool-client-id'?: string;
  username?: string;
  region?: string;
  'mfa-code'?: string;
  workshop?: string;
  status?: string;
  q?: string;
  limit?: string;
  out?: string;
  format?: string;
  'event-id'?: string;
  'ids-file'?: string;
  'dry-run'?: boolean;
  'no-notify'?: boolean;
  subject?: string;
  'subject-en'?: string;
  'body-file'?: string;
  'body-file-en'?: string;
  json?: boolean;
  help?: boolean;
};

export class UsageError extends Error {}

/** A required argument or option, or the usage error that names it. */
export function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`Ontbreekt: ${what}. Zie --help.`);
  return value;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/** `https://abc.execute-api.eu-central-1.amazonaws.com/prod/` → `eu-central-1`. */
export function regionFromUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];
}

// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field for display
export type Json = any;

export class AdminClient {
  private bearer?: string;
  private rawToken = false;

  constructor(
    private readonly options: Options,
    private readonly io: Io,
  ) {}

  private async authorization(): Promise<string> {
    if (this.bearer) return this.bearer;
    const { token, username } = this.options;
    const clientId = this.options['user-pool-client-id'];
    if (clientId && username) {
      const region =
        this.options.region ?? regionFromUrl(this.options.url) ?? this.io.env.AWS_REGION ?? 'eu-west-1';
      const password =
        this.io.env.VOL_PASSWORD ?? (await this.io.askPassword(`Wachtwoord voor ${username}: `));
      // API Gateway's Cognito authorizer takes the ID token as the whole header value (no `Bearer `).
      const mfaCode = this.options['mfa-code'] ?? this.io.env.VOL_MFA_CODE;
      this.bearer = await this.io.signIn({
        region,
        clientId,
        username,
        password,
        ...(mfaCode ? { mfaCode } : {}),
      });
      this.rawToken = true;
    } else if (token) {
      this.bearer = token;
    } else {
      throw new UsageError(
        'Geen inloggegevens: geef --token (lokaal, of env ADMIN_TOKEN) of --user-pool-client-id en --username (AWS).',
      );
    }
    return this.bearer;
  }

  private async authorizationHeader(): Promise<string> {
    const credential = await this.authorization();
    return this.rawToken ? credential : `Bearer ${credential}`;
  }

  async request(method: string, urlPath: string, body?: unknown, accept?: string): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: await this.authorizationHeader(),
      'Accept-Language': 'nl',
      // A binary download: API Gateway sends bytes only to a client that accepts the binary media type.
      ...(accept ? { Accept: accept } : {}),
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.io.fetch(`${this.options.url}${urlPath}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const text = await response.text();
      let error: Json;
      try {
        error = JSON.parse(text).error;
      } catch {
        error = undefined;
      }
      throw new ApiError(
        response.status,
        error?.code ?? 'HTTP_ERROR',
        error?.message ?? text.slice(0, 200),
        error?.details,
      );
    }
    return response;
  }

  async json(method: string, urlPath: string, body?: unknown): Promise<Json> {
    return (await this.request(method, urlPath, body)).json();
  }

  /** The public event (for time zone and titles); no credential needed. */
  async publicEvent(eventId: string): Promise<Json | undefined> {
    const response = await this.io.fetch(`${this.options.url}/events/${encodeURIComponent(eventId)}`);
    return response.ok ? response.json() : undefined;
  }
}
