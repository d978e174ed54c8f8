/**
 * Embedded DynamoDB endpoint: dynalite + a small project-owned layer. A test double of AWS DynamoDB for
 * local runs and tests, not a database.
 *
 * WHY: dynalite 4 (pure Node, LevelDB-backed) emulates single-item operations, queries, scans, GSIs/LSIs
 * and condition/update expressions faithfully, but has no transactions and no TTL. The application
 * relies on TransactWriteItems, so this layer adds what is missing and proxies everything else untouched.
 *
 * HOW: an HTTP server (node:http) in front of two dynalite servers on free 127.0.0.1 ports: the main one
 * (LevelDB in `dataDir`, or in memory) and an in-memory one for scratch tables, which is why no scratch
 * table ever shows up in ListTables or in the data directory. Requests are routed on
 * `X-Amz-Target: DynamoDB_20120810.<Op>`:
 *  - TransactWriteItems, TransactGetItems, UpdateTimeToLive, DescribeTimeToLive are implemented here
 *    (transactions.ts explains the transaction technique: conditions are evaluated by dynalite itself,
 *    through its public API, against a scratch copy of the touched items in a second in-memory dynalite).
 *  - Everything else is streamed to the main dynalite unchanged (status codes and headers preserved).
 *  - Serializability: one process-wide read-write lock. Transactions and every proxied write (PutItem,
 *    UpdateItem, DeleteItem, BatchWriteItem, Create/Update/DeleteTable) hold it exclusively; reads
 *    (GetItem, Query, Scan, BatchGetItem, TransactGetItems) hold it shared, so no read sees half a
 *    transaction and nothing interleaves with one.
 *
 * IMPLEMENTED (as documented for DynamoDB):
 *  - TransactWriteItems: ConditionCheck/Put/Update/Delete, 1..100 items, all-or-nothing; every condition is
 *    checked against the state before the transaction; TransactionCanceledException with one
 *    CancellationReason per item in item order (None / ConditionalCheckFailed [+ Item when
 *    ReturnValuesOnConditionCheckFailure=ALL_OLD] / ValidationError); ValidationException for malformed
 *    expressions, zero or more than 100 items, or several operations on one item; ResourceNotFoundException
 *    for unknown tables; ClientRequestToken idempotency for 10 minutes (a replay of a successful request
 *    returns success without writing; different parameters -> IdempotentParameterMismatchException;
 *    cancelled requests are not remembered).
 *  - TransactGetItems: consistent, atomic with respect to writes, ProjectionExpression supported.
 *  - UpdateTimeToLive / DescribeTimeToLive, plus a sweeper deleting expired items (TTL attribute is a number
 *    of epoch seconds in the past, and not older than five years) every `ttlSweepIntervalMs`.
 *  - `faults`: fail the next N calls of an operation with a throttling/conflict/internal error.
 *  - `conflictModel` (opt-in, off by default): DynamoDB's optimistic concurrency instead of the one writer at
 *    a time: transactions hold their items for a drawn service time and overlapping ones are cancelled with
 *    TransactionConflict. Its semantics, sources and assumptions are at the top of conflict-model.ts.
 *
 * NOT FAITHFUL (deliberately, it's a test double):
 *  - One global lock instead of per-item conflict detection (unless the conflict model is on): concurrent
 *    transactions never fail with TransactionConflict on their own (use `faults` for that), they simply
 *    queue. Throughput is that of one writer at a time (a few hundred small transactions per second).
 *  - Malformed vs. data-dependent errors in a transaction item are told apart by dynalite's validation
 *    phase (see transactions.ts); where dynalite's validation differs from DynamoDB's, so does ours.
 *  - Idempotency: only TransactItems are compared (ReturnConsumedCapacity may differ); the token memory is
 *    per process (lost on restart); a replay answers like the original (no read-unit accounting).
 *  - ConsumedCapacity is approximate (2 units per item); ItemCollectionMetrics are never returned.
 *    TransactionCanceledException carries both `message` and DynamoDB's `Message`.
 *  - TTL changes apply at once (no ENABLING/DISABLING states, no one-hour cool-down); expired items are
 *    deleted only by the sweeper (no streams, so no TTL stream records). TTL settings persist in `dataDir`.
 *  - Tables become ACTIVE almost immediately (dynalite runs with 0 ms create/update/delete delays).
 *  - No authentication or signature checks beyond dynalite's "headers present" check.
 *  - The scratch dynalite keeps a copy of the last state of every item a transaction touched (memory only).
 *  - close() waits for requests being handled; connections without a complete request are dropped.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import dynalite from 'dynalite';
import { ConflictModel, type ConflictModelOptions, type ConflictStats } from './conflict-model.js';
import { ReadWriteLock } from './rw-lock.js';
import { conflictCancellation, TransactionEngine, transactionConflict } from './transactions.js';
import {
  compact,
  DynaliteClient,
  DynamoError,
  dynamoError,
  type Json,
  sendJson,
  validationError,
} from './wire.js';

export type EmbeddedDynamoOptions = {
  /**
   * Directory for the data: LevelDB in `<dataDir>/leveldb`, TTL settings in `<dataDir>/ttl.json`, and a pid
   * file that keeps a second instance out. Undefined = in memory.
   */
  dataDir?: string;
  /** 0 or undefined = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Clock in epoch milliseconds, for idempotency-token expiry and TTL sweeps. Default Date.now. */
  now?: () => number;
  /** Interval of the background TTL sweeper. Default 60 000 ms; 0 disables it. */
  ttlSweepIntervalMs?: number;
  /** DynamoDB's transaction conflicts, modelled (conflict-model.ts). Undefined = off: one writer at a time. */
  conflictModel?: ConflictModelOptions;
};

