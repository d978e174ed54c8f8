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

export type Config = {
  tableName: string;
  region: string;
  dynamodbEndpoint?: string;
  dynamodbRequestTimeoutMs: number;
  dynamodbConnectionTimeoutMs: number;
};

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const values = parsed.data;
  return {
    tableName: values.TABLE_NAME,
    region: values.AWS_REGION,
    dynamodbEndpoint: values.DYNAMODB_ENDPOINT,
    dynamodbRequestTimeoutMs: values.DYNAMODB_REQUEST_TIMEOUT_MS,
    dynamodbConnectionTimeoutMs: values.DYNAMODB_CONNECTION_TIMEOUT_MS,
  };
}
