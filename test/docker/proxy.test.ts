import { createHash, randomBytes } from 'node:crypto';
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DATA_PLANES, type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';
import { nodeDemo } from '../support/node-demo.ts';

const MB = 2 ** 20;
/** Keeps the reaper from pausing the demo in the middle of a test. */
const NO_REAPING = { reapIntervalMs: 3_600_000 };

interface Exchange {
  readonly req: ClientRequest;
  readonly res: IncomingMessage;
}

/** Deploys the node demo from a fresh git repository and returns its label once it serves. */
async function deployNodeDemo(gateway: TestGateway, repos: ReturnType<typeof repoTracker>): Promise<string> {
  const source = await repos.create(nodeDemo());
  const created = await gateway.api('POST', '/api/projects', { repo: source.url });
  expect(created.status).toBe(201);
  const deployment = await gateway.waitForDeployment(created.body.deployment.id);
  expect(deployment.status, deployment.error ?? '').toBe('ready');
  return created.body.id as string;
}

/** A request to an endpoint through the gateway, addressed by Host header; resolves once response headers arrive. */
function open(gateway: TestGateway, label: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer | Readable } = {}): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const port = gateway.gateway.port;
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', agent: false, headers: { ...init.headers, host: `${label}.localhost:${port}` } });
    req.once('response', (res) => resolve({ req, res }));
    req.once('error', reject);
    if (init.body instanceof Readable) init.body.pipe(req);
    else req.end(init.body);
  });
}

function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(Buffer.concat(chunks)));
    res.once('error', reject);
  });
}

async function getJson<T>(gateway: TestGateway, label: string, path: string, headers: Record<string, string> = {}): Promise<T> {
  const { res } = await open(gateway, label, path, { headers });
  const body = (await readAll(res)).toString('utf8');
  expect(res.statusCode, body).toBe(200);
  return JSON.parse(body) as T;
}

