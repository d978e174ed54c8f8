/**
 * `npm start`: the whole stack on one machine. Environment (all optional): PORT (3000), DATA_DIR (.data),
 * DYNAMODB_PORT (8000; the embedded DynamoDB endpoint), DYNAMODB_ENDPOINT (use that DynamoDB instead),
 * ADMIN_TOKEN (bearer token for /admin; random and printed when unset), DOOR_TOKEN (door staff's bearer token:
 * the check-in routes only; random and printed when unset), SES_PORT (8005; local SES emulator
 * and its mail viewer), PUBLIC_BASE_URL (start of the links in emails; default the API's address),
 * DYNAMODB_CONFLICT_MODEL=on with DYNAMODB_SERVICE_TIME_MS / DYNAMODB_SERVICE_TIME_SIGMA (DynamoDB's transaction
 * conflicts modelled in the embedded DynamoDB; local/dynamodb/conflict-model.ts).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readDoorToken } from '../lambdas/config.js';
import { conflictModelFromEnv } from './dynamodb/conflict-model.js';
import { repoRoot, startLocalStack } from './stack.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('.data'),
  DYNAMODB_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  DYNAMODB_ENDPOINT: z.url().optional(),
  HOST: z.string().default('127.0.0.1'),
  ADMIN_TOKEN: z.string().min(1).optional(),
  SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
  PUBLIC_BASE_URL: z.url().optional(),
});

async function main() {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      console.error(`Invalid ${issue.path.join('.')}: ${issue.message}`);
    process.exit(2);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  await mkdir(dataDir, { recursive: true });

  const conflictModel = conflictModelFromEnv(process.env);
  let doorToken: string | undefined;
  try {
    doorToken = readDoorToken();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const stack = await startLocalStack({
    port: env.PORT,
    host: env.HOST,
    dataDir: path.join(dataDir, 'dynamodb'),
    dynamodbPort: env.DYNAMODB_PORT,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
    eventsDir: path.join(repoRoot, 'events'),
    staticDir: path.join(repoRoot, 'web', 'dist'),
    adminToken: env.ADMIN_TOKEN,
    doorToken,
    sesPort: env.SES_PORT,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    conflictModel,
  });

  const lines = [
    'vol-is-vol local stack is running',
    `  API and form      ${stack.apiUrl}`,
    `  seed event        ${stack.apiUrl}/events/dag-van-weerbaar-bestuur-2019`,
    `  DynamoDB          ${stack.dynamodbEndpoint} (table ${stack.tableName}${stack.embeddedDynamo ? `, data in ${dataDir}` : ''})`,
    ...(conflictModel
      ? [`  conflict model    on (median service time ${conflictModel.serviceTimeMedianMs} ms)`]
      : []),
    stack.seeded.length > 0
      ? `  events loaded     ${stack.seeded.join(', ')}`
      : '  events            already loaded',
    `  mail viewer       ${stack.sesUrl}   (sent mail as JSON: ${stack.sesUrl}/store)`,
    `  organisers        ${stack.apiUrl}/admin/   (sign in with the admin token)`,
    `  admin token       ${env.ADMIN_TOKEN ? '(from ADMIN_TOKEN)' : stack.adminToken}`,
    `  door token        ${doorToken ? '(from DOOR_TOKEN)' : stack.doorToken}   (check-in only: ${stack.apiUrl}/checkin.html)`,
    'Stop with Ctrl+C.',
  ];
  console.log(lines.join('\n'));
  if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length < 16) {
    console.warn(
      'Warning: ADMIN_TOKEN is shorter than 16 characters; fine on your laptop, guessable anywhere else.',
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`vol-is-vol could not start: ${error.message}`);
  process.exit(1);
});
