/**
 * TransactWriteItems / TransactGetItems on top of dynalite (see embedded-dynamodb.ts for the overview). The
 * requests are parsed and checked in transaction-requests.ts; table descriptions, scratch tables and batch
 * reads/writes are in tables.ts; step 2's evaluation of one item is in scratch-evaluation.ts; ClientRequestToken
 * replay is in request-tokens.ts; what single writes change, for the change feed, is in single-write-changes.ts.
 *
 * TransactWriteItems runs entirely under the exclusive lock, so nothing interleaves with it:
 *  1. Request checks done here: 1..100 items, one action per item, tables exist, keys match the key schema,
 *     no two actions on the same item (numbers compared by value).
 *  2. Evaluation, by dynalite itself through its public API: the current items are read from the real
 *     tables (consistent BatchGetItem) and copied into scratch tables (same key schema and indexes) in a
 *     second, in-memory dynalite. Each item's own operation, with its condition, then runs there as the
 *     matching single-item call (a ConditionCheck as a conditional DeleteItem). Every condition is thereby
 *     decided by dynalite's expression evaluator against the state from *before* the transaction, and a
 *     successful Put/Update yields the item's new image (ReturnValues ALL_NEW).
 *     Outcome per item: success -> None; ConditionalCheckFailedException -> ConditionalCheckFailed (+ Item
 *     for ALL_OLD); ValidationException -> ValidationError, unless the request itself is malformed: the
 *     same call against a table that does not exist still fails validation (dynalite validates before it
 *     looks the table up), and then the whole request gets that ValidationException, as DynamoDB does.
 *  3. Any reason other than None: TransactionCanceledException, nothing written. Otherwise the new images
 *     are written to the real tables (BatchWriteItem puts/deletes; cannot interleave, the lock is held). If
 *     that fails, the old images are written back and InternalServerError is returned.
 * The scratch tables keep the last evaluated state of transacted items (memory grows with them); step 2
 * overwrites every item it uses, so that leftover state is never read.
 *
 * With the conflict model on (conflict-model.ts) steps 1–2 run under the lock together with the conflict check
 * and the claim of the items; the claimed items are then held for the drawn service time without the lock, and
 * step 3 runs under the lock at its end. Nothing can write a claimed item meanwhile (transactions touching it
 * are cancelled, single-item writes refused), so the evaluation still holds when the new images are written.
 * The service time is kept by the clock, not by the process's workload: a busy process reaches the end of a
 * hold late (its timers fire late, the lock has a queue), and a hold stretched by that would model a slower
 * DynamoDB than asked. So every write that takes the lock first applies the transactions whose service time
 * has ended (step 3, in the order they claimed), and only then checks for conflicts: a transaction that comes
 * after another's service time finds its items free and their new state, as in DynamoDB.
 */
import type { ChangeFeed } from './change-feed.js';
import type { ConflictModel } from './conflict-model.js';
import { RequestTokens } from './request-tokens.js';
import type { ReadWriteLock } from './rw-lock.js';
import { type Evaluation, ScratchEvaluator } from './scratch-evaluation.js';
import { SingleWriteChanges } from './single-write-changes.js';
import { batchWrite, readItems, ScratchTables, TableCatalog } from './tables.js';
import {
  assertOneOperationPerItem,
  cancelled,
  checkKey,
  conflictCancellation,
  consumedCapacity,
  idempotentParameterMismatch,
  itemIdentity,
  keyFromItem,
  parseGetItems,
  parseToken,
  parseWriteItems,
  settled,
  type Table,
  type Target,
  transactionConflict,
  type WriteItem,
  writeResponse,
} from './transaction-requests.js';
import { compact, type DynaliteClient, dynamoError, type Item, type Json, stableStringify } from './wire.js';

/** A write transaction evaluated and ready to be written. */
type Prepared = { targets: Target[]; before: (Item | undefined)[]; evaluations: Evaluation[] };

/** A transaction holding its items under the conflict model, until `endsAt` (the engine's clock, ms). */
type Held = {
  endsAt: number;
  /** Step 3 and the release of the items; runs once, under the exclusive lock. */
  settle: () => Promise<void>;
  /** Set once `settle` has run: what the transaction's own request answers with. */
  settled?: Promise<void>;
  /** Ends the transaction's own wait early, when another request settled it first. */
  wake?: () => void;
};

export type TransactionEngineDeps = {
  /** The dynalite holding the user's tables. */
  real: DynaliteClient;
  /** An in-memory dynalite holding only scratch tables. */
  scratch: DynaliteClient;
  lock: ReadWriteLock;
  now: () => number;
  /** Told of every transaction applied. */
  changes?: ChangeFeed;
};

