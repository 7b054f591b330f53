import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { type AwsPorts, createAwsPorts } from './adapters/aws/aws-ports.ts';
import { type AwsConfig, loadAwsConfig } from './aws-config.ts';
import { ConfigError } from './config.ts';
import { createNodeListener } from './endpoint/node-listener.ts';
import { createNodeProxy } from './endpoint/node-proxy.ts';
import { createUpgradeListener } from './endpoint/node-upgrade.ts';
import type { WakeGate } from './endpoint/wake-gate.ts';
import { createLambdaGateway } from './lambda-gateway.ts';

/**
 * The `service` data plane (cdk/constructs/gateway-service.ts): the gateway's Node listener,
 * the one `npm start` runs, as an always-on ECS task behind an Application Load Balancer, with
 * the AWS adapters. Requests for `{label}.{domain}` are proxied straight to the demo task,
 * streaming both ways, WebSocket upgrades and SSE included; a sleeping demo is woken as on
 * Lambda (the waking page, then the task). The API, webhooks, build events and the reaper stay
 * on Lambda; any other host gets the same Hono app (the load balancer's health check asks it).
 */
export interface AwsServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Longer than the load balancer's idle timeout, so the gateway never closes a connection the ALB is about to reuse. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export async function startAwsServer(config: AwsConfig, options: { readonly port: number; readonly host?: string; readonly ports?: AwsPorts; readonly maxBodyBytes?: number }): Promise<AwsServer> {
  if (!config.domain) throw new ConfigError('PORTICO_ENDPOINT_DOMAIN is not set: the gateway service serves {label}.<domain> (the stack sets it with dataPlane "service")');
  const ports = options.ports ?? createAwsPorts(config);
  const gateway = createLambdaGateway(config, ports);
  const { routes, gate, metrics } = gateway.endpoint;
  // The asynchronous gate has no warm fast path and nothing to recheck: it caches answered addresses itself.
  const wakeGate: WakeGate = { admitWarm: () => undefined, admit: (target) => gate.admit(target), recheck: async () => undefined };
  const proxy = createNodeProxy({ upstreamTimeoutMs: config.upstreamTimeoutMs, maxBodyBytes: options.maxBodyBytes ?? 1024 ** 3 });
  const endpoint = { domain: config.domain, routes, gate: wakeGate, metrics };
  const server = createServer(createNodeListener({ ...endpoint, proxy, gateway: getRequestListener(gateway.app.fetch) }));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  // Long requests are the point of this data plane: no request timeout of Node's own.
  server.requestTimeout = 0;
  server.on('upgrade', createUpgradeListener(endpoint));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      proxy.close();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const config = loadAwsConfig(process.env);
  const port = Number(process.env['PORT'] ?? 8080);
  const running = await startAwsServer(config, { port });
  console.log(JSON.stringify({ msg: 'Portico gateway service listening', port: running.port, domain: config.domain }));
  process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
}
