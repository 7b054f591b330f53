import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { createTable } from '../../gateway/adapters/aws/dynamodb-store.ts';

/** dynalite ships no types; this is the one call we make. */
type Dynalite = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface RunningDynalite {
  /** e.g. `http://127.0.0.1:41234`, for a DynamoDBClient's `endpoint`. */
  readonly endpoint: string;
  /** A client for this server (dynalite accepts any credentials). */
  client(region?: string): DynamoDBClient;
  close(): Promise<void>;
}

/**
 * A real DynamoDB API server in this process, in memory, on a loopback port of the OS's choosing.
 * Table create/delete/update take no time, so tests never wait for CREATING → ACTIVE.
 */
export async function startDynalite(): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    client: (region = 'us-east-1') => new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * dynalite for one test file: started before its tests and closed after them. `freshTable()`
 * makes an empty table with Portico's schema, so every test starts from nothing.
 */
export function dynaliteForFile(tablePrefix: string) {
  let server: RunningDynalite | undefined;
  let client: DynamoDBClient | undefined;
  let tables = 0;
  beforeAll(async () => {
    server = await startDynalite();
    client = server.client();
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });
  return {
    client: (): DynamoDBClient => client!,
    async freshTable(): Promise<string> {
      const tableName = `${tablePrefix}-${tables++}`;
      await createTable(client!, tableName);
      return tableName;
    },
  };
}