export class TransactionEngine {
  readonly #real: DynaliteClient;
  readonly #scratch: DynaliteClient;
  readonly #lock: ReadWriteLock;
  readonly #changes: ChangeFeed | undefined;
  readonly #tables: TableCatalog;
  readonly #scratchTables: ScratchTables;
  readonly #tokens: RequestTokens;
  readonly #singleWrites: SingleWriteChanges;
  readonly #evaluator: ScratchEvaluator;
  readonly #now: () => number;
  /** The conflict model when it is on (conflict-model.ts); undefined: one writer at a time, no conflicts. */
  conflictModel: ConflictModel | undefined;
  /** Transactions holding their items under the conflict model, in the order they claimed them. */
  readonly #holding: Held[] = [];

  constructor(deps: TransactionEngineDeps) {
    this.#real = deps.real;
    this.#scratch = deps.scratch;
    this.#lock = deps.lock;
    this.#now = deps.now;
    this.#tables = new TableCatalog(deps.real);
    this.#scratchTables = new ScratchTables(deps.scratch);
    this.#changes = deps.changes;
    this.#evaluator = new ScratchEvaluator(deps.scratch);
    this.#tokens = new RequestTokens(deps.now);
    this.#singleWrites = new SingleWriteChanges(deps.real, this.#tables, deps.changes);
  }

  /** Runs a single write and tells the change feed what it changed (single-write-changes.ts). */
  withChanges<T>(op: string, request: Json, write: () => Promise<T>): Promise<T> {
    return this.#singleWrites.record(op, request, write);
  }

  /** Drops cached table descriptions; call (under the exclusive lock) after CreateTable/UpdateTable/DeleteTable. */
  forgetTables(): void {
    this.#tables.forget();
  }

  async transactWrite(request: Json): Promise<Json> {
    const items = parseWriteItems(request);
    const token = parseToken(request.ClientRequestToken);
    const fingerprint = stableStringify(request.TransactItems);
    const model = this.conflictModel;
    if (!model) {
      return this.#lock.exclusive(async () => {
        if (token !== undefined && this.#tokens.isReplay(token, fingerprint))
          return writeResponse(request, items);
        const prepared = await this.#prepare(items);
        await this.#commit(items, prepared, token, fingerprint);
        return writeResponse(request, items);
      });
    }

