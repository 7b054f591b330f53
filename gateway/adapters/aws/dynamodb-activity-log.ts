import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StartTimings } from '../../domain/start-timings.ts';
import type { ActivityLog } from '../../ports/activity-log.ts';
import type { WakeLog, WakeRecord } from '../../ports/wake-log.ts';

/** One item per project in the store's table (`PROJECT#<id>` / `ACTIVITY`), deleted with the project's partition. */
const activityKey = (projectId: string) => ({ PK: `PROJECT#${projectId}`, SK: 'ACTIVITY' });

/** The activity time and the last wake live on one item per project (`PROJECT#<id>` / `ACTIVITY`). */
export function createDynamoDbActivityLog(options: { client: DynamoDBClient; tableName: string }): ActivityLog & WakeLog {
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
    async recordWake(projectId, wake) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: activityKey(projectId),
            UpdateExpression: 'SET lastWake = :wake',
            // Gateway instances that saw the same task answer: the first one's record stays.
            ConditionExpression: 'attribute_not_exists(lastWake) OR lastWake.runId <> :run',
            ExpressionAttributeValues: { ':wake': { containerId: wake.containerId, runId: wake.runId, at: wake.at.toISOString(), timings: { ...wake.timings } }, ':run': wake.runId },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async lastWake(projectId) {
      const { Item } = await db.send(new GetCommand({ TableName, Key: activityKey(projectId), ConsistentRead: true }));
      return wakeOf(Item?.['lastWake']);
    },
  };
}

const TIMING_FIELDS = ['placementMs', 'instanceLaunchMs', 'pullMs', 'startMs', 'firstAnswerMs', 'totalMs'] as const;

function wakeOf(stored: unknown): WakeRecord | null {
  const wake = stored as { containerId?: unknown; runId?: unknown; at?: unknown; timings?: Record<string, unknown> } | undefined;
  if (typeof wake?.containerId !== 'string' || typeof wake.runId !== 'string' || typeof wake.at !== 'string' || typeof wake.timings !== 'object') return null;
  const timings = Object.fromEntries(TIMING_FIELDS.map((field) => [field, typeof wake.timings?.[field] === 'number' ? wake.timings[field] : null])) as unknown as StartTimings;
  return { containerId: wake.containerId, runId: wake.runId, at: new Date(wake.at), timings };
}