export type FaultCode =
  | 'TransactionConflict'
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'InternalServerError';

export type FaultSwitch = {
  /**
   * Fails the next `times` calls of `op` (e.g. 'TransactWriteItems', 'PutItem') with `code`, before they do
   * anything. TransactionConflict on a transaction gives a TransactionCanceledException whose first reason is
   * TransactionConflict; on another operation a TransactionConflictException. Note that AWS SDK clients retry
   * throttling and 5xx errors by themselves (set `maxAttempts: 1` to see them).
   */
  failNext(op: string, code: FaultCode, times?: number): void;
  /** Drops all pending faults. */
  clear(): void;
};

export type EmbeddedDynamo = {
  /** e.g. http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** Closes the endpoint and both dynalite servers (and their LevelDB). Idempotent. */
  close(): Promise<void>;
  faults: FaultSwitch;
  /** Deletes expired items in every table with TTL enabled now; resolves with the number deleted. */
  sweepExpiredItems(): Promise<number>;
  /**
   * Switches the conflict model on (with these options, counters from zero) or off (undefined), for the
   * requests that arrive from now on.
   */
  setConflictModel(options: ConflictModelOptions | undefined): void;
  /** The conflict model's counters since it was last switched on; undefined while it is off. */
  conflictStats(): ConflictStats | undefined;
};

