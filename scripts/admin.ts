/**
 * The organisers' command line: `npm run admin -- <command> …`. Talks to the admin API over HTTP, either
 * the local stack (bearer ADMIN_TOKEN) or a deployed stack (Cognito sign-in, the IdToken as the Authorization header).
 * Output is for people, in Dutch; `--json` prints the API's JSON instead. `--help` is in English.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AssociateSoftwareTokenCommand,
  type ChallengeNameType,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
// csv-parse is a development dependency, like tsx that runs this script.
import { parse as parseCsv } from 'csv-parse/sync';
import { localDateTime } from '../lambdas/adapters/csv/registrations-csv.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const HELP = `vol-is-vol organiser CLI

Usage: npm run admin -- <command> [arguments] [options]

Commands:
  list <eventId> [--workshop <id>] [--status confirmed|cancelled] [--q <text>] [--limit <n>]
      List registrations (all pages, or the first <n>), oldest first.
  export <eventId> --out <file.csv> [--workshop <id>]
      Save the registrations as CSV (UTF-8, for Excel). With --workshop: the attendance
      list of that workshop (confirmed only, sorted by name).
  summary <eventId>
      Seats per workshop: capacity, taken, left, confirmed holders, and whether they agree.
  cancel <eventId> <registrationId>
      Cancel a registration on the attendee's behalf (releases the seats).
  cancel-batch <eventId> [<registrationId> …] [--ids-file <file>] [--dry-run]
      Cancel up to 100 registrations you judge abusive (a seat-draining bot), each as
      \`cancel\` does (seats released, cancellation email, audited with one batch id).
      --dry-run lists what would be cancelled and changes nothing. --ids-file: one id
      per line.
  An id that starts with "-" (some older ones do) goes after "--", which ends the options:
      cancel dag-2019 -- -Xy3…
  put-event <file.json> [--event-id <id>]
      Create or update an event from a definition file (the id defaults to the file name).
  audit <eventId> [--limit <n>]
      The audit log of admin changes, newest first.

Target (local stack):
  --url <url>                     API base URL (env VOL_API_URL, default http://localhost:3000)
  --token <token>                 admin token printed by npm start (env ADMIN_TOKEN)

Target (deployed stack, Cognito user pool):
  --url <url>                     the ApiUrl output of the Api stack
  --user-pool-client-id <id>      app client id (env VOL_USER_POOL_CLIENT_ID)
  --username <name>               your user name (env VOL_USERNAME)
  --region <region>               default: taken from the URL, else AWS_REGION, else eu-west-1
  --mfa-code <123456>             the code of your authenticator app (env VOL_MFA_CODE); asked for if needed
  The password is asked for (hidden), or read from env VOL_PASSWORD. The first sign-in asks for a new
  password and sets up the authenticator app (TOTP): it prints the secret and an otpauth:// URI to add
  to the app, then asks for the app's first code.

Other options:
  --json                          print the API's JSON instead of tables
  -h, --help                      this help

Exit codes: 0 done, 1 refused or failed (the API's error is printed), 2 wrong usage.
`;

export type Io = {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  fetch: typeof fetch;
  /** Asks for a password without echoing it. */
  askPassword: (question: string) => Promise<string>;
  signIn: (input: SignInInput) => Promise<string>;
};

export type SignInInput = {
  region: string;
  clientId: string;
  username: string;
  password: string;
  /** The authenticator app's current code, when given up front (`--mfa-code`). */
  mfaCode?: string;
};

/** How the sign-in talks to the person at the terminal, for the steps Cognito asks for. */
export type SignInPrompts = {
  /** Asks for a secret (a new password, a one-time code) without echoing it. */
  askSecret: (question: string) => Promise<string>;
  /** Tells the person something (on stderr, so that --json output stays clean). */
  tell: (text: string) => void;
};

const terminalPrompts: SignInPrompts = {
  askSecret: (question) => askPasswordOnTerminal(question),
  tell: (text) => console.error(text),
};

