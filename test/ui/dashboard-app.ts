import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createLocalPorts } from '../../gateway/adapters/local/local-ports.ts';
import { type AppDeps, createApp } from '../../gateway/app.ts';
import { loadConfig } from '../../gateway/config.ts';
import type { ProjectStore } from '../../gateway/ports/project-store.ts';
import type { RuntimeSnapshot } from '../../gateway/services/scaler.ts';
import { createDeployPipeline } from '../../gateway/services/deploy-pipeline.ts';
import { createMetrics } from '../../gateway/services/metrics.ts';
import { createProjectService } from '../../gateway/services/project-service.ts';

/**
 * The whole gateway app over a real SQLite store in a temp dir, without a listener: tests seed
 * the store directly and read pages with `app.request()`. Nothing is deployed, so no engine is needed.
 */
export async function dashboardApp(
  runtime: Partial<Record<string, RuntimeSnapshot>> = {},
  /** Dashboard deps a test adds (runtime log, charts, GPUs), given the store the app uses. */
  extra: (store: ProjectStore) => Partial<AppDeps> = () => ({}),
): Promise<{ app: Hono; store: ProjectStore; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-ui-'));
  const ports = createLocalPorts({ ...loadConfig({}), dataDir });
  const pipeline = createDeployPipeline(ports, { workDir: join(dataDir, 'work'), startupTimeoutMs: 1000, containerMemoryBytes: 0, containerNanoCpus: 0, gpuPools: [] });
  const app = createApp({
    projects: createProjectService(ports, pipeline, { idleTimeoutSeconds: 600 }),
    endpointUrl: (id) => `http://${id}.localhost:8080`,
    runtimeOf: (id) => runtime[id] ?? { state: null, lastRequestAt: null, coldStarts: 0 },
    metricsOf: (id) => createMetrics().snapshot(id),
    prometheus: () => '',
    endpoint: async () => new Response('not used here', { status: 500 }),
    clientAddress: () => '127.0.0.1',
    domain: 'localhost',
    ...extra(ports.store),
  });
  return {
    app,
    store: ports.store,
    async close() {
      ports.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A GET on the gateway's own host. */
export function get(app: Hono, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(app.request(`http://localhost:8080${path}`, { headers: { host: 'localhost:8080', ...headers } }));
}
