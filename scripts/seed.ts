/**
 * Loads an event definition into a table, locally or in AWS:
 *   npm run seed -- events/dag-van-weerbaar-bestuur-2019.json [--table NAME] [--endpoint URL] [--region REGION]
 * Defaults: TABLE_NAME, DYNAMODB_ENDPOINT and AWS_REGION from the environment. Without an endpoint the
 * AWS SDK's usual credentials and region are used. Creates the event or updates it: capacities may change
 * but never below the seats already taken.
 */
import { parseArgs } from 'node:util';
import { DynamoAdminQueries } from '../lambdas/adapters/dynamodb/admin-queries.js';
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../lambdas/adapters/dynamodb/dynamo-store.js';
import { CapacityBelowTaken } from '../lambdas/domain/errors.js';
import { readEventFile } from '../local/event-files.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      table: { type: 'string', default: process.env.TABLE_NAME },
      endpoint: { type: 'string', default: process.env.DYNAMODB_ENDPOINT },
      region: { type: 'string', default: process.env.AWS_REGION ?? 'eu-west-1' },
    },
  });
  const [file] = positionals;
  if (!file || !values.table) {
    console.error(
      'usage: npm run seed -- <event.json> --table <table name> [--endpoint <url>] [--region <region>]',
    );
    process.exit(2);
  }
  const { eventId, definition } = await readEventFile(file);
  const client = createDocumentClient({
    region: values.region ?? 'eu-west-1',
    endpoint: values.endpoint,
    requestTimeoutMs: 10_000,
  });
  try {
    // In the registry like an event put through the API: the organisers' list and the scheduled checks see it.
    await new DynamoAdminQueries(client, values.table).add(eventId);
    await new DynamoStore(client, values.table).putEventDefinition(eventId, definition);
  } catch (error) {
    if (error instanceof CapacityBelowTaken) {
      console.error(`Not loaded: capacity below seats taken for ${error.details.workshopIds.join(', ')}`);
      process.exit(1);
    }
    throw error;
  }
  const workshops = definition.rounds.reduce((sum, round) => sum + round.workshops.length, 0);
  console.log(
    `Loaded ${eventId}: ${definition.rounds.length} rounds, ${workshops} workshops into ${values.table}`,
  );
}

main().catch((error: Error) => {
  console.error(`seed failed: ${error.name}: ${error.message}`);
  process.exit(1);
});
