import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { createLocalPorts } from './adapters/local/local-ports.ts';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { endpointUrl } from './domain/host.ts';
import { createNodeListener } from './endpoint/node-listener.ts';
import { createNodeProxy } from './endpoint/node-proxy.ts';
import { messageOf } from './errors.ts';
import { createDeployPipeline } from './services/deploy-pipeline.ts';
import { createProjectService } from './services/project-service.ts';
import { recoverState } from './services/recovery.ts';

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Waits for running deployments, then stops listening. */
  close(): Promise<void>;
}

/** Hosts the gateway on Node with the local adapters (the `portico serve` / `npm start` path). */
export async function startServer(config: Config, log: (line: string) => void = console.log): Promise<RunningGateway> {
  const ports = createLocalPorts(config);
  const engine = await ports.runtime.ping().then(() => null, (error: unknown) => messageOf(error));
  log(engine ? `warning: ${engine}\nThe API is up; deployments will fail until an engine runs.` : `Docker engine: ${ports.dockerWhere}`);

  const recovered = await recoverState(ports);
  if (recovered.interrupted > 0) log(`marked ${recovered.interrupted} interrupted deployment(s) as failed`);
  if (recovered.missing.length > 0) log(`serving containers gone for: ${recovered.missing.join(', ')} (redeploy them)`);

  const pipeline = createDeployPipeline(ports, {
    workDir: join(config.dataDir, 'work'),
    startupTimeoutMs: config.startupTimeoutMs,
    containerMemoryBytes: config.containerMemoryBytes,
    containerNanoCpus: config.containerNanoCpus,
  });
  const projects = createProjectService(ports, pipeline, { idleTimeoutSeconds: config.idleTimeoutSeconds });
  const publicPort = () => (server.address() as AddressInfo).port;
  const app = createApp({ projects, endpointUrl: (id) => endpointUrl(id, { domain: config.domain, port: publicPort() }) });
  const proxy = createNodeProxy({ upstreamTimeoutMs: config.upstreamTimeoutMs });
  const server = createServer(createNodeListener({ domain: config.domain, store: ports.store, proxy, gateway: getRequestListener(app.fetch) }));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${publicPort()}`;
  log(`Portico gateway on ${url} (endpoints at http://{label}.${config.domain}:${publicPort()}), data in ${config.dataDir}`);

  return {
    url,
    port: publicPort(),
    server,
    async close() {
      await pipeline.idle();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      proxy.close();
      ports.close();
    },
  };
}
