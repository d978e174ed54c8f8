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
 *  - Modules: transactions.ts (the transactions; its header names the modules it uses), ttl.ts (TTL settings
 *    and the sweeper), faults.ts (the fault switch), conflict-model.ts (opt-in conflicts), change-feed.ts (the
 *    local stream), http-io.ts (bodies, proxying, servers), data-dir.ts (the pid file that keeps a second
 *    instance out), wire.ts (DynamoDB's JSON protocol, dynalite client).
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
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { ChangeFeed } from './change-feed.js';
import { ConflictModel, type ConflictModelOptions, type ConflictStats } from './conflict-model.js';
import { claimDataDir } from './data-dir.js';
import { type FaultSwitch, Faults, faultError } from './faults.js';
import {
  closeServer,
  listen,
  parseJsonOrEmpty,
  proxy,
  proxyBuffered,
  RequestTracker,
  readBody,
  readJson,
  respondWithError,
  tableNameOf,
} from './http-io.js';
import { ReadWriteLock } from './rw-lock.js';
import { TransactionEngine } from './transactions.js';
import { TimeToLive, TtlSettings } from './ttl.js';
import { DynaliteClient, sendJson } from './wire.js';

export type { FaultCode, FaultSwitch } from './faults.js';

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
  /** Clock in epoch milliseconds, for idempotency-token expiry, TTL sweeps and the conflict model's service times. Default Date.now. */
  now?: () => number;
  /** Interval of the background TTL sweeper. Default 60 000 ms; 0 disables it. */
  ttlSweepIntervalMs?: number;
  /** DynamoDB's transaction conflicts, modelled (conflict-model.ts). Undefined = off: one writer at a time. */
  conflictModel?: ConflictModelOptions;
};

export type EmbeddedDynamo = {
  /** e.g. http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** Closes the endpoint and both dynalite servers (and their LevelDB). Idempotent. */
  close(): Promise<void>;
  faults: FaultSwitch;
  /** Every write applied, as DynamoDB stream records (the local stack's stand-in for the table's stream). */
  changes: Pick<ChangeFeed, 'subscribe'>;
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
const SINGLE_WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const EXCLUSIVE_OPS = new Set([...SINGLE_WRITE_OPS, 'BatchWriteItem']);
const SHARED_OPS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const newConflictModel = (o: ConflictModelOptions | undefined) => (o ? new ConflictModel(o) : undefined);
  const initialConflictModel = newConflictModel(options.conflictModel);
  const faults = new Faults();
  const changes = new ChangeFeed(now);

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
    const transactions = new TransactionEngine({ real, scratch, lock, now, changes });
    transactions.conflictModel = initialConflictModel;
    const ttl = new TimeToLive(real, lock, await TtlSettings.load(ttlFile), now);
    layer = new Layer(real, scratch, lock, transactions, ttl);
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
      ? setInterval(() => void layer.ttl.sweepExpiredItems().catch(() => {}), interval).unref()
      : undefined;

  let closing: Promise<void> | undefined;
  const port = (front.address() as AddressInfo).port;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    faults,
    changes,
    sweepExpiredItems: () => layer.ttl.sweepExpiredItems(),
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
        await layer.ttl.sweepInProgress();
        const frontClosed = closeServer(front);
        await tracker.idle();
        front.closeAllConnections();
        await frontClosed;
        layer.real.close();
        layer.scratch.close();
        await Promise.all(dynalites.map(closeServer));
        await layer.ttl.settings.flush();
        await releaseDataDir();
      })();
      return closing;
    },
  };
}

/** The request router; exists once the backends are up. */
class Layer {
  constructor(
    readonly real: DynaliteClient,
    readonly scratch: DynaliteClient,
    readonly lock: ReadWriteLock,
    readonly transactions: TransactionEngine,
    readonly ttl: TimeToLive,
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
        return sendJson(res, 200, await this.ttl.update(await readJson(req)));
      case 'DescribeTimeToLive':
        return sendJson(res, 200, await this.ttl.describe(await readJson(req)));
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
        if (status === 200) await this.ttl.settings.set(tableNameOf(body), undefined);
        return;
      }
      default:
        if (EXCLUSIVE_OPS.has(op)) {
          const body = await readBody(req);
          const request = parseJsonOrEmpty(body);
          // Answered once its change is published: the writer hears back after the record is fed.
          const answer = await this.lock.exclusive(async () => {
            if (SINGLE_WRITE_OPS.has(op) && this.transactions.conflictModel) {
              await this.transactions.assertNotHeld(op, request);
            }
            return this.transactions.withChanges(op, request, () => proxyBuffered(req, this.real, body));
          });
          answer.send(res);
        } else if (SHARED_OPS.has(op)) await this.lock.shared(() => proxy(req, res, this.real));
        else await proxy(req, res, this.real);
    }
  }
}
