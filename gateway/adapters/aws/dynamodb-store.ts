import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Deployment, Project } from '../../domain/types.ts';
import { PorticoError } from '../../errors.ts';
import { type ProjectStore, statusConflict } from '../../ports/project-store.ts';

/*
 * Single-table layout (every key is a string):
 *
 *   PK                    SK                                   what
 *   PROJECT#<id>          META                                 the project, plus `deploymentSeq` (a counter)
 *   PROJECT#<id>          DEPLOYMENT#<createdAt>#<seq>         index entry { deploymentId }: lists newest first
 *   DEPLOYMENT#<id>       META                                 the deployment, plus `logBytes` (bytes reserved so far)
 *   DEPLOYMENT#<id>       LOG#<zero-padded byte offset>        one appended log chunk
 *
 * The seq in the index key breaks ties between deployments created in the same millisecond
 * (later insert = newer), like SQLite's rowid. Everything is read with ConsistentRead, and no GSI
 * is used, because GSIs are only eventually consistent and the pipeline reads its own writes.
 */

/** Key schema shared by the CDK construct and `createTable`, so both make the same table. */
export const tableSchema = {
  KeySchema: [
    { AttributeName: 'PK', KeyType: 'HASH' },
    { AttributeName: 'SK', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'PK', AttributeType: 'S' },
    { AttributeName: 'SK', AttributeType: 'S' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const satisfies Omit<CreateTableCommandInput, 'TableName'>;

const META = 'META';
const projectKey = (id: string) => ({ PK: `PROJECT#${id}`, SK: META });
const deploymentKey = (id: string) => ({ PK: `DEPLOYMENT#${id}`, SK: META });
/** 16 digits hold Number.MAX_SAFE_INTEGER, so every offset sorts as a string in numeric order. */
const logSk = (offset: number) => `LOG#${String(Math.min(offset, Number.MAX_SAFE_INTEGER)).padStart(16, '0')}`;
/** Sorts after every LOG# key, as the upper bound of a range. */
const LOG_END = 'LOG#~';
const indexSk = (createdAt: string, seq: number) => `DEPLOYMENT#${createdAt}#${String(seq).padStart(12, '0')}`;

const PROJECT_FIELDS = ['source', 'branch', 'dockerfile', 'context', 'gpu', 'env', 'secrets', 'idleTimeoutSeconds', 'port', 'startupTimeoutSeconds', 'createdAt', 'currentDeploymentId'] as const;
const DEPLOYMENT_FIELDS = ['status', 'commit', 'phases', 'error', 'image', 'container', 'placement', 'port', 'portReason', 'card', 'createdAt'] as const;

/** BatchWriteItem takes at most 25 requests, BatchGetItem at most 100 keys. */
const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;

type Item = Record<string, unknown>;

/**
 * The AWS store. It uses no TransactWriteItems (dynalite, which the tests run against, lacks it),
 * so multi-item changes (create deployment, cascade delete) are ordered so that a failure
 * half-way leaves nothing listed that points at something missing; see each method.
 */
export function createDynamoDbStore(options: { client: DynamoDBClient; tableName: string }): ProjectStore {
  const db = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = options.tableName;

  async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await db.send(new QueryCommand({ ...input, TableName, ConsistentRead: true, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  async function deleteKeys(keys: readonly { PK: string; SK: string }[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH_WRITE_MAX) {
      let requests: { DeleteRequest?: { Key: Item | undefined } }[] = keys.slice(i, i + BATCH_WRITE_MAX).map((Key) => ({ DeleteRequest: { Key } }));
      // DynamoDB may leave some requests unprocessed under load; resend them until none are left.
      while (requests.length > 0) {
        const result = await db.send(new BatchWriteCommand({ RequestItems: { [TableName]: requests } }));
        requests = result.UnprocessedItems?.[TableName] ?? [];
      }
    }
  }

  async function getItems(keys: readonly { PK: string; SK: string }[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
      let pending: Item[] = keys.slice(i, i + BATCH_GET_MAX);
      while (pending.length > 0) {
        const result = await db.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }));
        items.push(...(result.Responses?.[TableName] ?? []));
        pending = result.UnprocessedKeys?.[TableName]?.Keys ?? [];
      }
    }
    return items;
  }

  /** SET every defined field of the patch; `null` is stored as NULL, `undefined` leaves the field alone. */
  function setExpression(patch: Item, fields: readonly string[]) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    fields.forEach((field, i) => {
      if (patch[field] === undefined) return;
      names[`#f${i}`] = field;
      values[`:v${i}`] = patch[field];
      sets.push(`#f${i} = :v${i}`);
    });
    return { names, values, sets };
  }

  return {
    async createProject(project) {
      try {
        await db.send(
          new PutCommand({
            TableName,
            Item: { ...projectKey(project.id), type: 'project', id: project.id, ...pick(project, PROJECT_FIELDS), deploymentSeq: 0 },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new PorticoError('conflict', `a project "${project.id}" already exists; update or delete it instead`, { cause: error });
        }
        throw error;
      }
    },

    async getProject(id) {
      const { Item } = await db.send(new GetCommand({ TableName, Key: projectKey(id), ConsistentRead: true }));
      return Item ? toProject(Item) : null;
    },

    /** A filtered Scan: reads the whole table, which is fine for the few hundred projects one install hosts. */
    async listProjects() {
      const projects: Project[] = [];
      let ExclusiveStartKey: Item | undefined;
      do {
        const page = await db.send(
          new ScanCommand({
            TableName,
            ConsistentRead: true,
            FilterExpression: '#type = :project',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: { ':project': 'project' },
            ExclusiveStartKey,
          }),
        );
        projects.push(...(page.Items ?? []).map(toProject));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return projects;
    },

    async updateProject(id, patch) {
      const { names, values, sets } = setExpression(patch, PROJECT_FIELDS);
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName,
            Key: projectKey(id),
            // `#type = :type` rewrites a constant, so an all-undefined patch is still a valid update.
            UpdateExpression: `SET ${['#type = :type', ...sets].join(', ')}`,
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { ...names, '#type': 'type' },
            ExpressionAttributeValues: { ...values, ':type': 'project' },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toProject(Attributes!);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new PorticoError('not_found', `no project "${id}"; list projects to see which exist`, { cause: error });
        }
        throw error;
      }
    },

    /**
     * Logs and deployments first, the project item last: a delete that fails half-way leaves the
     * project listed, so running it again finishes the job.
     */
    async deleteProject(id) {
      const partition = await queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `PROJECT#${id}` } });
      const entries = partition.filter((item) => item['SK'] !== META);
      for (const entry of entries) {
        const owned = await queryAll({
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': `DEPLOYMENT#${String(entry['deploymentId'])}` },
          ProjectionExpression: 'PK, SK',
        });
        await deleteKeys(owned.map(keyOf));
      }
      await deleteKeys(entries.map(keyOf));
      await db.send(new DeleteCommand({ TableName, Key: projectKey(id) }));
    },

    /**
     * Reserve a seq on the project (which also proves it exists), write the deployment item (which
     * proves the id is new), then its index entry. If the index entry cannot be written, the
     * deployment item is removed again so no unlisted deployment survives.
     */
    async createDeployment(deployment) {
      let seq: number;
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName,
            Key: projectKey(deployment.projectId),
            UpdateExpression: 'ADD deploymentSeq :one',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':one': 1 },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        seq = Number(Attributes?.['deploymentSeq'] ?? 0);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new PorticoError('not_found', `no project "${deployment.projectId}" to deploy; create the project first`, { cause: error });
        }
        throw error;
      }

      const sortKey = indexSk(deployment.createdAt, seq);
      try {
        await db.send(
          new PutCommand({
            TableName,
            Item: {
              ...deploymentKey(deployment.id),
              type: 'deployment',
              id: deployment.id,
              projectId: deployment.projectId,
              ...pick(deployment, DEPLOYMENT_FIELDS),
              seq,
              logBytes: 0,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new PorticoError('conflict', `a deployment "${deployment.id}" already exists; deployments are never overwritten`, { cause: error });
        }
        throw error;
      }

      try {
        await db.send(
          new PutCommand({ TableName, Item: { PK: `PROJECT#${deployment.projectId}`, SK: sortKey, type: 'deployment-index', deploymentId: deployment.id } }),
        );
      } catch (error) {
        await db.send(new DeleteCommand({ TableName, Key: deploymentKey(deployment.id) })).catch(() => undefined);
        throw error;
      }
    },

    async getDeployment(id) {
      const { Item } = await db.send(new GetCommand({ TableName, Key: deploymentKey(id), ConsistentRead: true }));
      return Item ? toDeployment(Item) : null;
    },

    async listDeployments(projectId) {
      const entries = await queryAll({
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': `PROJECT#${projectId}`, ':prefix': 'DEPLOYMENT#' },
        ScanIndexForward: false,
      });
      const ids = entries.map((entry) => String(entry['deploymentId']));
      const byId = new Map((await getItems(ids.map(deploymentKey))).map((item) => [String(item['id']), toDeployment(item)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    async updateDeployment(id, patch, options) {
      const { names, values, sets } = setExpression(patch, DEPLOYMENT_FIELDS);
      const ifStatus = options?.ifStatus;
      let after: Item;
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName,
            Key: deploymentKey(id),
            UpdateExpression: `SET ${['#type = :type', ...sets].join(', ')}`,
            ConditionExpression: ifStatus === undefined ? 'attribute_exists(PK)' : 'attribute_exists(PK) AND #expectedStatus = :expectedStatus',
            ExpressionAttributeNames: { ...names, '#type': 'type', ...(ifStatus === undefined ? {} : { '#expectedStatus': 'status' }) },
            ExpressionAttributeValues: { ...values, ':type': 'deployment', ...(ifStatus === undefined ? {} : { ':expectedStatus': ifStatus }) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        after = result.Attributes!;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          if (ifStatus !== undefined) {
            const { Item } = await db.send(new GetCommand({ TableName, Key: deploymentKey(id), ConsistentRead: true }));
            if (Item) throw statusConflict(id, ifStatus, toDeployment(Item).status);
          }
          throw new PorticoError('not_found', `no deployment "${id}"; list the project's deployments to see which exist`, { cause: error });
        }
        throw error;
      }
      // A new createdAt moves the deployment in its project's newest-first list.
      if (patch.createdAt !== undefined) await reindex(String(after['projectId']), id, Number(after['seq']), patch.createdAt);
      return toDeployment(after);
    },

    /**
     * Reserves the chunk's byte range on the deployment item (which also proves the deployment
     * exists), then writes the chunk at the start of that range.
     */
    async appendLog(deploymentId, text) {
      if (text === '') return; // nothing to store; keeps every chunk's offset distinct
      const bytes = Buffer.byteLength(text);
      let offset: number;
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName,
            Key: deploymentKey(deploymentId),
            UpdateExpression: 'ADD logBytes :bytes',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':bytes': bytes },
            ReturnValues: 'UPDATED_OLD',
          }),
        );
        offset = Number(Attributes?.['logBytes'] ?? 0);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new PorticoError('not_found', `no deployment "${deploymentId}" to log to`, { cause: error });
        }
        throw error;
      }
      await db.send(new PutCommand({ TableName, Item: { PK: `DEPLOYMENT#${deploymentId}`, SK: logSk(offset), type: 'log', offset, text } }));
    },

    async readLog(deploymentId, offset = 0) {
      const from = Number.isFinite(offset) && offset > 0 ? Math.floor(offset) : 0;
      const pk = `DEPLOYMENT#${deploymentId}`;
      // The chunk holding `from` (or the last chunk, when `from` is past the end)...
      const holding = await db.send(
        new QueryCommand({
          TableName,
          ConsistentRead: true,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :first AND :from',
          ExpressionAttributeValues: { ':pk': pk, ':first': logSk(0), ':from': logSk(from) },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const startChunk = holding.Items?.[0];
      if (!startChunk) return { text: '', nextOffset: 0 };
      // ...and every chunk after it.
      const chunks = await queryAll({
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :start AND :end',
        ExpressionAttributeValues: { ':pk': pk, ':start': String(startChunk['SK']), ':end': LOG_END },
      });
      const firstOffset = Number(startChunk['offset']);
      const bytes = Buffer.concat(chunks.map((chunk) => Buffer.from(String(chunk['text']), 'utf8')));
      const start = nextCharBoundary(bytes, Math.min(from - firstOffset, bytes.length));
      return { text: bytes.subarray(start).toString('utf8'), nextOffset: firstOffset + bytes.length };
    },
  };

  /** Writes the new index entry before deleting the old one, so the deployment is never unlisted. */
  async function reindex(projectId: string, id: string, seq: number, createdAt: string): Promise<void> {
    const pk = `PROJECT#${projectId}`;
    const sk = indexSk(createdAt, seq);
    const stale = await queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      FilterExpression: 'deploymentId = :id',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': 'DEPLOYMENT#', ':id': id },
    });
    await db.send(new PutCommand({ TableName, Item: { PK: pk, SK: sk, type: 'deployment-index', deploymentId: id } }));
    await deleteKeys(stale.map(keyOf).filter((key) => key.SK !== sk));
  }
}

