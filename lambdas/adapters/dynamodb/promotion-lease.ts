import type { PromotionLease } from '../../ports.js';
import {
  ConditionalCheckFailedException,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '../aws-sdk.js';
import { promotionLeaseKey } from './keys.js';
import { readOrTryAgain } from './transactions.js';

/**
 * The promotion lease in the single table: one item per event holding the walker (`owner`, `leaseUntil`) and
 * a counter of walk requests, so a request that comes in during a walk is never lost (docs/waiting-lists.md).
 */
export class DynamoPromotionLease implements PromotionLease {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async requestWalk(eventId: string): Promise<void> {
    await readOrTryAgain(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: promotionLeaseKey(eventId),
          UpdateExpression: 'SET #type = :type ADD requests :one',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'promotion-lease', ':one': 1 },
        }),
      ),
    );
  }

  async tryAcquire(eventId: string, owner: string, now: Date, until: Date): Promise<number | undefined> {
    try {
      const { Attributes } = await readOrTryAgain(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: promotionLeaseKey(eventId),
            UpdateExpression: 'SET #owner = :owner, leaseUntil = :until',
            ConditionExpression: 'attribute_not_exists(#owner) OR leaseUntil < :now',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: {
              ':owner': owner,
              ':until': until.toISOString(),
              ':now': now.toISOString(),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return Number(Attributes?.requests ?? 0);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async release(eventId: string, owner: string, requestsSeen: number): Promise<number | undefined> {
    if (await this.giveBack(eventId, owner, requestsSeen)) return undefined;
    const { Item } = await readOrTryAgain(() =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: promotionLeaseKey(eventId), ConsistentRead: true }),
      ),
    );
    return Item?.owner === owner ? Number(Item.requests ?? 0) : undefined;
  }

  async abandon(eventId: string, owner: string): Promise<void> {
    // False when not ours any more (it expired and someone else walks): nothing to give back.
    await this.giveBack(eventId, owner);
  }

  /**
   * Removes the owner if it is still `owner` (and, with `requestsSeen`, no walk was requested since); false
   * when the condition does not hold.
   */
  private async giveBack(eventId: string, owner: string, requestsSeen?: number): Promise<boolean> {
    const unchanged = requestsSeen !== undefined;
    try {
      await readOrTryAgain(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: promotionLeaseKey(eventId),
            UpdateExpression: 'REMOVE #owner, leaseUntil',
            ConditionExpression: unchanged ? '#owner = :owner AND requests = :seen' : '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner, ...(unchanged ? { ':seen': requestsSeen } : {}) },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
