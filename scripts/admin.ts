/**
 * The organisers' command line: `npm run admin -- <command> …`. Talks to the admin API over HTTP, either
 * the local stack (bearer ADMIN_TOKEN) or a deployed stack (Cognito sign-in, the IdToken as the Authorization header).
 * Output is for people, in Dutch; `--json` prints the API's JSON instead. `--help` is in English.
 * Modules: admin/commands.ts (the commands), admin/client.ts (options, HTTP client), admin/sign-in.ts
 * (Cognito), admin/output.ts (tables, Dutch words).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { AdminClient, ApiError, type Io, type Options, UsageError } from './admin/client.js';
import { COMMANDS } from './admin/commands.js';
import { askPasswordOnTerminal, cognitoSignIn } from './admin/sign-in.js';

export { type Io, regionFromUrl } from './admin/client.js';
export { table } from './admin/output.js';
export {
  askPasswordOnTerminal,
  cognitoSignIn,
  otpauthUri,
  type SignInInput,
  type SignInPrompts,
  TOTP_ISSUER,
} from './admin/sign-in.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const HELP = `vol-is-vol organiser CLI

Usage: npm run admin -- <command> [arguments] [options]

Commands:
  list <eventId> [--workshop <id>] [--status confirmed|cancelled] [--q <text>] [--limit <n>]
      List registrations (all pages, or the first <n>), oldest first.
  export <eventId> --out <file.csv|file.xlsx> [--format csv|xlsx] [--workshop <id>]
      Save the registrations as CSV (UTF-8, for Excel) or as an Excel workbook (--format xlsx,
      or an --out ending in .xlsx): every registration and an attendance sheet per workshop.
      With --workshop: the attendance list of that workshop (confirmed only, sorted by name).
  summary <eventId>
      Seats per workshop: capacity, taken, left, confirmed holders, and whether they agree.
  cancel <eventId> <registrationId>
      Cancel a registration on the attendee's behalf (releases the seats).
  cancel-batch <eventId> [<registrationId> …] [--ids-file <file>] [--dry-run]
      Cancel up to 100 registrations you judge abusive (a seat-draining bot), each as
      \`cancel\` does (seats released, cancellation email, audited with one batch id).
      --dry-run lists what would be cancelled and changes nothing. --ids-file: one id
      per line.
  resend-confirmation <eventId> <registrationId>
      Send the confirmation again (through the outbox, audited) with a fresh personal link;
      earlier links stop working. Someone waiting for a place gets their waiting-list email.
  An id that starts with "-" (some older ones do) goes after "--", which ends the options:
      cancel dag-2019 -- -Xy3…
  put-event <file.json> [--event-id <id>] [--dry-run] [--no-notify]
      Create or update an event from a definition file (the id defaults to the file name).
      An update that changes the programme emails it to the confirmed registrants concerned.
      --dry-run says whether it would create or update and how many it would email, and
      changes nothing. --no-notify updates without emailing anyone (a typo fix).
  audit <eventId> [--limit <n>]
      The audit log of admin changes, newest first.
  message <eventId> --subject <text> --body-file <file.txt> [--subject-en <text>]
          [--body-file-en <file.txt>] [--workshop <id>] [--status confirmed|waiting] [--dry-run]
      Email a plain-text message to the registrants (default: every confirmed one; with
      --workshop: those holding it, or with --status waiting those waiting for it), each in
      their language (English where given, else Dutch) with their workshops and manage link.
      --dry-run counts the recipients and sends nothing.
  messages <eventId>
      The messages sent, newest first, with copies sent, pending and failed.

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
      format: { type: 'string' },
      'event-id': { type: 'string' },
      'ids-file': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'no-notify': { type: 'boolean' },
      subject: { type: 'string' },
      'subject-en': { type: 'string' },
      'body-file': { type: 'string' },
      'body-file-en': { type: 'string' },
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
