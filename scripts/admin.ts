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
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
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
  The password is asked for (hidden), or read from env VOL_PASSWORD.

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

export type SignInInput = { region: string; clientId: string; username: string; password: string };

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

/** Cognito USER_PASSWORD_AUTH (the app client must allow it); the IdToken carries the groups claim. */
export async function cognitoSignIn(
  input: SignInInput,
  client = new CognitoIdentityProviderClient({ region: input.region }),
): Promise<string> {
  try {
    const result = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: input.clientId,
        AuthParameters: { USERNAME: input.username, PASSWORD: input.password },
      }),
    );
    if (result.ChallengeName) {
      throw new Error(
        `Cognito vraagt een extra stap (${result.ChallengeName}); rond die eerst af in de Cognito-console of hosted UI.`,
      );
    }
    const token = result.AuthenticationResult?.IdToken;
    if (!token) throw new Error('Cognito gaf geen IdToken terug.');
    return token;
  } finally {
    client.destroy();
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
      this.bearer = await this.io.signIn({ region, clientId, username, password });
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
