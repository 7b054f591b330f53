import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, type ProxyKind, loadConfig } from '../../gateway/config.ts';
import type { Clock } from '../../gateway/ports/clock.ts';
import { type RunningGateway, startServer } from '../../gateway/server.ts';
import { callApi } from './net.ts';

export interface TestGateway {
  readonly url: string;
  readonly dataDir: string;
  readonly config: Config;
  readonly gateway: RunningGateway;
  /** What the gateway logged so far. */
  readonly lines: readonly string[];
  /** A JSON call to the REST API on the gateway's own host. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A raw call with a body sent as-is (for malformed input). */
  raw(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  /** A GET of an endpoint through the gateway, addressed by Host header as a browser would. */
  endpoint(label: string, path?: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }>;
  /** Polls a deployment until it is ready, failed or superseded. */
  waitForDeployment(id: string, timeoutMs?: number): Promise<any>;
  /** Stops the gateway; keeps the data dir unless `removeData`. */
  stop(options?: { removeData?: boolean }): Promise<void>;
  /** Deletes every project through the API (so their containers and images go too), stops, removes the data dir. */
  cleanUp(): Promise<void>;
}

/** What can carry warm traffic; the data-plane suites run once per entry. */
export const DATA_PLANES: readonly ProxyKind[] = ['node', 'haproxy'];

/** Starts a real gateway (local adapters, real Docker, SQLite in a temp dir) on a free port. */
export async function startTestGateway(overrides: Partial<Config> = {}, existingDataDir?: string, clock?: Clock): Promise<TestGateway> {
  const dataDir = existingDataDir ?? (await mkdtemp(join(tmpdir(), 'portico-test-')));
  // Local sources on: the suites deploy fixture repos from temp dirs and file:// URLs. The Node
  // proxy unless a suite asks for HAProxy (the data-plane suites run against both: DATA_PLANES).
  const config: Config = { ...loadConfig({}), port: 0, dataDir, startupTimeoutMs: 15_000, allowLocalSources: true, proxy: 'node', ...overrides };
  const lines: string[] = [];
  const gateway = await startServer(config, { log: (line) => lines.push(line), ...(clock ? { clock } : {}) });
  const url = gateway.url;

  const self: TestGateway = {
    url,
    dataDir,
    config,
    gateway,
    lines,
    api: (method, path, body) => callApi(url, method, path, body),
    async raw(method, path, body, headers = {}) {
      const response = await fetch(`${url}${path}`, { method, headers, body: body ?? null });
      return { status: response.status, text: await response.text() };
    },
    endpoint(label, path = '/', headers = {}) {
      return new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: gateway.port, path, headers: { ...headers, host: `${label}.${config.domain}:${gateway.port}` } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        });
        req.on('error', reject);
        req.end();
      });
    },
    async waitForDeployment(id, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await self.api('GET', `/api/deployments/${id}`);
        if (['ready', 'failed', 'superseded'].includes(body.status)) return body;
        if (Date.now() > deadline) throw new Error(`deployment ${id} still ${body.status} after ${timeoutMs} ms; log lines: ${lines.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    async cleanUp() {
      const { body } = await self.api('GET', '/api/projects');
      for (const project of body.projects) await self.api('DELETE', `/api/projects/${project.id}`);
      await self.stop({ removeData: true });
    },
    async stop(options = {}) {
      await gateway.close();
      if (options.removeData) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
