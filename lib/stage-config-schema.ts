import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

/** The schema of a stage's settings: every field validated, placeholders refused in the public stages (stage-config.ts holds the values). */

export const stageNames = ['dev', 'test', 'acceptance', 'production'] as const;
export const stageNameSchema = z.enum(stageNames);
export type StageName = z.infer<typeof stageNameSchema>;

export const DEFAULT_STAGE: StageName = 'dev';

const retentionDays = new Set<number>(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);

function isLocalhost(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1';
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** https, or http only for localhost. */
function schemeOk(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLocalhost(url));
}

/** A browser origin: scheme, host and optional port; https, or http only for localhost. */
const originSchema = z.string().refine((value) => {
  const url = parseUrl(value);
  return url !== undefined && schemeOk(url) && url.origin === value;
}, 'must be an origin like https://example.org (no path, no trailing slash; http only for localhost)');

/** Where the form and the manage page live: an absolute https URL (http only for localhost), no query. */
const publicBaseUrlSchema = z.string().refine((value) => {
  const url = parseUrl(value);
  return url !== undefined && schemeOk(url) && url.search === '' && url.hash === '' && !value.endsWith('/');
}, 'must be an absolute URL like https://aanmelden.example.nl or https://example.nl/aanmelden (no trailing slash, no query; http only for localhost)');

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const emailSchema = z.email();

/** `Name <address>` or a bare address. The display name may not contain `<`, `>`, `"` or line breaks. */
const MAILBOX = /^\s*(?:([^<>"\r\n]*?)\s*<([^<>\s]+)>|([^<>\s]+))\s*$/;

export type Mailbox = { readonly displayName?: string; readonly address: string };

/** Splits `Dag van Weerbaar Bestuur <aanmelden@example.nl>` into display name and address; undefined if malformed. */
export function parseMailbox(value: string): Mailbox | undefined {
  const match = MAILBOX.exec(value);
  if (match === null) return undefined;
  const address = (match[2] ?? match[3] ?? '').toLowerCase();
  if (!emailSchema.safeParse(address).success) return undefined;
  const displayName = match[1]?.trim();
  return displayName ? { displayName, address } : { address };
}

/** True when SES may send from `address` on the strength of `identity` (the address itself, its domain, or a parent domain). */
export function identityCovers(identity: string, address: string): boolean {
  const id = identity.toLowerCase();
  const addr = address.toLowerCase();
  if (id.includes('@')) return id === addr;
  const domain = addr.slice(addr.lastIndexOf('@') + 1);
  return domain === id || domain.endsWith(`.${id}`);
}

const emailConfigSchema = z
  .object({
    /**
     * The verified SES identity the functions send through: a domain (`aanmelden.example.nl`, DKIM-verified)
     * or a single address. IAM allows sending through this identity only.
     */
    identity: z
      .string()
      .refine(
        (value) => DOMAIN.test(value) || emailSchema.safeParse(value).success,
        'must be a domain like aanmelden.example.nl or an email address',
      ),
    /** Create the identity in the Data stack (outputs its DKIM records); false when it is verified already. */
    createIdentity: z.boolean(),
    /** The From header: `Display Name <address>`; the address must belong to the identity. */
    mailFrom: z.string().refine((value) => parseMailbox(value) !== undefined, {
      message: 'must be "Display Name <address@domain>" or a plain address',
    }),
    /** Optional Reply-To address (where attendees' answers go, e.g. the organisers' mailbox). */
    replyTo: emailSchema.optional(),
    /**
     * SES configuration set for the messages: `create` one in the API stack (reputation metrics, TLS required,
     * suppression on bounces and complaints), use an `existing` one by name, or `none`.
     */
    configurationSet: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('create') }).strict(),
      z
        .object({
          kind: z.literal('existing'),
          name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be a configuration set name'),
        })
        .strict(),
      z.object({ kind: z.literal('none') }).strict(),
    ]),
  })
  .strict()
  .superRefine((email, ctx) => {
    const from = parseMailbox(email.mailFrom);
    if (from !== undefined && !identityCovers(email.identity, from.address)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mailFrom'],
        message: `the address ${from.address} is not covered by the SES identity ${email.identity} (use an address at that domain or a subdomain of it)`,
      });
    }
  });