const TARGET_PREFIX = 'DynamoDB_20120810.';
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const FIVE_YEARS_S = 5 * 365 * 24 * 60 * 60;
const SINGLE_WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const EXCLUSIVE_OPS = new Set([...SINGLE_WRITE_OPS, 'BatchWriteItem']);
const SHARED_OPS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const newConflictModel = (o: ConflictModelOptions | undefined) => (o ? new ConflictModel(o) : undefined);
  const initialConflictModel = newConflictModel(options.conflictModel);
  const faults = new Faults();

  // Bind the public port first so that "port in use" is reported before any data directory is opened.
  let markReady: (layer: Layer) => void = () => {};
  let markFailed: (error: unknown) => void = () => {};
  const ready = new Promise<Layer>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  ready.catch(() => {});
  const tracker = new RequestTracker();
  const front = http.createServer((req, res) => {
    tracker.track(
      ready
        .then((layer) => layer.handle(req, res, faults))
        .catch((error: unknown) => respondWithError(res, error)),
    );
  });
  await listen(front, options.port ?? 0, host);

  const dynalites: http.Server[] = [];
  let releaseDataDir = async () => {};
  let layer: Layer;
  try {
    const ttlFile = options.dataDir ? join(options.dataDir, 'ttl.json') : undefined;
    let path: string | undefined;
    if (options.dataDir) {
      path = join(options.dataDir, 'leveldb');
      await mkdir(path, { recursive: true });
      releaseDataDir = await claimDataDir(options.dataDir);
    }
    const delays = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
    const realServer = dynalite({ ...delays, path });
    dynalites.push(realServer);
    const scratchServer = dynalite(delays);
    dynalites.push(scratchServer);
    const real = new DynaliteClient(await listen(realServer, 0, '127.0.0.1'));
    const scratch = new DynaliteClient(await listen(scratchServer, 0, '127.0.0.1'));
    const lock = new ReadWriteLock();
    const transactions = new TransactionEngine({ real, scratch, lock, now });
    transactions.conflictModel = initialConflictModel;
    layer = new Layer(real, scratch, lock, transactions, await TtlSettings.load(ttlFile), now);
  } catch (error) {
    markFailed(error);
    await closeServer(front);
    await Promise.allSettled(dynalites.map(closeServer));
    await releaseDataDir();
    throw error;
  }
  markReady(layer);

  const interval = options.ttlSweepIntervalMs ?? 60_000;
  const timer =
    interval > 0
      ? setInterval(() => void layer.sweepExpiredItems().catch(() => {}), interval).unref()
      : undefined;

  let closing: Promise<void> | undefined;
  const port = (front.address() as AddressInfo).port;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    faults,
    sweepExpiredItems: () => layer.sweepExpiredItems(),
    setConflictModel(conflictOptions) {
      layer.transactions.conflictModel = newConflictModel(conflictOptions);
    },
    conflictStats: () => {
      const stats = layer.transactions.conflictModel?.stats;
      return stats && { ...stats };
    },
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await layer.sweepInProgress();
        const frontClosed = closeServer(front);
        await tracker.idle();
        front.closeAllConnections();
        await frontClosed;
        layer.real.close();
        layer.scratch.close();
        await Promise.all(dynalites.map(closeServer));
        await layer.ttl.flush();
        await releaseDataDir();
      })();
      return closing;
    },
  };
}

/** The request router; exists once the backends are up. */
class Layer {
  #sweeping: Promise<number> | undefined;

  constructor(
    readonly real: DynaliteClient,
    readonly scratch: DynaliteClient,
    readonly lock: ReadWriteLock,
    readonly transactions: TransactionEngine,
    readonly ttl: TtlSettings,
    readonly now: () => number,
  ) {}

  async handle(req: http.IncomingMessage, res: http.ServerResponse, faults: Faults): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';

    const fault = faults.take(op);
    if (fault) {
      const items = parseJsonOrEmpty(await readBody(req)).TransactItems;
      throw faultError(op, fault, Array.isArray(items) ? items.length : 1);
    }

    switch (op) {
      case 'TransactWriteItems':
        return sendJson(res, 200, await this.transactions.transactWrite(await readJson(req)));
      case 'TransactGetItems':
        return sendJson(res, 200, await this.transactions.transactGet(await readJson(req)));
      case 'UpdateTimeToLive':
        return sendJson(res, 200, await this.#updateTimeToLive(await readJson(req)));
      case 'DescribeTimeToLive':
        return sendJson(res, 200, await this.#describeTimeToLive(await readJson(req)));
      case 'CreateTable':
      case 'UpdateTable':
        return this.lock.exclusive(async () => {
          await proxy(req, res, this.real);
          this.transactions.forgetTables();
        });
      case 'DeleteTable': {
        const body = await readBody(req);
        const status = await this.lock.exclusive(async () => {
          const status = await proxy(req, res, this.real, body);
          this.transactions.forgetTables();
          return status;
        });
        if (status === 200) await this.ttl.set(tableNameOf(body), undefined);
        return;
      }
      default:
        if (SINGLE_WRITE_OPS.has(op) && this.transactions.conflictModel) {
          const body = await readBody(req);
          await this.lock.exclusive(async () => {
            await this.transactions.assertNotHeld(op, parseJsonOrEmpty(body));
            await proxy(req, res, this.real, body);
          });
        } else if (EXCLUSIVE_OPS.has(op)) await this.lock.exclusive(() => proxy(req, res, this.real));
        else if (SHARED_OPS.has(op)) await this.lock.shared(() => proxy(req, res, this.real));
        else await proxy(req, res, this.real);
    }
  }

  async #describeTable(tableName: unknown): Promise<Json> {
    return (await this.real.call('DescribeTable', { TableName: tableName })).Table as Json;
  }

