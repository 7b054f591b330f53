import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DATA_PLANES, type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';
import { nodeDemo } from '../support/node-demo.ts';

// Served by Portico's Node listener on its hot path (behind HAProxy too, which hands the gateway's host to Portico); the Lambda gateway's fetch path has its own suite under test/functions.
describe.each(DATA_PLANES)('endpoints under the /p/{label}/ path prefix, behind %s', (proxy) => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let label: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ reapIntervalMs: 3_600_000, proxy });
    const created = await gateway.api('POST', '/api/projects', { repo: (await repos.create(nodeDemo())).url });
    label = created.body.id;
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  const at = (path: string, init?: RequestInit) => fetch(`${gateway.url}/p/${label}${path}`, init);

  it('serves the demo with the prefix stripped and announced in X-Forwarded-Prefix', async () => {
    const home = await at('/');
    expect(home.status).toBe(200);
    expect(await home.text()).toBe('hello from node\n');
    const headers = (await (await at('/headers', { headers: { 'x-forwarded-prefix': '/spoofed' } })).json()) as Record<string, string>;
    expect(headers['x-forwarded-prefix']).toBe(`/p/${label}`);
    expect(headers['x-forwarded-for']).toBe('127.0.0.1'); // the client's address, once
    expect(headers['x-forwarded-host']).toBe(new URL(gateway.url).host);
  });

  it('asks the demo for the path after the prefix, query included, and for / on a non-GET to the bare prefix', async () => {
    expect(await (await at('/nowhere/deeper?x=1')).json()).toEqual({ error: 'no route GET /nowhere/deeper' });
    expect(await (await fetch(`${gateway.url}/p/${label}?x=1`, { method: 'POST', body: 'x' })).json()).toEqual({ error: 'no route POST /' });
  });

  it('relays a WebSocket under the prefix', async () => {
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/p/${label}/ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    });
    const reply = new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString('utf8'))));
    socket.send('hello under a prefix');
    expect(await reply).toBe('hello under a prefix');
    socket.close();
  });

  it('redirects the bare prefix to its trailing-slash form', async () => {
    const response = await fetch(`${gateway.url}/p/${label}`, { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe(`/p/${label}/`);
  });

  it('streams an upload through intact', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 7);
    const response = await at('/upload', { method: 'POST', body });
    expect(await response.json()).toEqual({ bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('streams server-sent events as they are written', async () => {
    const response = await at('/sse?n=4&intervalMs=150');
    const reader = response.body!.getReader();
    const arrivals: number[] = [];
    const started = Date.now();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(Date.now() - started);
      text += Buffer.from(value).toString();
    }
    expect(text).toContain('data: token-3');
    expect(arrivals[0]!).toBeLessThan(arrivals.at(-1)! - 200);
  });

  it('wakes a sleeping demo for a prefixed request', async () => {
    await gateway.gateway.scaler.sleep(label);
    const response = await at('/');
    expect(response.status).toBe(200);
    expect((await gateway.api('GET', `/api/projects/${label}`)).body.runtime).toMatchObject({ state: 'running', coldStarts: 1 });
  });

  it('counts requests out when their clients go away at any point, so the demo can still pause', async () => {
    // Keep-alive clients sending one request after another, then all hanging up at once, as a load generator stops.
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    let stop = false;
    const client = async () => {
      while (!stop) {
        await new Promise<void>((resolve) => {
          const req = request(`${gateway.url}/p/${label}/`, { agent }, (res) => (res.resume(), res.on('end', resolve), res.on('error', () => resolve())));
          req.on('error', () => resolve());
          req.end();
        });
      }
    };
    const clients = Array.from({ length: 32 }, client);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    agent.destroy();
    await Promise.all(clients);
    await new Promise((resolve) => setTimeout(resolve, 800)); // the demo answers to nobody
    await gateway.gateway.scaler.pause(label);
    expect((await gateway.api('GET', `/api/projects/${label}`)).body.runtime.state).toBe('paused');
    expect((await at('/')).status).toBe(200);
  });

  it('answers an unknown label with the 404 page', async () => {
    const response = await fetch(`${gateway.url}/p/main-nobody-nowhere/`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('main-nobody-nowhere');
  });
});
