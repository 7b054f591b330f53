import { type IncomingMessage, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parsePrefixed } from '../../gateway/endpoint/path-prefix.ts';
import { type ForwardOptions, forwardedRequest, hostOf, responseHeaders } from '../../gateway/endpoint/raw-headers.ts';

/** Sends `head` as written over a real socket to a real server and returns what `read` made of the parsed request. */
async function parsed<T>(head: string, read: (req: IncomingMessage) => T): Promise<T> {
  let result: T | undefined;
  const server = createServer((req, res) => {
    result = read(req);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.end(`${head}\r\n\r\n`);
  await new Promise((resolve) => socket.on('close', resolve).resume());
  await new Promise((resolve) => server.close(resolve));
  return result!;
}

const forwarded = (head: string, options: ForwardOptions) => parsed(head, (req) => ({ ...forwardedRequest(req, options), host: hostOf(req) }));
const pairs = (list: readonly string[]) => Array.from({ length: list.length / 2 }, (_, i) => [list[2 * i], list[2 * i + 1]]);

describe('forwarded request headers', () => {
  it('drops hop-by-hop headers and those Connection names, and sets X-Forwarded-For/-Host/-Proto', async () => {
    const head = ['POST /x HTTP/1.1', 'Host: demo.localhost:8080', 'Connection: keep-alive, X-Secret', 'X-Secret: 1', 'Keep-Alive: timeout=5', 'Content-Length: 3', 'X-Forwarded-For: 10.0.0.1', 'X-Forwarded-Proto: https', 'Accept: */*', 'Accept: text/plain'].join('\r\n');
    const sent = await forwarded(head, { trusted: false, prefix: null });
    expect(sent.host).toBe('demo.localhost:8080');
    expect(sent.contentLength).toBe(3);
    expect(sent.chunked).toBe(false);
    expect(pairs(sent.headers)).toEqual([
      ['Host', 'demo.localhost:8080'],
      ['Content-Length', '3'],
      ['Accept', '*/*'],
      ['Accept', 'text/plain'],
      ['x-forwarded-for', '10.0.0.1, 127.0.0.1'],
      ['x-forwarded-host', 'demo.localhost:8080'],
      ['x-forwarded-proto', 'http'],
    ]);
  });

  it('behind a proxy engine keeps the X-Forwarded-* it set; under a prefix replaces X-Forwarded-Prefix', async () => {
    const head = ['GET / HTTP/1.1', 'Host: gw', 'X-Forwarded-For: 203.0.113.9', 'X-Forwarded-Host: gw:80', 'X-Forwarded-Proto: https', 'X-Forwarded-Prefix: /spoofed', 'Transfer-Encoding: chunked', '', '0'].join('\r\n');
    const sent = await forwarded(head, { trusted: true, prefix: '/p/demo' });
    expect(sent.chunked).toBe(true);
    expect(pairs(sent.headers)).toEqual([
      ['Host', 'gw'],
      ['x-forwarded-for', '203.0.113.9'],
      ['x-forwarded-host', 'gw:80'],
      ['x-forwarded-proto', 'https'],
      ['x-forwarded-prefix', '/p/demo'],
    ]);
  });

  it('keeps an Upgrade request\'s Connection and Upgrade headers', async () => {
    const head = ['GET /ws HTTP/1.1', 'Host: d', 'Connection: Upgrade', 'Upgrade: websocket', 'TE: trailers'].join('\r\n');
    const sent = await forwarded(head, { trusted: false, prefix: null, upgrade: true });
    expect(pairs(sent.headers).slice(0, 3)).toEqual([
      ['Host', 'd'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
    ]);
  });
});

describe('response headers', () => {
  it('drops hop-by-hop headers and those Connection names, keeps repeated ones, and reads the length', () => {
    const raw = ['Content-Type', 'text/plain', 'Content-Length', '12', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'];
    const answer = responseHeaders(raw);
    expect(answer.contentLength).toBe(12);
    expect(pairs(answer.headers)).toEqual([
      ['Content-Type', 'text/plain'],
      ['Content-Length', '12'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
    expect(responseHeaders(['Transfer-Encoding', 'chunked']).contentLength).toBeNull();
  });
});

describe('the /p/{label} path prefix', () => {
  it('splits a label from the demo\'s path, and leaves everything else to the gateway', () => {
    expect(parsePrefixed('/p/demo/predict?x=1')).toEqual({ label: 'demo', prefix: '/p/demo', path: '/predict?x=1', bare: false });
    expect(parsePrefixed('/p/demo/')).toEqual({ label: 'demo', prefix: '/p/demo', path: '/', bare: false });
    expect(parsePrefixed('/p/demo')).toEqual({ label: 'demo', prefix: '/p/demo', path: '/', bare: true });
    expect(parsePrefixed('/p/demo?x=1')).toEqual({ label: 'demo', prefix: '/p/demo', path: '/?x=1', bare: true });
    for (const url of ['/', '/api/projects', '/p/', '/p//x', '/pp/demo/', '/p/de%6Do/']) expect(parsePrefixed(url)).toBeNull();
  });
});
