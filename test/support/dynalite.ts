import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

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