/** What the authenticator app shows next to the codes. */
export const TOTP_ISSUER = 'vol-is-vol';

/** The URI an authenticator app reads (as a QR code or pasted): RFC 6238 TOTP, 6 digits, 30 seconds. */
export function otpauthUri(username: string, secret: string): string {
  const label = encodeURIComponent(`${TOTP_ISSUER}:${username}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(TOTP_ISSUER)}`;
}

class UsageError extends Error {}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/**
 * Cognito USER_PASSWORD_AUTH (the app client must allow it); the IdToken carries the groups claim. Answers the
 * steps Cognito asks for on the way: a new password at the first sign-in (`NEW_PASSWORD_REQUIRED`), setting up
 * the authenticator app when the pool requires MFA and the user has none yet (`MFA_SETUP`), and the app's code
 * (`SOFTWARE_TOKEN_MFA`).
 */
export async function cognitoSignIn(
  input: SignInInput,
  client = new CognitoIdentityProviderClient({ region: input.region }),
  prompts: SignInPrompts = terminalPrompts,
): Promise<string> {
  try {
    let step: InitiateAuthCommandOutput = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: input.clientId,
        AuthParameters: { USERNAME: input.username, PASSWORD: input.password },
      }),
    );
    // With an email address as sign-in alias, Cognito wants its own user id in the answers; it names it in the
    // first challenge and not always in later ones.
    let userId = input.username;
    // Each step ends the sign-in or asks for the next one; a first sign-in takes three.
    for (let steps = 0; step.ChallengeName && steps < 4; steps++) {
      userId = step.ChallengeParameters?.USER_ID_FOR_SRP ?? userId;
      step = await answerChallenge(step, input, userId, client, prompts);
    }
    if (step.ChallengeName) throw new Error(`Cognito blijft om ${step.ChallengeName} vragen.`);
    const token = step.AuthenticationResult?.IdToken;
    if (!token) throw new Error('Cognito gaf geen IdToken terug.');
    return token;
  } finally {
    client.destroy();
  }
}

const SIX_DIGITS = /^\d{6}$/;

async function askCode(prompts: SignInPrompts, question: string, given?: string): Promise<string> {
  const code = (given ?? (await prompts.askSecret(question))).replace(/\s+/g, '');
  if (!SIX_DIGITS.test(code)) throw new Error('De code van de authenticator-app bestaat uit 6 cijfers.');
  return code;
}

async function answerChallenge(
  step: InitiateAuthCommandOutput,
  input: SignInInput,
  userId: string,
  client: CognitoIdentityProviderClient,
  prompts: SignInPrompts,
): Promise<InitiateAuthCommandOutput> {
  const respond = (
    challengeName: ChallengeNameType,
    session: string | undefined,
    responses: Record<string, string>,
  ) =>
    client.send(
      new RespondToAuthChallengeCommand({
        ClientId: input.clientId,
        ChallengeName: challengeName,
        Session: session,
        ChallengeResponses: { USERNAME: userId, ...responses },
      }),
    );
  switch (step.ChallengeName) {
    case 'NEW_PASSWORD_REQUIRED': {
      prompts.tell(
        'Eerste keer inloggen: kies een nieuw wachtwoord (minstens 14 tekens, met hoofdletters, kleine letters, een cijfer en een leesteken).',
      );
      const password = await prompts.askSecret('Nieuw wachtwoord: ');
      if ((await prompts.askSecret('Nieuw wachtwoord nogmaals: ')) !== password) {
        throw new Error('De twee wachtwoorden verschillen; er is niets veranderd.');
      }
      return respond('NEW_PASSWORD_REQUIRED', step.Session, { NEW_PASSWORD: password });
    }
    case 'MFA_SETUP': {
      const associated = await client.send(new AssociateSoftwareTokenCommand({ Session: step.Session }));
      const secret = associated.SecretCode;
      if (!secret) throw new Error('Cognito gaf geen geheim voor de authenticator-app.');
      prompts.tell(
        [
          'Inloggen vraagt een authenticator-app (TOTP). Voeg deze sleutel toe aan de app',
          '(bijvoorbeeld Microsoft Authenticator, Google Authenticator of 1Password):',
          `  geheim: ${secret}`,
          `  of deze URI (als QR-code): ${otpauthUri(input.username, secret)}`,
        ].join('\n'),
      );
      const verified = await client.send(
        new VerifySoftwareTokenCommand({
          Session: associated.Session,
          UserCode: await askCode(prompts, 'Code die de app nu toont: '),
          FriendlyDeviceName: TOTP_ISSUER,
        }),
      );
      if (verified.Status !== 'SUCCESS') throw new Error('Cognito keurde de code van de app af.');
      prompts.tell('Authenticator-app gekoppeld. Voortaan vraagt inloggen om de code van de app.');
      return respond('MFA_SETUP', verified.Session, {});
    }
    case 'SOFTWARE_TOKEN_MFA': {
      const code = await askCode(prompts, 'Code uit je authenticator-app: ', input.mfaCode);
      return respond('SOFTWARE_TOKEN_MFA', step.Session, { SOFTWARE_TOKEN_MFA_CODE: code });
    }
    default:
      throw new Error(
        `Cognito vraagt een extra stap (${step.ChallengeName}) die deze CLI niet kent; rond die eerst af in de Cognito-console.`,
      );
  }
}

