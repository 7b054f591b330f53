import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryLog } from '../../ports/delivery-log.ts';

/** GitHub redelivers for days at most; after this a claim expires (the table's TTL attribute deletes it). */
export const DELIVERY_TTL_SECONDS = 30 * 24 * 60 * 60;
/** The table's time-to-live attribute (cdk/constructs/state.ts), in epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** One item per delivery in the store's table (`DELIVERY#<id>` / `META`), written only if absent or expired. */
const deliveryKey = (deliveryId: string) => ({ PK: `DELIVERY#${deliveryId}`, SK: 'META' });

export function createDynamoDbDeliveryLog(options: { client: DynamoDBClient; tableName: string }): DeliveryLog {
  const db = DynamoDBDocumentClient.from(options.client);
  const TableName = options.tableName;
  return {
    async claim(deliveryId, at) {
      const now = Math.floor(at.getTime() / 1000);
      try {
        await db.send(
          new PutCommand({
            TableName,
            Item: { ...deliveryKey(deliveryId), claimedAt: at.toISOString(), [TTL_ATTRIBUTE]: now + DELIVERY_TTL_SECONDS },
            // TTL deletes expired items lazily (within days), so an expired claim still on the table counts as absent.
            ConditionExpression: 'attribute_not_exists(PK) OR #expires < :now',
            ExpressionAttributeNames: { '#expires': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async release(deliveryId) {
      await db.send(new DeleteCommand({ TableName, Key: deliveryKey(deliveryId) }));
    },
  };
}
