import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeProxy } from '../../gateway/endpoint/node-proxy.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

describe('node proxy connection pool', () => {
  it('keeps the connection to a demo open between requests, and dropIdle closes it (as after a demo was thawed)', async () => {
    const demoSockets: Socket[] = [];
    const demo = createServer((_req, res) => res.end('hi'));
    demo.keepAliveTimeout = 60_000;
    demo.on('connection', (socket: Socket) => demoSockets.push(socket));
    const upstream = await listen(demo);
    const proxy = createNodeProxy({ upstreamTimeoutMs: 5_000, maxBodyBytes: 1024 });
    const front = await listen(createServer((req, res) => proxy.forward(req, res, upstream, () => res.writeHead(502).end(), () => undefined)));

    expect(await get(front)).toBe('hi');
    expect(await get(front)).toBe('hi');
    expect(demoSockets).toHaveLength(1); // the second request reused the pooled connection
    const closed = new Promise((resolve) => demoSockets[0]!.once('close', resolve));

    proxy.dropIdle(upstream);

    await closed;
    expect(await get(front)).toBe('hi');
    expect(demoSockets).toHaveLength(2); // a fresh connection after the drop
    proxy.close();
  });
});
