import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SoakTarget, createTally, errorCount, fire, phaseAt, runLoad } from '../../bench/soak-load.ts';
import { freePort } from '../support/net.ts';

/** Stands in for the gateway: answers like the node demo, or fails on purpose for the paths the tests pick via Host. */
let server: Server;
let port: number;
const hits: { host: string; path: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const host = req.headers.host ?? '';
    hits.push({ host, path: req.url ?? '' });
    if (host.startsWith('waking.')) {
      res.writeHead(503, { 'content-type': 'text/html' });
      return void res.end('<!doctype html><title>Waking</title><style>p{}</style><p>The demo is still waking; try again.</p>');
    }
    if (req.url === '/upload') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      return void req.on('end', () => res.end(JSON.stringify({ bytes, sha256: host.startsWith('lossy.') ? 'x' : hash.digest('hex') })));
    }
    if (req.url?.startsWith('/sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return void res.end([0, 1, 2, 3, 4].map((i) => `data: token-${i}\n\n`).join(''));
    }
    res.end('hello\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const target = (label: string, greeting = 'hello'): SoakTarget => ({ label, host: `${label}.localhost:${port}`, greeting });

describe('soak load', () => {
  it('counts a request served only when its status and whole body are right', async () => {
    const tally = createTally();
    await fire(port, target('ok'), 'get', undefined, tally, 5_000);
    await fire(port, target('ok'), 'sse', undefined, tally, 5_000);
    await fire(port, target('ok'), 'post', undefined, tally, 5_000);
    expect(tally.served).toBe(3);
    expect(tally.servedByKind).toMatchObject({ get: 1, sse: 1, post: 1 });
    expect(errorCount(tally)).toBe(0);
    expect(tally.inFlight).toBe(0);
  });

  it('counts a 503 as an error, keeping the page\'s text for the report', async () => {
    const tally = createTally();
    await fire(port, target('waking'), 'get', undefined, tally, 5_000);
    expect(tally.errors).toEqual({ 'HTTP 503': 1 });
    expect(tally.examples[0]).toContain('The demo is still waking; try again.');
    expect(tally.examples[0]).not.toContain('<');
  });

  it('counts an answer from the wrong demo and a mangled upload as errors', async () => {
    const tally = createTally();
    await fire(port, target('other', 'a different greeting'), 'get', undefined, tally, 5_000);
    await fire(port, target('lossy'), 'post', undefined, tally, 5_000);
    expect(tally.errors).toEqual({ 'wrong body': 2 });
    expect(tally.served).toBe(0);
  });

  it('counts a refused connection as an error by its code', async () => {
    const tally = createTally();
    await fire(await freePort(), target('ok'), 'get', undefined, tally, 5_000);
    expect(tally.errors).toEqual({ 'connection ECONNREFUSED': 1 });
  });

  it('tells on-phases from off-phases of a repeating pattern', () => {
    expect(phaseAt([3, 5], 0)).toEqual({ on: true, index: 0 });
    expect(phaseAt([3, 5], 3.5)).toEqual({ on: false, index: 1 });
    expect(phaseAt([3, 5], 8.1)).toEqual({ on: true, index: 2 });
    expect(phaseAt([3, 5, 3, 14], 12)).toEqual({ on: false, index: 3 });
  });

  it('sends at the stream\'s rate and one burst at the start of every on-phase', async () => {
    hits.length = 0;
    const tally = createTally();
    await runLoad({
      port,
      streams: [{ target: target('steady'), kind: 'get', perSecond: 40 }],
      bursts: [{ target: target('bursty'), pattern: [0.3, 0.3], size: 5 }],
      durationSec: 1,
      timeoutMs: 5_000,
      tally,
    });
    const steady = hits.filter((hit) => hit.host.startsWith('steady.')).length;
    expect(steady).toBeGreaterThanOrEqual(25); // a timer tick delayed past the end (a loaded machine) loses the last few
    expect(steady).toBeLessThanOrEqual(41);
    expect(hits.filter((hit) => hit.host.startsWith('bursty.'))).toHaveLength(10); // on-phases start at 0 and 0.6 s
    expect(tally.served).toBe(hits.length);
    expect(tally.inFlight).toBe(0);
  });
});
