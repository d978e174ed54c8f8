/**
 * The embedded DynamoDB's change feed: every write it applies (a transaction, a single write, a batch) as
 * stream records in the shape of a DynamoDB stream with the NEW_IMAGE view (`DynamoDBRecord` of
 * aws-lambda): INSERT and MODIFY with the new image, REMOVE with the keys. The local stack feeds it to the
 * functions AWS feeds from the table's stream. In process only; nothing is kept.
 */
import { EventEmitter } from 'node:events';
import type { Item } from './wire.js';

export type StreamRecord = {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Item;
    NewImage?: Item;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: 'NEW_IMAGE';
  };
};

/** One item as it was before a write and after it (undefined: absent). */
export type ItemChange = { tableName: string; keys: Item; before?: Item; after?: Item };

export class ChangeFeed {
  readonly #emitter = new EventEmitter();
  #sequence = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether anyone listens: writes read their items before and after only then. */
  get active(): boolean {
    return this.#emitter.listenerCount('records') > 0;
  }

  /** Calls `listener` with the records of every write applied to `tableName`; returns the unsubscribe. */
  subscribe(tableName: string, listener: (records: StreamRecord[]) => void): () => void {
    const forTable = (table: string, records: StreamRecord[]) => {
      if (table === tableName) listener(records);
    };
    this.#emitter.on('records', forTable);
    return () => this.#emitter.off('records', forTable);
  }

  /** Emits the records of one applied write (a transaction's items together), per table. */
  publish(changes: readonly ItemChange[]): void {
    if (!this.active) return;
    const byTable = new Map<string, StreamRecord[]>();
    for (const change of changes) {
      const record = this.#recordOf(change);
      if (!record) continue;
      byTable.set(change.tableName, [...(byTable.get(change.tableName) ?? []), record]);
    }
    for (const [table, records] of byTable) this.#emitter.emit('records', table, records);
  }

  #recordOf({ tableName, keys, before, after }: ItemChange): StreamRecord | undefined {
    // A write that changed nothing (a failed condition, an update to the same values) has no record.
    if (!before && !after) return undefined;
    if (before && after && JSON.stringify(before) === JSON.stringify(after)) return undefined;
    const sequence = String(++this.#sequence).padStart(21, '0');
    return {
      eventID: sequence,
      eventName: !before ? 'INSERT' : after ? 'MODIFY' : 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'local',
      eventSourceARN: `arn:aws:dynamodb:local:000000000000:table/${tableName}/stream/local`,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(this.now() / 1000),
        Keys: keys,
        ...(after ? { NewImage: after } : {}),
        SequenceNumber: sequence,
        SizeBytes: JSON.stringify(after ?? keys).length,
        StreamViewType: 'NEW_IMAGE',
      },
    };
  }
}