    // Conflict model: claim the items and evaluate under the lock, hold them for the service time without it,
    // then write under the lock. Nothing else can write a claimed item in between, so the evaluation holds.
    const held = await this.#lock.exclusive(async (): Promise<Held | undefined> => {
      await this.#settleEnded();
      if (token !== undefined) {
        const inFlight = model.inFlight(token);
        if (inFlight !== undefined && inFlight !== fingerprint) throw idempotentParameterMismatch();
        if (inFlight !== undefined) {
          throw dynamoError(
            'TransactionInProgressException',
            'The transaction with the given request token is already in progress.',
          );
        }
        if (this.#tokens.isReplay(token, fingerprint)) return undefined;
      }
      const targets = await this.#targets(items);
      const conflicts = model.heldPositions(targets.map((t) => itemIdentity(t.table, t.key)));
      if (conflicts.length > 0) {
        model.stats.transactionConflicts++;
        throw conflictCancellation(items.length, conflicts);
      }
      const prepared = await this.#prepare(items, targets);
      const release = model.claim(
        targets.map((t) => itemIdentity(t.table, t.key)),
        token === undefined ? undefined : { token, fingerprint },
      );
      const entry: Held = {
        endsAt: this.#now() + model.serviceTime(),
        settle: async () => {
          try {
            await this.#commit(items, prepared, token, fingerprint);
            model.stats.transactionsHeld++;
          } finally {
            release();
          }
        },
      };
      this.#holding.push(entry);
      return entry;
    });
    if (!held) return writeResponse(request, items);
    if (held.settled === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, held.endsAt - this.#now()));
        held.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (held.settled === undefined) await this.#lock.exclusive(() => this.#settle(held));
    await held.settled;
    return writeResponse(request, items);
  }

  /**
   * Under the exclusive lock: step 3 for every transaction whose service time has ended, in the order they
   * claimed.
   */
  async #settleEnded(): Promise<void> {
    const now = this.#now();
    for (const held of this.#holding.filter((h) => h.endsAt <= now)) await this.#settle(held);
  }

  /** Under the exclusive lock, once per transaction. A failure is its own request's answer, not the caller's. */
  async #settle(held: Held): Promise<void> {
    if (held.settled !== undefined) return;
    this.#holding.splice(this.#holding.indexOf(held), 1);
    held.settled = held.settle();
    await held.settled.catch(() => {});
    held.wake?.();
  }

  /**
   * With the conflict model on: refuses a PutItem/UpdateItem/DeleteItem request whose item a transaction holds
   * (TransactionConflictException). Call under the exclusive lock, before the write. Requests whose item
   * cannot be worked out (malformed, unknown table) pass, so that dynalite answers them as usual.
   */
  async assertNotHeld(op: string, request: Json): Promise<void> {
    const model = this.conflictModel;
    if (!model || typeof request.TableName !== 'string') return;
    await this.#settleEnded();
    let identity: string;
    try {
      const table = (await this.#tables.describe([request.TableName])).get(request.TableName) as Table;
      identity = itemIdentity(
        table,
        op === 'PutItem' ? keyFromItem(request.Item, table) : checkKey(request.Key, table),
      );
    } catch {
      return;
    }
    if (model.heldPositions([identity]).length > 0) {
      model.stats.writeConflicts++;
      throw transactionConflict();
    }
  }

  /** Tables, targets and the one-operation-per-item check of a write transaction. */
  async #targets(items: WriteItem[]): Promise<Target[]> {
    const tables = await this.#tables.describe(items.map((item) => item.table));
    const targets = items.map((item) => {
      const table = tables.get(item.table) as Table;
      const key = item.kind === 'Put' ? keyFromItem(item.spec.Item, table) : checkKey(item.spec.Key, table);
      return { table, key };
    });
    assertOneOperationPerItem(targets);
    return targets;
  }

  /** Evaluates every item against the current state; throws the cancellation when a reason is not None. */
  async #prepare(items: WriteItem[], known?: Target[]): Promise<Prepared> {
    const targets = known ?? (await this.#targets(items));
    const tables = new Set(targets.map((t) => t.table));
    settled(await Promise.allSettled([...tables].map((table) => this.#scratchTables.ensure(table))));

    const before = await readItems(this.#real, targets);
    // Make each scratch item equal to the real one (the scratch may still hold older transactions' items).
    await batchWrite(
      this.#scratch,
      targets.map((t, i) => ({ table: t.table.name, put: before[i], delete: t.key })),
    );
    // allSettled, never all: a scratch operation must not still be running when the lock is released.
    const evaluations = settled(
      await Promise.allSettled(items.map((item, i) => this.#evaluator.evaluate(item, before[i]))),
    );
    if (evaluations.some((e) => e.reason.Code !== 'None')) throw cancelled(evaluations.map((e) => e.reason));
    return { targets, before, evaluations };
  }

  async #commit(
    items: WriteItem[],
    { targets, before, evaluations }: Prepared,
    token: string | undefined,
    fingerprint: string,
  ): Promise<void> {
    await this.#apply(items, targets, before, evaluations);
    this.#changes?.publish(
      items.flatMap((item, i) => {
        const target = targets[i] as Target;
        return item.kind === 'ConditionCheck'
          ? []
          : [
              {
                tableName: target.table.name,
                keys: target.key,
                before: before[i],
                after: evaluations[i]?.after,
              },
            ];
      }),
    );
    if (token !== undefined) this.#tokens.remember(token, fingerprint);
  }

  async transactGet(request: Json): Promise<Json> {
    const gets = parseGetItems(request);
    return this.#lock.shared(async () => {
      const tables = await this.#tables.describe(gets.map((get) => get.table));
      const targets = gets.map((get) => {
        const table = tables.get(get.table) as Table;
        return { table, key: checkKey(get.spec.Key, table) };
      });
      assertOneOperationPerItem(targets);
      const conflicts =
        this.conflictModel?.heldPositions(targets.map((t) => itemIdentity(t.table, t.key))) ?? [];
      if (this.conflictModel && conflicts.length > 0) {
        this.conflictModel.stats.transactionConflicts++;
        throw conflictCancellation(gets.length, conflicts);
      }
      const results = await Promise.allSettled(
        gets.map((get, i) =>
          this.#real.call(
            'GetItem',
            compact({
              TableName: get.table,
              Key: targets[i]?.key,
              ProjectionExpression: get.spec.ProjectionExpression,
              ExpressionAttributeNames: get.spec.ExpressionAttributeNames,
              ConsistentRead: true,
            }),
          ),
        ),
      );
      const responses = settled(results).map(({ Item }) => (Item ? { Item } : {}));
      return compact({ Responses: responses, ConsumedCapacity: consumedCapacity(request, gets) });
    });
  }

  async #apply(
    items: WriteItem[],
    targets: Target[],
    before: (Item | undefined)[],
    evaluations: Evaluation[],
  ) {
    const writes = items.flatMap((item, i) =>
      item.kind === 'ConditionCheck' ? [] : [{ target: targets[i] as Target, i }],
    );
    const write = (image: (i: number) => Item | undefined) =>
      batchWrite(
        this.#real,
        writes.map(({ target, i }) => ({ table: target.table.name, put: image(i), delete: target.key })),
      );
    try {
      await write((i) => evaluations[i]?.after);
    } catch (error) {
      await write((i) => before[i]).catch(() => {});
      throw dynamoError('InternalServerError', `Transaction could not be applied: ${String(error)}`, 500);
    }
  }
}
