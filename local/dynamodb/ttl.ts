/**
 * Time to live for the embedded endpoint, which dynalite lacks: UpdateTimeToLive / DescribeTimeToLive, the
 * settings per table (persisted in `<dataDir>/ttl.json`), and the sweeper that deletes expired items (TTL
 * attribute a number of epoch seconds in the past, and not older than five years, as DynamoDB documents).
 * Not faithful: changes apply at once (no ENABLING/DISABLING states, no one-hour cool-down), and expired items
 * are deleted only by the sweeper (no streams, so no TTL stream records).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ReadWriteLock } from './rw-lock.js';
import { compact, type DynaliteClient, DynamoError, type Json, validationError } from './wire.js';

const FIVE_YEARS_S = 5 * 365 * 24 * 60 * 60;

/** TTL attribute per table (enabled tables only), persisted as JSON when a file is given. */
export class TtlSettings {
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

/** The TTL operations and the sweeper, over the main dynalite and the process-wide lock. */
export class TimeToLive {
  #sweeping: Promise<number> | undefined;

  constructor(
    readonly real: DynaliteClient,
    readonly lock: ReadWriteLock,
    readonly settings: TtlSettings,
    readonly now: () => number,
  ) {}

  async #describeTable(tableName: unknown): Promise<Json> {
    return (await this.real.call('DescribeTable', { TableName: tableName })).Table as Json;
  }

  async update(request: Json): Promise<Json> {
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
    const current = this.settings.get(table);
    if (spec.Enabled) {
      if (current !== undefined) throw validationError('TimeToLive is already enabled');
      await this.settings.set(table, spec.AttributeName);
    } else {
      if (current === undefined) throw validationError('TimeToLive is already disabled');
      if (current !== spec.AttributeName) {
        throw validationError(
          `TimeToLive is active on a different AttributeName: current AttributeName is ${current}`,
        );
      }
      await this.settings.set(table, undefined);
    }
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  async describe(request: Json): Promise<Json> {
    await this.#describeTable(request.TableName);
    const attribute = this.settings.get(request.TableName as string);
    return {
      TimeToLiveDescription:
        attribute === undefined
          ? { TimeToLiveStatus: 'DISABLED' }
          : { TimeToLiveStatus: 'ENABLED', AttributeName: attribute },
    };
  }

  /** Deletes expired items in every table with TTL enabled; one sweep at a time. */
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
    for (const [table, attribute] of this.settings.entries()) {
      deleted += await this.lock.exclusive(() => this.#sweepTable(table, attribute, nowSeconds));
    }
    return deleted;
  }

  async #sweepTable(table: string, attribute: string, nowSeconds: number): Promise<number> {
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
  }
}