const reservedConcurrencySchema = z
  .object({
    /** Each scheduled function (a runaway or an overlapping run must not repeat work); 1–2 is plenty. */
    scheduledFunctions: z.number().int().min(1).max(10).optional(),
    /** Each function that serves admin routes only: an organiser's script gone wrong cannot starve the form. */
    adminFunctions: z.number().int().min(1).max(100).optional(),
    /** Per function name (from `lambdas/routes.ts`); overrides the two above. */
    functions: z.record(z.string(), z.number().int().min(1).max(1000)).default({}),
  })
  .strict();

/**
 * Stages open to the public: they must name their account, the form's own domain and certificate, an alarm
 * address, and nothing under a documentation domain. dev and test stay runnable without any of that.
 */
export const publicStages: ReadonlySet<StageName> = new Set(['acceptance', 'production']);

/** Documentation and reserved names (RFC 2606, RFC 6761): never a real origin, identity or mailbox. */
const PLACEHOLDER_HOST = /(^|\.)(example\.(org|com|net|nl)|example|test|invalid|localhost)$/i;

function placeholderHost(value: string): string | undefined {
  const host = value.includes('@')
    ? value.slice(value.lastIndexOf('@') + 1).replace(/>.*$/, '')
    : (parseUrl(value)?.hostname ?? value);
  return PLACEHOLDER_HOST.test(host.trim()) ? host.trim() : undefined;
}

/** What each public-stage setting must hold, in the synth error that names it. */
const PUBLIC_STAGE_FIELDS = {
  account: 'the 12-digit id of the AWS account of this stage (aws sts get-caller-identity)',
  webDomainName: "the form's own host name, e.g. aanmelden.uw-organisatie.nl (its origin in allowedOrigins)",
  webCertificateArn:
    'the ARN of an issued ACM certificate for webDomainName in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>)',
  alarmEmail: 'the mailbox of whoever is on call for this stage',
} as const;

function requirePublicStageSettings(
  config: z.output<typeof baseStageConfigSchema>,
  ctx: z.RefinementCtx,
): void {
  for (const [field, what] of Object.entries(PUBLIC_STAGE_FIELDS)) {
    if (config[field as keyof typeof PUBLIC_STAGE_FIELDS] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `required for stage ${config.stage}: put ${what}`,
      });
    }
  }
  const named: [(string | number)[], string | undefined, string][] = [
    ...config.allowedOrigins.map((origin, index): [(string | number)[], string, string] => [
      ['allowedOrigins', index],
      origin,
      "the form's real origin (https://<webDomainName>)",
    ]),
    [['publicBaseUrl'], config.publicBaseUrl, "the form's real URL (https://<webDomainName>)"],
    [['webDomainName'], config.webDomainName, "the form's real host name"],
    [['email', 'identity'], config.email.identity, 'the SES domain (or address) you verify for sending'],
    [['email', 'mailFrom'], config.email.mailFrom, '"Display Name <address>" at the SES identity'],
    [['email', 'replyTo'], config.email.replyTo, "the organisers' real mailbox"],
    [['alarmEmail'], config.alarmEmail, 'the mailbox of whoever is on call for this stage'],
  ];
  for (const [fieldPath, value, what] of named) {
    const host = value === undefined ? undefined : placeholderHost(value);
    if (host !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: fieldPath,
        message: `${host} is a placeholder, not allowed for stage ${config.stage}: put ${what}`,
      });
    }
  }
}