/** The bytes /download sends: 0, 1, …, 255, 0, 1, … */
function pattern(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = i % 256;
  return bytes;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Polls until `read` returns `want` or `timeoutMs` passes; returns the last value read. */
async function pollFor<T>(read: () => Promise<T>, want: T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe.each(DATA_PLANES)('proxying a live demo through %s', (proxy) => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let label: string;
  const openStreams = () => getJson<{ open: number; websockets: number }>(gateway, label, '/open-streams');

  beforeAll(async () => {
    gateway = await startTestGateway({ ...NO_REAPING, proxy });
    label = await deployNodeDemo(gateway, repos);
  });

  afterAll(async () => {
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  it('serves the demo by Host header', async () => {
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'hello from node\n' });
  });

  it('streams server-sent events one by one as the demo writes them', async () => {
    const started = Date.now();
    const { res } = await open(gateway, label, '/sse?n=5&intervalMs=200');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');

    const arrivals: { event: string; atMs: number }[] = [];
    let pending = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf('\n\n')) !== -1) {
        arrivals.push({ event: pending.slice(0, end), atMs: Date.now() - started });
        pending = pending.slice(end + 2);
      }
    });
    await new Promise((resolve) => res.once('end', resolve));

    expect(arrivals.map((a) => a.event)).toEqual(['data: token-0', 'data: token-1', 'data: token-2', 'data: token-3', 'data: token-4']);
    // Written 200 ms apart: a buffering proxy would deliver them together at the end. The
    // bounds leave room for a busy machine delaying one delivery, not for batching them all.
    expect(arrivals[4]!.atMs - arrivals[0]!.atMs).toBeGreaterThanOrEqual(500);
    const gaps = arrivals.slice(1).map((arrival, i) => arrival.atMs - arrivals[i]!.atMs);
    expect(gaps.filter((gap) => gap >= 100).length, `gaps ${gaps.join(', ')} ms`).toBeGreaterThanOrEqual(3);
  });

  it('streams a 10 MB upload through to the demo intact, chunked or with a length', async () => {
    const data = randomBytes(10 * MB);
    const expected = { bytes: data.length, sha256: sha256(data) };

    // In 64 KiB pieces with no Content-Length: the proxy has to stream, not read a declared size.
    const pieces = Array.from({ length: data.length / (64 * 1024) }, (_, i) => data.subarray(i * 64 * 1024, (i + 1) * 64 * 1024));
    const chunked = await open(gateway, label, '/upload', { method: 'POST', body: Readable.from(pieces), headers: { 'content-type': 'application/octet-stream' } });
    expect(chunked.res.statusCode).toBe(200);
    expect(JSON.parse((await readAll(chunked.res)).toString('utf8'))).toEqual(expected);

    const sized = await open(gateway, label, '/upload', { method: 'POST', body: data, headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) } });
    expect(sized.res.statusCode).toBe(200);
    expect(JSON.parse((await readAll(sized.res)).toString('utf8'))).toEqual(expected);
  });

  it('streams a 10 MB download back intact', async () => {
    const size = 10 * MB;
    const { res } = await open(gateway, label, `/download?bytes=${size}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe(String(size));
    const hash = createHash('sha256');
    let bytes = 0;
    let chunks = 0;
    res.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      chunks += 1;
    });
    await new Promise((resolve) => res.once('end', resolve));
    expect(bytes).toBe(size);
    expect(hash.digest('hex')).toBe(sha256(pattern(size)));
    expect(chunks).toBeGreaterThan(1);
  });

  it('relays a WebSocket echo, short and 60 KiB frames, and releases the upstream socket on close', async () => {
    const port = gateway.gateway.port;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: `${label}.localhost:${port}` } });
    const unexpected = new Promise<never>((_, reject) => {
      socket.once('unexpected-response', (_req, res) => {
        void readAll(res).then((body) => reject(new Error(`upgrade answered ${res.statusCode}: ${body.toString('utf8')}`)));
      });
      socket.once('error', reject);
    });
    await Promise.race([new Promise((resolve) => socket.once('open', resolve)), unexpected]);

    const replies: { text: string; isBinary: boolean }[] = [];
    const received = new Promise<void>((resolve) =>
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        replies.push({ text: data.toString('utf8'), isBinary });
        if (replies.length === 2) resolve();
      }),
    );
    const big = 'x'.repeat(60 * 1024);
    socket.send('hello through portico');
    socket.send(big);
    await Promise.race([received, unexpected]);
    expect(replies).toEqual([
      { text: 'hello through portico', isBinary: false },
      { text: big, isBinary: false },
    ]);
    expect((await openStreams()).websockets).toBe(1);

    const closed = new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code)));
    socket.close(1000, 'done');
    expect(await closed).toBe(1000);
    expect(await pollFor(async () => (await openStreams()).websockets, 0, 5_000)).toBe(0);
  });

  it('releases the upstream connection when a client disconnects mid-stream', async () => {
    const before = (await openStreams()).open;
    const { req, res } = await open(gateway, label, '/hang');
    expect(res.statusCode).toBe(200);
    await new Promise<void>((resolve) => res.once('data', (chunk: Buffer) => (expect(chunk.toString('utf8')).toBe('started\n'), resolve())));
    expect((await openStreams()).open).toBe(before + 1); // the demo sees the stream: the count can move

    req.destroy();
    expect(await pollFor(async () => (await openStreams()).open, before, 5_000)).toBe(before);
  });

  it('tells the demo who asked (X-Forwarded-For/-Proto/-Host) and drops hop-by-hop headers', async () => {
    const port = gateway.gateway.port;
    const headers = await getJson<Record<string, string>>(gateway, label, '/headers', {
      connection: 'x-secret',
      'x-secret': '1',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic c2VjcmV0',
      te: 'trailers',
      'x-demo-token': 'passes',
    });
    expect(headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': `${label}.localhost:${port}`,
      'x-demo-token': 'passes', // end-to-end headers pass, so the absences below mean something
    });
    for (const name of ['x-secret', 'keep-alive', 'proxy-authorization', 'te']) expect(headers, name).not.toHaveProperty(name);
    expect(headers.connection ?? '').not.toContain('x-secret');
  });
});

describe.each(DATA_PLANES)('a demo slower than the upstream timeout, through %s', (proxy) => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let label: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ ...NO_REAPING, upstreamTimeoutMs: 1_000, proxy });
    label = await deployNodeDemo(gateway, repos);
  });

  afterAll(async () => {
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  it('answers 504 saying the demo did not respond in time, without waiting for it', async () => {
    const started = Date.now();
    const answer = await gateway.endpoint(label, '/slow?ms=3000');
    const waited = Date.now() - started;
    expect(answer.status).toBe(504);
    expect(answer.text).toContain('did not respond within 1000 ms');
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(waited).toBeLessThan(2_900);
    expect(await gateway.endpoint(label, '/slow?ms=100')).toMatchObject({ status: 200, text: 'slow done\n' }); // a quick answer still passes
  });
});