/** Reads a line from the terminal without showing it; from a pipe, reads the first line. */
export async function askPasswordOnTerminal(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    process.stderr.write('\n');
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim();
  }
  return new Promise((resolve, reject) => {
    let password = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(password);
    };
    const onData = (data: string) => {
      for (const char of data) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new Error('afgebroken'));
        if (char === '\u007f' || char === '\b') password = password.slice(0, -1);
        else password += char;
      }
    };
    stdin.on('data', onData);
  });
}

/** `https://abc.execute-api.eu-central-1.amazonaws.com/prod/` → `eu-central-1`. */
export function regionFromUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];
}

type Options = {
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
  'event-id'?: string;
  'ids-file'?: string;
  'dry-run'?: boolean;
  json?: boolean;
  help?: boolean;
};

function parse(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { command?: string; args: string[]; options: Options } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'user-pool-client-id': { type: 'string' },
      username: { type: 'string' },
      region: { type: 'string' },
      'mfa-code': { type: 'string' },
      workshop: { type: 'string' },
      status: { type: 'string' },
      q: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      'event-id': { type: 'string' },
      'ids-file': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  return {
    command,
    args,
    options: {
      ...values,
      url: (values.url ?? env.VOL_API_URL ?? 'http://localhost:3000').replace(/\/+$/, ''),
      token: values.token ?? env.ADMIN_TOKEN,
      'user-pool-client-id': values['user-pool-client-id'] ?? env.VOL_USER_POOL_CLIENT_ID,
      username: values.username ?? env.VOL_USERNAME,
    },
  };
}

