import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchEndpoint } from '../../gateway/endpoint/fetch-endpoint.ts';
import type { ContainerTarget } from '../../gateway/endpoint/resolve-endpoint.ts';
import { createMetrics } from '../../gateway/services/metrics.ts';

/*
 * The fetch endpoint (Lambda, and `/p/{label}/` locally) against a real demo server whose
 * keep-alive connections go stale: the demo closes an idle connection just as the gateway reuses
 * it, which after a paused container is unpaused happens on the first request.
 */

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))));
});

/** A demo that answers the first request on each connection and resets the connection on the next one. */
async function demoResettingReusedConnections() {
  const served = new WeakMap<Socket, number>();
  const log: { method: string; url: string; body: string; reused: boolean }[] = [];
  const server = createServer((req, res) => {
    const count = served.get(req.socket) ?? 0;
    served.set(req.socket, count + 1);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      log.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString(), reused: count > 0 });
      if (count > 0) return void req.socket.destroy(); // the stale connection: reset, nothing answered
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`answered ${req.method} ${req.url}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { upstream: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log };
}

function endpointTo(upstream: string) {
  const target: ContainerTarget = { kind: 'container', projectId: 'main-hello-acme', deploymentId: 'd1', container: { id: 'c1', upstream } };
  let inFlight = 0;
  const metrics = createMetrics();
  const serve = createFetchEndpoint({
    routes: { resolve: async () => target },
    gate: { admit: async () => (inFlight++, { kind: 'go', upstream, release: () => void inFlight-- }) },
    metrics,
    upstreamTimeoutMs: 5_000,
  });
  const call = (method: string, path: string, body?: string) =>
    serve({ request: new Request(`http://gateway.test/p/main-hello-acme${path}`, { method, ...(body === undefined ? {} : { body }) }), label: 'main-hello-acme', path, prefix: '/p/main-hello-acme', clientAddress: '127.0.0.1' });
  return { call, inFlight: () => inFlight, metrics };
}

/** Time for fetch to put the connection of a finished response back in its pool, so the next request reuses it. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the fetch endpoint on a stale keep-alive connection', () => {
  it('sends an idempotent request without a body once more on a new connection, and the client never sees the reset', async () => {
    const demo = await demoResettingReusedConnections();
    const { call, inFlight, metrics } = endpointTo(demo.upstream);

    const answers: string[] = [];
    // Until one request met a reused (stale) connection: pooling is fetch's to decide.
    for (let n = 0; n < 10 && !demo.log.some((entry) => entry.reused); n++) {
      const response = await call('GET', `/r${n}`);
      answers.push(`${response.status} ${await response.text()}`);
      await pause();
    }

    const reset = demo.log.find((entry) => entry.reused);
    expect(reset).toBeDefined();
    expect(answers).toStrictEqual(answers.map((_, n) => `200 answered GET /r${n}`));
    // The reset request was sent again, on a fresh connection, and that answer reached the client.
    expect(demo.log.filter((entry) => entry.url === reset!.url).map((entry) => entry.reused)).toStrictEqual([true, false]);
    expect(inFlight()).toBe(0);
    expect(metrics.snapshot('main-hello-acme')).toMatchObject({ requests: answers.length, errors: 0 });
  });

  it('does not send a request with a body twice: the demo may have acted on it, so the client gets the 502', async () => {
    const demo = await demoResettingReusedConnections();
    const { call, inFlight } = endpointTo(demo.upstream);

    const posts: number[] = [];
    const resetPost = () => demo.log.find((entry) => entry.reused && entry.method === 'POST');
    // Until a POST met a reused (stale) connection; a GET that met one is sent again and does not count.
    for (let n = 0; n < 10 && !resetPost(); n++) {
      await (await call('GET', '/warm')).text();
      await pause();
      const posted = await call('POST', `/predict${n}`, '{"x":1}');
      posts.push(posted.status);
      await posted.text();
    }

    const reset = resetPost();
    expect(reset).toBeDefined();
    expect(posts.at(-1)).toBe(502);
    expect(demo.log.filter((entry) => entry.url === reset!.url)).toHaveLength(1);
    expect(inFlight()).toBe(0);
  });
});