const baseStageConfigSchema = z
  .object({
    stage: stageNameSchema,
    /** Target account; falls back to CDK_DEFAULT_ACCOUNT (the CLI's current credentials). */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** Target region; falls back to CDK_DEFAULT_REGION. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/, 'must be an AWS region like eu-west-1')
      .optional(),
    /** API Gateway stage throttling (steady requests per second and burst), for the whole stage. */
    throttling: z
      .object({
        rateLimit: z.number().positive().max(10_000),
        burstLimit: z.number().int().positive().max(5_000),
      })
      .strict(),
    /** Browser origins allowed by CORS (preflight, gateway responses, and the functions' own responses). */
    allowedOrigins: z.array(originSchema).min(1),
    /** Where the form and the manage page live; links in emails start here. Its origin must be allowed. */
    publicBaseUrl: publicBaseUrlSchema,
    /** Retention of Lambda, API access and execution log groups, in days (a CloudWatch Logs retention value). */
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => retentionDays.has(days), {
        message: `must be one of ${[...retentionDays].sort((a, b) => a - b).join(', ')}`,
      })
      .transform((days) => days as RetentionDays),
    /** CloudFormation termination protection for the stacks of this stage. */
    terminationProtection: z.boolean(),
    /** Table encryption: the AWS-managed key (no cost), or a customer-managed KMS key with rotation. */
    tableKmsKey: z.enum(['aws-managed', 'customer-managed']),
    /**
     * Recovery only: the name of a table restored from point-in-time recovery that the functions use instead
     * of the Data stack's table (which stays, retained). See docs/deploy.md, "Restore".
     */
    restoredTableName: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')
      .optional(),
    /** Sending confirmation emails through SES. */
    email: emailConfigSchema,
    /** AWS WAF in front of the API stage. */
    waf: z
      .object({
        enabled: z.boolean(),
        /**
         * Registrations (POST /events/{id}/registrations) one IP address may send per 5 minutes before it is
         * refused with 429. Colleagues behind one office gateway share an address: keep it generous.
         */
        registrationRateLimit: z.number().int().min(10).max(2_000_000_000),
      })
      .strict(),
    /**
     * Seconds API Gateway caches `GET /events/{eventId}` (a stage cache of 0.5 GB, about $14 a month); 0: no
     * cache cluster. The answer says `Cache-Control: public, max-age=1` either way; the POST stays the truth.
     */
    eventCacheSeconds: z.number().int().min(0).max(2).optional(),
    /** Address that receives alarm notifications (SNS email subscription; confirm the first email). */
    alarmEmail: emailSchema.optional(),
    /** Reserved concurrency. Needs an account concurrency quota above 100 + the sum reserved. */
    reservedConcurrency: reservedConcurrencySchema,
    /**
     * Optional custom domain of the form's CloudFront distribution (`aanmelden.example.nl`), together with
     * `webCertificateArn`. Without it the form is served at the distribution's `*.cloudfront.net` name.
     */
    webDomainName: z
      .string()
      .refine((value) => DOMAIN.test(value), 'must be a host name like aanmelden.example.nl')
      .optional(),
    /** ACM certificate for `webDomainName`; CloudFront requires it to be in us-east-1. */
    webCertificateArn: z
      .string()
      .regex(
        /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/,
        'must be an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>)',
      )
      .optional(),
  })
  .strict();

export const stageConfigSchema = baseStageConfigSchema.superRefine((config, ctx) => {
  const url = parseUrl(config.publicBaseUrl);
  if (url !== undefined && !config.allowedOrigins.includes(url.origin)) {
    ctx.addIssue({
      code: 'custom',
      path: ['publicBaseUrl'],
      message: `its origin ${url.origin} must be one of allowedOrigins (the form posts from there)`,
    });
  }
  if ((config.webDomainName === undefined) !== (config.webCertificateArn === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [config.webDomainName === undefined ? 'webDomainName' : 'webCertificateArn'],
      message: 'webDomainName and webCertificateArn go together: set both or neither',
    });
  }
  if (publicStages.has(config.stage)) requirePublicStageSettings(config, ctx);
  if (config.webDomainName !== undefined && url !== undefined) {
    const webOrigin = `https://${config.webDomainName}`;
    if (url.origin !== webOrigin) {
      ctx.addIssue({
        code: 'custom',
        path: ['publicBaseUrl'],
        message: `must be on ${webOrigin} (webDomainName): the links in emails lead to the form served there`,
      });
    }
  }
});

export type StageConfigInput = z.input<typeof stageConfigSchema>;
export type StageConfig = z.output<typeof stageConfigSchema>;
export type EmailConfig = StageConfig['email'];
