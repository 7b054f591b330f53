import { type IncomingMessage, createServer, type Server } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { join } from 'node:path';
import { type HttpBindings, getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createHaproxyDataPlane } from './adapters/local/haproxy-data-plane.ts';
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
import { routeFollowingStore } from './services/route-following-store.ts';
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
  /** HTTPS (`--tls acme`, or `--tls-cert` with the Node proxy): its certificates, served by Portico's own listener (`server` is then the plain-HTTP listener on `--http-port`) or, with `--tls acme`, by HAProxy. */
  readonly tls?: GatewayTls;
  /** Portico's own listener: the public port with the Node proxy; behind HAProxy, its loopback port. */
  readonly listenerPort: number;
  /** The HAProxy process carrying warm traffic (PORTICO_PROXY=haproxy), if any. */
  readonly proxyPid: () => number | undefined;
  /** Waits for running deployments, then stops listening. */
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly log?: (line: string) => void;
  /** Drives idle decisions; tests pass one they can move forward. */
  readonly clock?: Clock;
}

const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const OBSERVE_INTERVAL_MS = 1_000;

/** Hosts the gateway on Node with the local adapters (the `portico serve` / `npm start` path). */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningGateway> {
  refuseOpenBind(config);
  const tlsMode = tlsModeOf(config);
  const log = options.log ?? console.log;
  const useHaproxy = config.proxy === 'haproxy';
  // With HAProxy in front, it listens on the public address (HTTPS on --port and plain HTTP on
  // --http-port with TLS on) and Portico behind it on loopback. HAProxy serves an operator's
  // certificate from files, or the ACME certificates Portico obtains, given through its runtime API.
  const haproxyTls =
    useHaproxy && tlsMode.kind !== 'off'
      ? { port: config.port === 0 ? await freePort(config.host) : config.port, ...(tlsMode.kind === 'files' ? { certFile: tlsMode.certFile, keyFile: tlsMode.keyFile } : { acme: true as const }) }
      : undefined;
  const haproxyPlainPort = haproxyTls ? config.httpPort : config.port;
  const haproxyPort = useHaproxy ? (haproxyPlainPort === 0 ? await freePort(config.host) : haproxyPlainPort) : null;
  const dataPlane = haproxyPort !== null ? createHaproxyDataPlane({ dir: join(config.dataDir, 'haproxy'), host: config.host, port: haproxyPort, ...(haproxyTls ? { tls: haproxyTls } : {}), domain: config.domain, upstreamTimeoutMs: config.upstreamTimeoutMs, maxBodyBytes: config.maxBodyBytes, threads: config.haproxyThreads, log }) : null;
  const httpsByHaproxy = dataPlane && haproxyTls ? { httpsPort: haproxyTls.port, certificates: dataPlane.certificates } : undefined;
  // Before anything is opened: an unusable certificate stops startup with nothing to clean up.
  const tls =
    tlsMode.kind === 'off' || (httpsByHaproxy && tlsMode.kind === 'files')
      ? undefined
      : await createGatewayTls(config, tlsMode, { clock: options.clock ?? systemClock, log, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS, ...(httpsByHaproxy ? { engine: httpsByHaproxy } : {}) });
  const local = createLocalPorts(config);
  const store = dataPlane ? routeFollowingStore(versionedStore(local.store), dataPlane) : versionedStore(local.store);
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
    ...(dataPlane ? { dataPlane } : {}),
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
  const publicPort = () => haproxyPort ?? (server.address() as AddressInfo).port;
  const gate = createWakeGate(scaler, ports.clock, { wakeWaitMs: config.wakeWaitMs, wakeQueueMax: config.wakeQueueMax });
  const routes = createRouteTable(store);
  const app = createApp({
    projects,
    endpoint: createFetchEndpoint({ routes, gate, metrics, upstreamTimeoutMs: config.upstreamTimeoutMs }),
    clientAddress: (c) => clientOf((c.env as HttpBindings).incoming, dataPlane !== null),
    domain: config.domain,
    endpointUrl: (id) =>
      tls?.endpointUrl(id, publicPort()) ??
      endpointUrl(id, haproxyTls ? { domain: config.domain, port: haproxyTls.port, scheme: 'https' } : { domain: config.domain, port: publicPort() }),
    runtimeOf: (id) => scaler.snapshot(id),
    metricsOf: (id) => metrics.snapshot(id),
    historyOf: (id) => metrics.history(id),
    containerLogs: (id, logOptions) => ports.runtime.logs(id, logOptions),
    gpus: { pools: gpuPools, holders: () => scaler.gpuHolders() },
    prometheus: async () => {
      await scaler.observe().catch(() => undefined); // what HAProxy carried, up to now
      return metrics.prometheus();
    },
    apiToken: config.token,
    githubWebhookSecret: config.githubWebhookSecret,
    ...(tls ? { certificateOf: tls.certificateText } : {}),
  });
  const trustForwarded = dataPlane !== null;
  const proxy = createNodeProxy({ upstreamTimeoutMs: config.upstreamTimeoutMs, maxBodyBytes: config.maxBodyBytes, trustForwarded });
  const endpoint = { domain: config.domain, routes, gate, metrics, trustForwarded };
  const listener = createNodeListener({ ...endpoint, proxy, gateway: getRequestListener(app.fetch) });
  // Behind HAProxy, which redirects to HTTPS itself, Portico's listener only answers ACME challenges.
  const server = createServer(tls ? (dataPlane ? tls.challengeListener(listener) : tls.plainListener(listener, tls.httpsPort)) : listener);
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
    if (dataPlane) server.listen(0, '127.0.0.1', resolve);
    else server.listen(tls ? config.httpPort : config.port, config.host, resolve);
  });
  if (dataPlane) {
    try {
      await dataPlane.start((server.address() as AddressInfo).port);
    } catch (error) {
      server.close();
      local.close();
      throw error;
    }
    log(`HAProxy (pid ${dataPlane.pid}) carries warm traffic on port ${haproxyPort}${haproxyTls ? ` and HTTPS on ${haproxyTls.port}` : ''}; Portico is its activator on 127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  // With ACME, the gateway's own URL is plain HTTP until its certificate is obtained.
  const filesTls = haproxyTls && 'certFile' in haproxyTls ? haproxyTls : undefined;
  const url = filesTls ? `https://${host}:${filesTls.port}` : `http://${host}:${publicPort()}`;
  const endpoints = filesTls ? endpointUrl('{label}', { domain: config.domain, port: filesTls.port, scheme: 'https' }) : `http://{label}.${config.domain}:${publicPort()}`;
  log(`Portico gateway on ${url} · dashboard ${url}/ · API ${url}/api (docs ${url}/api/docs) · endpoints ${endpoints} · data in ${config.dataDir}`);

  if (tls) {
    if (!httpsByHaproxy) {
      await tls.listen(listener, upgrade, config.port, config.host).catch(async (error: unknown) => {
        await Promise.all([new Promise((resolve) => server.close(resolve)), tls.close()]);
        local.close();
        throw error;
      });
    }
    log(`HTTPS with HTTP/2${httpsByHaproxy ? ' by HAProxy' : ''} on port ${tls.httpsPort()} (https://${config.domain}${tls.httpsPort() === 443 ? '' : `:${tls.httpsPort()}`}); plain HTTP on ${publicPort()} redirects hosts that have a certificate`);
    tls.start((await store.listProjects()).map((project) => project.id));
  }

  // The engine's own starts, stops and pauses (restart policy, engine restart, an operator) reach
  // the scaler at once, so routes follow without waiting for the reaper.
  const unwatch = ports.runtime.watch?.((containerId) => void scaler.recheck(containerId).catch((error: unknown) => log(`could not check container ${containerId.slice(0, 12)}: ${messageOf(error)}`)));
  const reaper = setInterval(() => void scaler.reap().catch((error: unknown) => log(`reaper: ${messageOf(error)}`)), config.reapIntervalMs);
  reaper.unref();
  // What HAProxy carries shows in the dashboard's metrics within a second.
  const observer = dataPlane ? setInterval(() => void scaler.observe().catch(() => undefined), OBSERVE_INTERVAL_MS) : null;
  observer?.unref();

  return {
    url,
    port: publicPort(),
    server,
    scaler,
    app,
    ...(tls ? { tls } : {}),
    listenerPort: (server.address() as AddressInfo).port,
    proxyPid: () => dataPlane?.pid,
    async close() {
      clearInterval(reaper);
      unwatch?.();
      if (observer) clearInterval(observer);
      await tls?.close();
      await pipeline.idle();
      await dataPlane?.close();
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

/** A port nothing listens on now, for HAProxy when the operator asked for any (`--port 0`, tests). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The client's address: the socket's peer, or behind HAProxy the last X-Forwarded-For entry it appended. */
function clientOf(incoming: IncomingMessage, behindProxy: boolean): string {
  const forwarded = incoming.headers['x-forwarded-for'];
  if (behindProxy && typeof forwarded === 'string') return forwarded.split(',').pop()!.trim();
  return incoming.socket.remoteAddress ?? '';
}
