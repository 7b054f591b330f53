import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ActivityLog } from '../../ports/activity-log.ts';

/** One item per project in the store's table (`PROJECT#<id>` / `ACTIVITY`), deleted with the project's partition. */
const activityKey = (projectId: string) => ({ PK: `PROJECT#${projectId}`, SK: 'ACTIVITY' });

export function createDynamoDbActivityLog(options: { client: DynamoDBClient; tableName: string }): ActivityLog {
  const db = DynamoDBDocumentClient.from(options.client);
  const TableName = options.tableName;
  return {
    async touch(projectId, at) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: activityKey(projectId),
            UpdateExpression: 'SET lastActiveAt = :at',
            // Instances race: the latest time wins, never an older one written late.
            ConditionExpression: 'attribute_not_exists(lastActiveAt) OR lastActiveAt < :at',
            ExpressionAttributeValues: { ':at': at.toISOString() },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async lastActive(projectId) {
      const { Item } = await db.send(new GetCommand({ TableName, Key: activityKey(projectId), ConsistentRead: true }));
      const at = Item?.['lastActiveAt'];
      return typeof at === 'string' ? new Date(at) : null;
    },
  };
}
