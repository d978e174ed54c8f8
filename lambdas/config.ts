import { z } from 'zod';

/**
 * Function configuration, read from the environment and validated once at cold start.
 * A missing or malformed variable stops the container with a clear message instead of failing per request.
 */
const configSchema = z.object({
  TABLE_NAME: z.string().min(3),
  AWS_REGION: z.string().min(1).default('eu-west-1'),
  /** Set only outside AWS: the embedded DynamoDB of the local stack and the tests. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  DYNAMODB_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  DYNAMODB_CONNECTION_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
});

/** Parses the environment with a schema; a problem stops the container with every field named. */
function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv, what: string): z.output<T> {
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
  MAIL_FROM: z.string().min(3),
  MAIL_REPLY_TO: z.string().min(3).optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Where the form and the manage page live; the manage link in emails starts with it. */
  PUBLIC_BASE_URL: z.url(),
  /** Set only outside AWS: the local SES emulator. */
  SES_ENDPOINT: z.url().optional(),
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
  CURSOR_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** Outside AWS, optional: a fixed signing key (at least 32 characters); else a random one per process. */
  CURSOR_SECRET: z.string().min(32).optional(),
});

export type CursorConfig = { secretArn?: string; secret?: string };

/** Where the admin function's cursor signing key comes from, validated once at its cold start. */
export function readCursorConfig(env: NodeJS.ProcessEnv = process.env): CursorConfig {
  const values = parseEnv(cursorConfigSchema, env, 'cursor configuration');
  return { secretArn: values.CURSOR_SECRET_ARN, secret: values.CURSOR_SECRET };
}
