import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAdminQueries } from '../lambdas/adapters/dynamodb/admin-queries.js';
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client.js';
import { DynamoStore } from '../lambdas/adapters/dynamodb/dynamo-store.js';
import {
  emailSenderFunctionSpec,
  emailStreamSettings,
  type FunctionName,
  functionSpecs,
  messageRecipientsFilter,
  newOutboxEntryFilter,
  routes,
  type ScheduledFunctionName,
  scheduledFunctionSpecs,
} from '../lambdas/routes.js';
import { createApiServer, type LambdaHandler } from './api-server.js';
import type { ConflictModelOptions } from './dynamodb/conflict-model.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from './dynamodb/embedded-dynamodb.js';
import { readEventDirectory } from './event-files.js';
import { startLocalSes } from './ses.js';
import { feedStream } from './stream-feed.js';
import { ensureTable } from './table.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type LocalStackOptions = {
  /** API and form port; 0 picks a free one. */
  port: number;
  host?: string;
  /** Where the embedded DynamoDB keeps its data; undefined keeps everything in memory (tests). */
  dataDir?: string;
  /** Port of the embedded DynamoDB endpoint; 0 picks a free one. */
  dynamodbPort?: number;
  /** Use this DynamoDB endpoint instead of starting the embedded one. */
  dynamodbEndpoint?: string;
  tableName?: string;
  /** Event definitions loaded when their event does not exist yet. */
  eventsDir?: string;
  /** Directory with the web form's static files. */
  staticDir?: string;
  /** Bearer token for the admin routes (stands in for Cognito locally); random when not given. */
  adminToken?: string;
  /** Bearer token of door staff (group `door`: the check-in routes only); random when not given. */
  doorToken?: string;
  /** Port of the local SES emulator and its mail viewer; 0 picks a free one. */
  sesPort?: number;
  /** Start of the manage links in emails; default the API's own address (it serves the form too). */
  publicBaseUrl?: string;
  /** Interval of every scheduled function; default its own schedule. 0 turns the intervals off (tests). */
  scheduleIntervalMs?: number;
  /** The embedded DynamoDB's transaction-conflict model (local/dynamodb/conflict-model.ts); default off. */
  conflictModel?: ConflictModelOptions;
};

export type LocalStack = {
  apiUrl: string;
  /** The local SES emulator: its mail viewer at `/`, what was sent at `GET /store`. */
  sesUrl: string;
  /** Runs a scheduled function now (tests do not wait for intervals). */
  runScheduled(name: ScheduledFunctionName): Promise<unknown>;
  /**
   * Resolves once the sender has handled every new outbox entry written so far (the emails are in the SES
   * emulator, or left to the retry). Resolves at once without the embedded DynamoDB (no change feed).
   */
  emailsSettled(): Promise<void>;
  /**
   * Switches the sender's feed off (as disabling its event source mapping would; what it misses, the
   * scheduled retry sends) or on again: for tests that play the sender themselves.
   */
  setEmailSenderEnabled(enabled: boolean): void;
  dynamodbEndpoint: string;
  tableName: string;
  embeddedDynamo?: EmbeddedDynamo;
  adminToken: string;
  doorToken: string;
  seeded: string[];
  close(): Promise<void>;
};

