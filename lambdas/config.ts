import * as z from 'zod/mini';

/**
 * Function configuration, read from the environment and validated once at cold start.
 * A missing or malformed variable stops the container with a clear message instead of failing per request.
 */
const configSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'eu-west-1'),
  /** Set only outside AWS: the embedded DynamoDB of the local stack and the tests. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  DYNAMODB_REQUEST_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 3_000),
  DYNAMODB_CONNECTION_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 2_000),
});

/** Parses the environment with a schema; a problem stops the container with every field named. */
function parseEnv<T extends z.ZodMiniType>(schema: T, env: NodeJS.ProcessEnv, what: string): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid ${what}: ${problems}`);
  }
  return parsed.data;
}

export type Config = {
  tableName: string;
  region: string;
  dynamodbEndpoint?: string;
  dynamodbRequestTimeoutMs: number;
  dynamodbConnectionTimeoutMs: number;
};

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values = parseEnv(configSchema, env, 'configuration');
  return {
    tableName: values.TABLE_NAME,
    region: values.AWS_REGION,
    dynamodbEndpoint: values.DYNAMODB_ENDPOINT,
    dynamodbRequestTimeoutMs: values.DYNAMODB_REQUEST_TIMEOUT_MS,
    dynamodbConnectionTimeoutMs: values.DYNAMODB_CONNECTION_TIMEOUT_MS,
  };
}

const mailConfigSchema = z.object({
  /** "Name <address>" of the verified SES identity. */
  MAIL_FROM: z.string().check(z.minLength(3)),
  MAIL_REPLY_TO: z.optional(z.string().check(z.minLength(3))),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /** Where the form and the manage page live; the manage link in emails starts with it. */
  PUBLIC_BASE_URL: z.url(),
  /** Set only outside AWS: the local SES emulator. */
  SES_ENDPOINT: z.optional(z.url()),
});

export type MailConfig = {
  from: string;
  replyTo?: string;
  configurationSet?: string;
  publicBaseUrl: string;
  sesEndpoint?: string;
};

/** Configuration of the functions that send email, validated once at their cold start. */
export function readMailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig {
  const values = parseEnv(mailConfigSchema, env, 'mail configuration');
  return {
    from: values.MAIL_FROM,
    replyTo: values.MAIL_REPLY_TO,
    configurationSet: values.SES_CONFIGURATION_SET,
    publicBaseUrl: values.PUBLIC_BASE_URL,
    sesEndpoint: values.SES_ENDPOINT,
  };
}

const cursorConfigSchema = z.object({
  /** In AWS: the stage's generated secret (Secrets Manager) that signs the admin page cursors. */
  CURSOR_SECRET_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  /** Outside AWS, optional: a fixed signing key (at least 32 characters); else a random one per process. */
  CURSOR_SECRET: z.optional(z.string().check(z.minLength(32))),
});

export type CursorConfig = { secretArn?: string; secret?: string };

/** Where the admin function's cursor signing key comes from, validated once at its cold start. */
export function readCursorConfig(env: NodeJS.ProcessEnv = process.env): CursorConfig {
  const values = parseEnv(cursorConfigSchema, env, 'cursor configuration');
  return { secretArn: values.CURSOR_SECRET_ARN, secret: values.CURSOR_SECRET };
}

/*
 * The smaller settings below, one reader each, so that a function parses only the ones it uses (each module
 * that needs one calls its reader once, at cold start).
 * No other file under lambdas/ reads process.env (test/unit/config-env.test.ts).
 */

const serviceSchema = z.object({ POWERTOOLS_SERVICE_NAME: z.optional(z.string()) });

/** The service name on every log line (`POWERTOOLS_SERVICE_NAME`, default `vol-is-vol`). */
export function readServiceName(env: NodeJS.ProcessEnv = process.env): string {
  return parseEnv(serviceSchema, env, 'log configuration').POWERTOOLS_SERVICE_NAME?.trim() || 'vol-is-vol';
}

const corsSchema = z.object({
  /** Comma-separated origins whose browsers may call the API; unset locally, where the form is same-origin. */
  ALLOWED_ORIGINS: z.optional(z.string()),
});

/** The origins named in the API's CORS headers, validated once at cold start. */
export function readAllowedOrigins(env: NodeJS.ProcessEnv = process.env): string[] {
  const origins = parseEnv(corsSchema, env, 'CORS configuration').ALLOWED_ORIGINS ?? '';
  return origins
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

const adminGroupSchema = z.object({ ADMIN_GROUP: z.optional(z.string()) });

/** The group whose members may use the admin API (`ADMIN_GROUP`, default `organisers`). */
export function readAdminGroup(env: NodeJS.ProcessEnv = process.env): string {
  return parseEnv(adminGroupSchema, env, 'admin configuration').ADMIN_GROUP?.trim() || 'organisers';
}

const doorTokenSchema = z.object({
  /** The local stack's stand-in for a door staff member's sign-in (Cognito group `door`); at least 16 characters. */
  DOOR_TOKEN: z.optional(z.string().check(z.minLength(16))),
});

/** `DOOR_TOKEN` of the local stack, validated; undefined when unset (then the stack makes a random one). */
export function readDoorToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return parseEnv(doorTokenSchema, env, 'local door credential').DOOR_TOKEN;
}

const consistencyCheckSchema = z.object({
  /** How long the consistency check waits before looking again at what seems to drift (0..60 000 ms). */
  CONSISTENCY_RECHECK_DELAY_MS: z.optional(z.coerce.number().check(z.int(), z.gte(0), z.lte(60_000))),
});

export function readConsistencyRecheckDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  return (
    parseEnv(consistencyCheckSchema, env, 'consistency check configuration').CONSISTENCY_RECHECK_DELAY_MS ??
    2_000
  );
}

const localCredentialsSchema = z.object({
  AWS_ACCESS_KEY_ID: z.optional(z.string()),
  AWS_SECRET_ACCESS_KEY: z.optional(z.string()),
});

/**
 * Credentials for a local endpoint (the embedded DynamoDB, the SES emulator), which accepts any: the
 * environment's when present, else placeholders. In AWS no endpoint is set and the SDK finds its own.
 */
export function readLocalCredentials(env: NodeJS.ProcessEnv = process.env): {
  accessKeyId: string;
  secretAccessKey: string;
} {
  const values = parseEnv(localCredentialsSchema, env, 'local credentials');
  return {
    accessKeyId: values.AWS_ACCESS_KEY_ID ?? 'local',
    secretAccessKey: values.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
}

const stageSchema = z.object({
  /** The deployment stage (dev, acceptance, production); `local` outside AWS. */
  STAGE: z._default(z.string().check(z.minLength(1)), 'local'),
});

/** The stage this function runs in: the one dimension of the business metrics. */
export function readStage(env: NodeJS.ProcessEnv = process.env): string {
  return parseEnv(stageSchema, env, 'stage').STAGE;
}