/** A plain text table; columns as wide as their widest cell. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => String(cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(headers),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

const STATUS_NL: Record<string, string> = {
  confirmed: 'bevestigd',
  cancelled: 'geannuleerd',
  waiting: 'op de wachtlijst',
};
const ACTION_NL: Record<string, string> = {
  'event.created': 'evenement aangemaakt',
  'event.updated': 'evenement gewijzigd',
  'registration.cancelled': 'aanmelding geannuleerd',
  'registration.erased': 'persoonsgegevens verwijderd',
};

// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field for display
type Json = any;

class AdminClient {
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

  async request(method: string, urlPath: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: await this.authorizationHeader(),
      'Accept-Language': 'nl',
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

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`Ontbreekt: ${what}. Zie --help.`);
  return value;
}

function positiveLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit moet een positief geheel getal zijn.');
  return limit;
}

async function list(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const max = positiveLimit(options.limit);
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams();
    if (options.workshop) query.set('workshopId', options.workshop);
    if (options.status) query.set('status', options.status);
    if (options.q) query.set('q', options.q);
    query.set('limit', String(Math.min(500, max === undefined ? 500 : max - items.length)));
    if (cursor) query.set('cursor', cursor);
    const page: Json = await client.json(
      'GET',
      `/admin/events/${encodeURIComponent(eventId)}/registrations?${query}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && (max === undefined || items.length < max));
  if (options.json) return io.out(JSON.stringify(items, null, 2));

  const event = await client.publicEvent(eventId);
  const timeZone: string = event?.timezone ?? 'Europe/Amsterdam';
  const rounds: { id: string; title: string }[] = event?.rounds ?? [];
  io.out(
    table(
      [
        'Id',
        'Naam',
        'E-mail',
        'Organisatie',
        ...rounds.map((round) => round.title),
        'Status',
        'Aangemeld op',
      ],
      items.map((item) => [
        item.id,
        item.name,
        item.email,
        item.organisation,
        ...rounds.map((round) => item.choices?.[round.id] ?? ''),
        STATUS_NL[item.status] ?? item.status,
        localDateTime(item.createdAt, timeZone),
      ]),
    ),
  );
  io.out(
    `\n${items.length} ${items.length === 1 ? 'aanmelding' : 'aanmeldingen'}${cursor ? ' (meer met --limit)' : ''}`,
  );
}

async function exportCsv(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const out = need(options.out, '--out <bestand.csv>');
  const query = options.workshop ? `?workshopId=${encodeURIComponent(options.workshop)}` : '';
  const response = await client.request(
    'GET',
    `/admin/events/${encodeURIComponent(eventId)}/registrations.csv${query}`,
  );
  const bytes = Buffer.from(await response.arrayBuffer());
  await writeFile(out, bytes);
  // Records, not lines: a quoted cell may hold a line break.
  const rows = (parseCsv(bytes, { bom: true }) as unknown[]).length - 1;
  io.out(`${rows} ${rows === 1 ? 'aanmelding' : 'aanmeldingen'} geschreven naar ${out}`);
}

async function summary(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const result: Json = await client.json('GET', `/admin/events/${encodeURIComponent(eventId)}/summary`);
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(`${result.title} (${result.eventId})\n`);
  io.out(
    table(
      ['Ronde', 'Workshop', 'Capaciteit', 'Bezet', 'Vrij', 'Houders', 'Klopt'],
      result.rounds.flatMap((round: Json) =>
        round.workshops.map((w: Json) => [
          round.title,
          w.title,
          w.capacity,
          w.taken,
          w.seatsLeft,
          w.holders,
          w.consistent ? 'ja' : 'NEE',
        ]),
      ),
    ),
  );
  io.out(
    `\nBevestigd: ${result.totals.confirmed}  Geannuleerd: ${result.totals.cancelled}  ` +
      `Telling: ${result.consistent ? 'alles klopt' : 'LET OP: teller en aanmeldingen verschillen'}`,
  );
}

async function cancel(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const registrationId = need(args[1], '<registrationId>');
  const result: Json = await client.json(
    'DELETE',
    `/admin/events/${encodeURIComponent(eventId)}/registrations/${encodeURIComponent(registrationId)}`,
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  const registration = result.registration;
  io.out(
    `Aanmelding ${registration.id} van ${registration.name} is geannuleerd; de plaatsen zijn vrijgegeven.`,
  );
}

const BATCH_OUTCOME_NL: Record<string, string> = {
  cancelled: 'geannuleerd',
  'would-cancel': 'zou worden geannuleerd',
  'already-cancelled': 'was al geannuleerd',
  'not-found': 'niet gevonden',
};

async function cancelBatch(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const fromFile = options['ids-file']
    ? (await readFile(options['ids-file'], 'utf8')).split(/\s+/).filter(Boolean)
    : [];
  const registrationIds = [...args.slice(1), ...fromFile];
  if (registrationIds.length === 0)
    throw new UsageError('Ontbreekt: <registrationId> of --ids-file. Zie --help.');
  const dryRun = options['dry-run'] === true;
  const result: Json = await client.json(
    'POST',
    `/admin/events/${encodeURIComponent(eventId)}/registrations/cancel-batch`,
    { registrationIds, dryRun },
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(
    table(
      ['Aanmelding', 'Naam', 'E-mail', 'Resultaat'],
      result.items.map((item: Json) => [
        item.registrationId,
        item.registration?.name ?? '',
        item.registration?.email ?? '',
        BATCH_OUTCOME_NL[item.outcome] ?? item.outcome,
      ]),
    ),
  );
  const counts = result.counts;
  io.out(
    dryRun
      ? `\nProefrun: ${counts['would-cancel']} zou${counts['would-cancel'] === 1 ? '' : 'den'} worden geannuleerd; er is niets gewijzigd.`
      : `\n${counts.cancelled} geannuleerd (batch ${result.batchId}); de plaatsen zijn vrijgegeven.`,
  );
}

async function putEventFile(client: AdminClient, args: string[], options: Options, io: Io) {
  const file = need(args[0], '<bestand.json>');
  const eventId = options['event-id'] ?? path.basename(file, '.json');
  let definition: unknown;
  try {
    definition = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is geen leesbare JSON: ${(error as Error).message}`);
  }
  const result: Json = await client.json('PUT', `/admin/events/${encodeURIComponent(eventId)}`, definition);
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(`Evenement ${result.id} ${result.created ? 'aangemaakt' : 'bijgewerkt'}: ${result.title}\n`);
  io.out(
    table(
      ['Ronde', 'Workshop', 'Capaciteit', 'Vrij'],
      result.rounds.flatMap((round: Json) =>
        round.workshops.map((w: Json) => [round.title, w.title, w.capacity, w.seatsLeft]),
      ),
    ),
  );
}

async function audit(client: AdminClient, args: string[], options: Options, io: Io) {
  const eventId = need(args[0], '<eventId>');
  const limit = positiveLimit(options.limit) ?? 50;
  const result: Json = await client.json(
    'GET',
    `/admin/events/${encodeURIComponent(eventId)}/audit?limit=${Math.min(500, limit)}`,
  );
  if (options.json) return io.out(JSON.stringify(result, null, 2));
  io.out(
    table(
      ['Tijdstip (UTC)', 'Wie', 'Actie', 'Aanmelding', 'Details'],
      result.items.map((item: Json) => [
        String(item.at).replace('T', ' ').slice(0, 19),
        item.actor?.username ?? item.actor?.sub ?? '',
        ACTION_NL[item.action] ?? item.action,
        item.registrationId ?? '',
        JSON.stringify(item.details),
      ]),
    ),
  );
}

const COMMANDS: Record<
  string,
  (client: AdminClient, args: string[], options: Options, io: Io) => Promise<void>
> = {
  list,
  export: exportCsv,
  summary,
  cancel,
  'cancel-batch': cancelBatch,
  'put-event': putEventFile,
  audit,
};

/** Runs one command; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv, io.env);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { command, args, options } = parsed;
  if (options.help || !command) {
    (command || options.help ? io.out : io.err)(HELP);
    return options.help ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`Onbekende opdracht: ${command}\n\n${HELP}`);
    return 2;
  }
  try {
    await run(new AdminClient(options, io), args, options, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof ApiError) {
      io.err(`Geweigerd (HTTP ${error.status}, ${error.code}): ${error.message}`);
      if (error.details !== undefined) io.err(JSON.stringify(error.details, null, 2));
      if (error.status === 401) io.err('Controleer het token of log opnieuw in.');
      return 1;
    }
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    io.err(`Mislukt: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
    return 1;
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  main(process.argv.slice(2), {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    env: process.env,
    fetch: globalThis.fetch,
    askPassword: askPasswordOnTerminal,
    signIn: (input) => cognitoSignIn(input),
  }).then((code) => {
    process.exitCode = code;
  });
}