  async #updateTimeToLive(request: Json): Promise<Json> {
    await this.#describeTable(request.TableName);
    const spec = request.TimeToLiveSpecification as Json | undefined;
    if (spec == null || typeof spec.Enabled !== 'boolean' || typeof spec.AttributeName !== 'string') {
      throw validationError(
        "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: " +
          'Member must not be null',
      );
    }
    if (spec.AttributeName.length < 1 || spec.AttributeName.length > 255) {
      throw validationError(
        "1 validation error detected: Value at 'timeToLiveSpecification.attributeName' failed to satisfy " +
          'constraint: Member must have length between 1 and 255',
      );
    }
    const table = request.TableName as string;
    const current = this.ttl.get(table);
    if (spec.Enabled) {
      if (current !== undefined) throw validationError('TimeToLive is already enabled');
      await this.ttl.set(table, spec.AttributeName);
    } else {
      if (current === undefined) throw validationError('TimeToLive is already disabled');
      if (current !== spec.AttributeName) {
        throw validationError(
          `TimeToLive is active on a different AttributeName: current AttributeName is ${current}`,
        );
      }
      await this.ttl.set(table, undefined);
    }
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  async #describeTimeToLive(request: Json): Promise<Json> {
    await this.#describeTable(request.TableName);
    const attribute = this.ttl.get(request.TableName as string);
    return {
      TimeToLiveDescription:
        attribute === undefined
          ? { TimeToLiveStatus: 'DISABLED' }
          : { TimeToLiveStatus: 'ENABLED', AttributeName: attribute },
    };
  }

  sweepExpiredItems(): Promise<number> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  /** Resolves when no sweep is running. */
  async sweepInProgress(): Promise<void> {
    await this.#sweeping?.catch(() => {});
  }

  async #sweep(): Promise<number> {
    const nowSeconds = Math.floor(this.now() / 1000);
    let deleted = 0;
    for (const [table, attribute] of this.ttl.entries()) {
      deleted += await this.lock.exclusive(async () => {
        let description: Json;
        try {
          description = await this.#describeTable(table);
        } catch (error) {
          if (error instanceof DynamoError && error.code === 'ResourceNotFoundException') return 0;
          throw error;
        }
        const keyNames = ((description.KeySchema ?? []) as Json[]).map((k) => k.AttributeName as string);
        const names: Record<string, string> = { '#ttl': attribute };
        keyNames.forEach((name, i) => {
          names[`#k${i}`] = name;
        });
        let count = 0;
        let start: unknown;
        do {
          const page = await this.real.call(
            'Scan',
            compact({
              TableName: table,
              ConsistentRead: true,
              ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(', '),
              FilterExpression: '#ttl < :now AND #ttl >= :oldest',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':now': { N: String(nowSeconds) },
                ':oldest': { N: String(nowSeconds - FIVE_YEARS_S) },
              },
              ExclusiveStartKey: start,
            }),
          );
          const keys = (page.Items ?? []) as Json[];
          await Promise.all(keys.map((Key) => this.real.call('DeleteItem', { TableName: table, Key })));
          count += keys.length;
          start = page.LastEvaluatedKey;
        } while (start);
        return count;
      });
    }
    return deleted;
  }
}

/** TTL attribute per table (enabled tables only), persisted as JSON when a file is given. */
class TtlSettings {
  #writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string | undefined,
    readonly settings: Map<string, string>,
  ) {}

  static async load(file: string | undefined): Promise<TtlSettings> {
    const settings = new Map<string, string>();
    if (file) {
      try {
        const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, Json>;
        for (const [table, spec] of Object.entries(stored)) {
          if (spec.Enabled === true && typeof spec.AttributeName === 'string')
            settings.set(table, spec.AttributeName);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return new TtlSettings(file, settings);
  }

  get(table: string): string | undefined {
    return this.settings.get(table);
  }

  entries(): [string, string][] {
    return [...this.settings];
  }

  /** Sets (attribute name) or clears (undefined) a table's TTL and persists the result. */
  set(table: string, attribute: string | undefined): Promise<void> {
    if (attribute === undefined) {
      if (!this.settings.delete(table)) return this.flush();
    } else {
      this.settings.set(table, attribute);
    }
    const { file } = this;
    if (!file) return this.flush();
    const snapshot = JSON.stringify(
      Object.fromEntries(
        [...this.settings].map(([t, AttributeName]) => [t, { AttributeName, Enabled: true }]),
      ),
      null,
      2,
    );
    this.#writes = this.#writes.then(async () => {
      await writeFile(`${file}.tmp`, snapshot);
      await rename(`${file}.tmp`, file);
    });
    return this.flush();
  }

  flush(): Promise<void> {
    return this.#writes;
  }
}

