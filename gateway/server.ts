import { createServer, type Server } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { join } from 'node:path';
import { type HttpBindings, getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createLocalPorts } from './adapters/local/local-ports.ts';
import { detectLocalGpuPool } from './adapters/local/nvidia-gpu-probe.ts';
import { createApp } from './app.ts';
import { type Config, ConfigError } from './config.ts';
import { endpointUrl } from './domain/host.ts';
import { createFetchEndpoint } from './endpoint/fetch-endpoint.ts';
import { createNodeListener } from './endpoint/node-listener.ts';
import { createNodeProxy } from './endpoint/node-proxy.ts';
import { createRouteTable } from './endpoint/route-table.ts';
import { createUpgradeListener } from './endpoint/node-upgrade.ts';
import { createWakeGate } from './endpoint/wake-gate.ts';
import { messageOf } from './errors.ts';
import { type Clock, systemClock } from './ports/clock.ts';
import { versionedStore } from './services/versioned-store.ts';
import { createDeployPipeline } from './services/deploy-pipeline.ts';
import { createMetrics } from './services/metrics.ts';
import { createProjectService } from './services/project-service.ts';
import { recoverState } from './services/recovery.ts';
import { type Scaler, createScaler } from './services/scaler.ts';
import { type GatewayTls, createGatewayTls } from './tls/gateway-tls.ts';
import { announcingProjects } from './tls/project-certificates.ts';
import { tlsModeOf } from './tls/tls-settings.ts';

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly scaler: Scaler;
  /** The Hono app on the gateway's own host (its `routes` list every API route). */
  readonly app: Hono;
  /** HTTPS (`--tls acme` or `--tls-cert`); `server` is then the plain-HTTP listener on `--http-port`. */
  readonly tls?: GatewayTls;
  /** Waits for running deployments, then stops listening. */
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly log?: (line: string) => void;
  /** Drives idle decisions; tests pass one they can move forward. */
  readonly clock?: Clock;
}