async function importHandler(entry: string): Promise<unknown> {
  const module = (await import(pathToFileURL(path.join(repoRoot, entry)).href)) as { handler: unknown };
  return module.handler;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is already in use (set PORT to another port)`)
          : error,
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Brings up the whole local stack: DynamoDB (embedded unless an endpoint is given), the table,
 * the event definitions that are not loaded yet, and the API serving the real handlers.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const tableName = options.tableName ?? 'vol-is-vol';
  const embeddedDynamo = options.dynamodbEndpoint
    ? undefined
    : await startEmbeddedDynamo({
        dataDir: options.dataDir,
        port: options.dynamodbPort ?? 0,
        conflictModel: options.conflictModel,
      });
  const dynamodbEndpoint = options.dynamodbEndpoint ?? embeddedDynamo?.endpoint ?? '';
  const closers: (() => Promise<void>)[] = [];
  if (embeddedDynamo) closers.push(() => embeddedDynamo.close());

  try {
    const region = process.env.AWS_REGION ?? 'eu-west-1';
    const credentials = {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    };
    const admin = new DynamoDBClient({ region, endpoint: dynamodbEndpoint, credentials });
    closers.push(async () => admin.destroy());
    await ensureTable(admin, tableName);

    const seeded: string[] = [];
    if (options.eventsDir) {
      const store = new DynamoStore(
        createDocumentClient({ region, endpoint: dynamodbEndpoint, requestTimeoutMs: 10_000 }),
        tableName,
      );
      const registry = new DynamoAdminQueries(
        createDocumentClient({ region, endpoint: dynamodbEndpoint, requestTimeoutMs: 10_000 }),
        tableName,
      );
      for (const { eventId, definition } of await readEventDirectory(options.eventsDir)) {
        // In the registry like an event put through the API: the organisers' list and the scheduled checks see it.
        await registry.add(eventId);
        if (await store.getEvent(eventId)) continue;
        await store.putEventDefinition(eventId, definition);
        seeded.push(eventId);
      }
    }

    // Listen first: the API's own address goes into the manage links of emails.
    const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
    const doorToken = options.doorToken ?? randomBytes(24).toString('base64url');
    const handlers = {} as Record<FunctionName, LambdaHandler>;
    // The server listens before the handlers are loaded (the manage links need its address): it holds every
    // request, /health included, until they are.
    let loaded: (ready: boolean) => void = () => undefined;
    const whenReady = new Promise<void>((resolve, reject) => {
      loaded = (ready) => (ready ? resolve() : reject(new Error('handlers not loaded')));
    });
    whenReady.catch(() => undefined);
    closers.push(async () => loaded(false));
    // Filled once the scheduled functions are loaded; the server waits for that before running one.
    const scheduled = {} as Record<ScheduledFunctionName, () => Promise<unknown>>;
    const server = createApiServer({
      routes,
      handlers,
      staticDir: options.staticDir,
      adminToken,
      doorToken,
      whenReady,
      runSchedule: (name) =>
        Object.hasOwn(scheduledFunctionSpecs, name) ? scheduled[name as ScheduledFunctionName]() : undefined,
    });
    server.keepAliveTimeout = 5_000;
    const port = await listen(server, options.port, host);
    closers.unshift(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const apiUrl = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;

    const ses = await startLocalSes(options.sesPort ?? 0, host);
    closers.push(ses.close);

    // The handlers read their configuration once, at import: set it before the first import.
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      AWS_REGION: region,
      // Everything runs in one process here, so requests queue behind each other more than in Lambda.
      DYNAMODB_REQUEST_TIMEOUT_MS: process.env.DYNAMODB_REQUEST_TIMEOUT_MS ?? '30000',
      DYNAMODB_CONNECTION_TIMEOUT_MS: process.env.DYNAMODB_CONNECTION_TIMEOUT_MS ?? '30000',
      SES_ENDPOINT: ses.url,
      MAIL_FROM: process.env.MAIL_FROM ?? 'Vol is vol (lokaal) <aanmelden@vol-is-vol.local>',
      PUBLIC_BASE_URL: options.publicBaseUrl ?? apiUrl,
    });
    for (const [name, spec] of Object.entries(functionSpecs) as [FunctionName, { entry: string }][]) {
      handlers[name] = (await importHandler(spec.entry)) as LambdaHandler;
    }

    // Scheduled functions run on an interval, as EventBridge runs them in AWS.
    for (const [name, spec] of Object.entries(scheduledFunctionSpecs) as [
      ScheduledFunctionName,
      { entry: string; everyMinutes: number },
    ][]) {
      const run = (await importHandler(spec.entry)) as () => Promise<unknown>;
      scheduled[name] = () => run();
      const every = options.scheduleIntervalMs ?? spec.everyMinutes * 60_000;
      if (every > 0) {
        const timer = setInterval(() => {
          run().catch((error: Error) => console.error(`${name} failed: ${error.name}`));
        }, every);
        timer.unref();
        closers.unshift(async () => clearInterval(timer));
      }
    }

    // The sender, fed as the table's stream feeds it in AWS: the embedded DynamoDB's change feed, same filter.
    let emailsSettled: LocalStack['emailsSettled'] = async () => {};
    let setEmailSenderEnabled: LocalStack['setEmailSenderEnabled'] = () => {};
    if (embeddedDynamo) {
      const stream = feedStream({
        feed: embeddedDynamo.changes,
        tableName,
        filters: [newOutboxEntryFilter, messageRecipientsFilter],
        handler: (await importHandler(emailSenderFunctionSpec.entry)) as Parameters<
          typeof feedStream
        >[0]['handler'],
        batchSize: emailStreamSettings.batchSize,
        batchWindowMs: 5,
        retryAttempts: emailStreamSettings.retryAttempts,
        retryDelayMs: 1_000,
        onError: (error) => console.error(`email sender failed: ${(error as Error).name}`),
      });
      emailsSettled = stream.idle;
      setEmailSenderEnabled = stream.setEnabled;
      closers.unshift(stream.close);
    }

    loaded(true);

    return {
      apiUrl,
      sesUrl: ses.url,
      runScheduled: (name) => scheduled[name](),
      emailsSettled,
      setEmailSenderEnabled,
      dynamodbEndpoint,
      tableName,
      embeddedDynamo,
      adminToken,
      doorToken,
      seeded,
      close: async () => {
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}