class Faults implements FaultSwitch {
  readonly #pending: { op: string; code: FaultCode; remaining: number }[] = [];

  failNext(op: string, code: FaultCode, times = 1): void {
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`times must be a positive integer, got ${times}`);
    this.#pending.push({ op, code, remaining: times });
  }

  clear(): void {
    this.#pending.length = 0;
  }

  take(op: string): FaultCode | undefined {
    const index = this.#pending.findIndex((f) => f.op === op);
    const fault = this.#pending[index];
    if (!fault) return undefined;
    if (--fault.remaining === 0) this.#pending.splice(index, 1);
    return fault.code;
  }
}

function faultError(op: string, code: FaultCode, itemCount: number): DynamoError {
  switch (code) {
    case 'TransactionConflict':
      return op === 'TransactWriteItems' || op === 'TransactGetItems'
        ? conflictCancellation(itemCount)
        : transactionConflict();
    case 'ProvisionedThroughputExceededException':
      return dynamoError(
        code,
        'The level of configured provisioned throughput for the table was exceeded. ' +
          'Consider increasing your provisioning level with the UpdateTable API.',
      );
    case 'ThrottlingException':
      return dynamoError(code, 'Rate of requests exceeds the allowed throughput.');
    case 'InternalServerError':
      return dynamoError(code, 'Internal server error', 500);
  }
}

/** Counts in-flight requests so close() can wait for them. */
class RequestTracker {
  #count = 0;
  #waiters: (() => void)[] = [];

  track(work: Promise<unknown>): void {
    this.#count++;
    void work.finally(() => {
      if (--this.#count === 0) for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** Streams a request to dynalite and its response back; resolves with dynalite's status code when done. */
function proxy(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  to: DynaliteClient,
  body?: Buffer,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const upstream = http.request({
      host: '127.0.0.1',
      port: to.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent: to.agent,
    });
    upstream.on('error', reject);
    upstream.on('response', (response) => {
      const status = response.statusCode ?? 502;
      res.writeHead(status, response.headers);
      pipeline(response, res, (error) => (error ? reject(error) : resolve(status)));
    });
    if (body) upstream.end(body);
    else pipeline(req, upstream, (error) => error && reject(error));
  });
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        req.destroy();
        reject(validationError('Request size exceeds the maximum allowed size'));
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function readJson(req: http.IncomingMessage): Promise<Json> {
  const body = await readBody(req);
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json;
  } catch {}
  throw new DynamoError(400, { __type: 'com.amazon.coral.service#SerializationException' });
}

/** The request body as JSON, or {} when it is not a JSON object (dynalite then answers the error itself). */
function parseJsonOrEmpty(body: Buffer): Json {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

function tableNameOf(body: Buffer): string {
  return String(parseJsonOrEmpty(body).TableName);
}

function respondWithError(res: http.ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof DynamoError) {
    sendJson(res, error.status, error.body);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  sendJson(res, 500, dynamoError('InternalServerError', `Internal server error: ${message}`, 500).body);
}

/**
 * Marks `dir` as used by this process (pid file), because dynalite cannot share a LevelDB directory: a second
 * instance would crash the process on its first request. Stale pid files (process gone) are taken over.
 */
async function claimDataDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'embedded-dynamodb.pid');
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (owner > 0 && isRunning(owner)) {
      throw new Error(
        `Embedded DynamoDB data directory ${dir} is in use by process ${owner}` +
          (owner === process.pid ? ' (this process)' : '') +
          `; if that is wrong, delete ${file}`,
      );
    }
    await rm(file, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Embedded DynamoDB cannot listen on ${host}:${port}: port ${port} is already in use (EADDRINUSE)`,
              {
                cause: error,
              },
            )
          : error,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