const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Hosts the gateway on Node with the local adapters (the `portico serve` / `npm start` path). */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningGateway> {
  refuseOpenBind(config);
  const tlsMode = tlsModeOf(config);
  const log = options.log ?? console.log;
  // Before anything is opened: an unusable certificate stops startup with nothing to clean up.
  const tls = tlsMode.kind === 'off' ? undefined : await createGatewayTls(config, tlsMode, { clock: options.clock ?? systemClock, log, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
  const local = createLocalPorts(config);
  const store = versionedStore(local.store);
  const ports = { ...local, store, clock: options.clock ?? local.clock };
  const engine = await ports.runtime.ping().then(() => null, (error: unknown) => messageOf(error));
  log(engine ? `warning: ${engine}\nThe API is up; deployments will fail until an engine runs.` : `Docker engine: ${local.dockerWhere}`);

  const recovered = await recoverState(ports);
  if (recovered.interrupted > 0) log(`marked ${recovered.interrupted} interrupted deployment(s) as failed`);
  if (recovered.missing.length > 0) log(`serving containers gone for: ${recovered.missing.join(', ')} (redeploy each: portico redeploy <project>)`);

  const gpuPools = config.gpuPools ?? [await detectLocalGpuPool()].filter((pool) => pool !== null);
  log(gpuPools.length > 0 ? `GPU pools: ${gpuPools.map((p) => `${p.name} (${p.maxGpus}× ${p.gpuModel}, driver ${p.driverVersion})`).join(', ')}` : 'no GPU on this host: CUDA images fail unless their project sets gpu "prefer" or "off" (portico config <project> --gpu off)');

  const metrics = createMetrics();
  const scaler = createScaler(ports, metrics, {
    pauseAfterMs: config.pauseAfterMs,
    wakeTimeoutMs: config.startupTimeoutMs,
    wakeProbeIntervalMs: config.wakeProbeIntervalMs,
    gpuPools,
    gpuContention: config.gpuContention,
    onResumed: (upstream) => proxy.dropIdle(upstream),
  });
  const pipeline = createDeployPipeline(ports, {
    workDir: join(config.dataDir, 'work'),
    startupTimeoutMs: config.startupTimeoutMs,
    containerMemoryBytes: config.containerMemoryBytes,
    containerNanoCpus: config.containerNanoCpus,
    gpuPools,
    keepImages: config.keepImages,
    gpuReserver: scaler,
  });
  const projects = announcingProjects(createProjectService(ports, pipeline, { idleTimeoutSeconds: config.idleTimeoutSeconds }), tls?.projects);
  const publicPort = () => (server.address() as AddressInfo).port;
  const gate = createWakeGate(scaler, ports.clock, { wakeWaitMs: config.wakeWaitMs, wakeQueueMax: config.wakeQueueMax });
  const routes = createRouteTable(store);
  const app = createApp({
    projects,
    endpoint: createFetchEndpoint({ routes, gate, metrics, upstreamTimeoutMs: config.upstreamTimeoutMs }),
    clientAddress: (c) => (c.env as HttpBindings).incoming.socket.remoteAddress ?? '',
    domain: config.domain,
    endpointUrl: (id) => tls?.endpointUrl(id, publicPort()) ?? endpointUrl(id, { domain: config.domain, port: publicPort() }),
    runtimeOf: (id) => scaler.snapshot(id),
    metricsOf: (id) => metrics.snapshot(id),
    historyOf: (id) => metrics.history(id),
    containerLogs: (id, logOptions) => ports.runtime.logs(id, logOptions),
    gpus: { pools: gpuPools, holders: () => scaler.gpuHolders() },
    prometheus: () => metrics.prometheus(),
    apiToken: config.token,
    githubWebhookSecret: config.githubWebhookSecret,
    ...(tls ? { certificateOf: tls.certificateText } : {}),
  });
  const proxy = createNodeProxy({ upstreamTimeoutMs: config.upstreamTimeoutMs, maxBodyBytes: config.maxBodyBytes });
  const endpoint = { domain: config.domain, routes, gate, metrics };
  const listener = createNodeListener({ ...endpoint, proxy, gateway: getRequestListener(app.fetch) });
  const server = createServer(tls ? tls.plainListener(listener, tls.httpsPort) : listener);
  // An idle client connection stays open longer than the load balancers and clients that reuse
  // them keep theirs (an AWS ALB's idle timeout is 60 s), so the gateway is not the side that
  // closes a connection just as a request goes out on it: with Node's default of 5 s, the soak
  // saw that race reset a request now and then.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  const upgrade = createUpgradeListener(endpoint);
  server.on('upgrade', upgrade);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(tls ? config.httpPort : config.port, config.host, resolve);
  });
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${publicPort()}`;
  log(`Portico gateway on ${url} · dashboard ${url}/ · API ${url}/api (docs ${url}/api/docs) · endpoints http://{label}.${config.domain}:${publicPort()} · data in ${config.dataDir}`);

  if (tls) {
    await tls.listen(listener, upgrade, config.port, config.host).catch(async (error: unknown) => {
      await Promise.all([new Promise((resolve) => server.close(resolve)), tls.close()]);
      local.close();
      throw error;
    });
    log(`HTTPS with HTTP/2 on port ${tls.httpsPort()} (https://${config.domain}${tls.httpsPort() === 443 ? '' : `:${tls.httpsPort()}`}); plain HTTP on ${publicPort()} redirects hosts that have a certificate`);
    tls.start((await store.listProjects()).map((project) => project.id));
  }

  const reaper = setInterval(() => void scaler.reap().catch((error: unknown) => log(`reaper: ${messageOf(error)}`)), config.reapIntervalMs);
  reaper.unref();

  return {
    url,
    port: publicPort(),
    server,
    scaler,
    app,
    ...(tls ? { tls } : {}),
    async close() {
      clearInterval(reaper);
      await tls?.close();
      await pipeline.idle();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      proxy.close();
      local.close();
    },
  };
}

/** Anyone who can reach a non-loopback address could deploy arbitrary images: that needs a token. */
function refuseOpenBind(config: Config): void {
  if (config.token !== undefined || isLoopback(config.host)) return;
  throw new ConfigError(
    `refusing to listen on ${config.host} without an API token: anyone who reaches that address could deploy and run any image. ` +
      'Set PORTICO_TOKEN to a long random secret (e.g. `openssl rand -hex 32`), or bind 127.0.0.1 (--host / PORTICO_HOST).',
  );
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