/** Creates the table with `tableSchema` and waits until it is ACTIVE; for tests and local use (CDK makes the real one). */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand({ TableName: tableName, ...tableSchema, KeySchema: [...tableSchema.KeySchema], AttributeDefinitions: [...tableSchema.AttributeDefinitions] }));
  for (let attempt = 0; ; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (attempt >= 60) {
      throw new PorticoError('timeout', `DynamoDB table "${tableName}" is still ${Table?.TableStatus ?? 'missing'}; check the table in the console and try again`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
  }
}

function keyOf(item: Item): { PK: string; SK: string } {
  return { PK: String(item['PK']), SK: String(item['SK']) };
}

function pick<T extends object, K extends keyof T>(value: T, fields: readonly K[]): Pick<T, K> {
  return Object.fromEntries(fields.map((field) => [field, value[field]])) as Pick<T, K>;
}

/** Rebuilds a Project from exactly its own fields, dropping keys and bookkeeping attributes. */
function toProject(item: Item): Project {
  const project = { id: String(item['id']), ...pick(item as unknown as Project, PROJECT_FIELDS) };
  // Items written before secrets, port and startupTimeoutSeconds existed have none.
  return { ...project, secrets: project.secrets ?? {}, port: project.port ?? null, startupTimeoutSeconds: project.startupTimeoutSeconds ?? null };
}

function toDeployment(item: Item): Deployment {
  const deployment = { id: String(item['id']), projectId: String(item['projectId']), ...pick(item as unknown as Deployment, DEPLOYMENT_FIELDS) };
  // Items written before the port was recorded have none.
  return { ...deployment, port: deployment.port ?? null, portReason: deployment.portReason ?? null, card: deployment.card ?? null };
}

/** Skips UTF-8 continuation bytes, so an offset inside a character starts at the next whole one. */
function nextCharBoundary(bytes: Buffer, index: number): number {
  let i = index;
  while (i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i++;
  return i;
}
