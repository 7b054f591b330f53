import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';

const MB = 1024 * 1024;

/**
 * A JSON POST of `{"repo", "env": {"X": <chunk × chunks>}}` on its own connection (the gateway
 * closes it after refusing), with a Content-Length or chunked as a client streaming a body would.
 */
function post(gateway: TestGateway, path: string, chunk: string, chunks: number, options: { chunked: boolean }): Promise<{ status: number; text: string }> {
  const head = '{"repo": "acme/hello", "env": {"X": "';
  const tail = '"}}';
  const length = head.length + chunk.length * chunks + tail.length;
  const headers = { 'content-type': 'application/json', ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(length) }) };
  return new Promise((resolve, reject) => {
    const req = request(`${gateway.url}${path}`, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (text += part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    // The gateway may answer and close before every chunk is written: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.write(head);
    for (let i = 0; i < chunks && !req.destroyed; i++) req.write(chunk);
    req.end(tail);
  });
}

/** The API's own limits (the endpoint proxy's are in test/docker/limits.test.ts); no engine needed. */
describe('API request limits', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
  });
  afterAll(() => gateway.stop({ removeData: true }));

  it('refuses a JSON body over 1 MB with 413, naming the limit, and records nothing', async () => {
    const refused = await post(gateway, '/api/projects', 'x'.repeat(MB), 2, { chunked: false });
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.text).error).toEqual({ code: 'too_large', message: 'the request body is larger than 1048576 bytes' });
    expect((await gateway.api('GET', '/api/projects')).body).toEqual({ projects: [] });
  });

  it('refuses a chunked body that grows past 1 MB without a Content-Length', async () => {
    const refused = await post(gateway, '/api/projects', 'x'.repeat(64 * 1024), 40, { chunked: true });
    expect(refused.status).toBe(413);
    expect(refused.text).toContain('larger than 1048576 bytes');
    expect((await gateway.api('GET', '/api/projects')).body).toEqual({ projects: [] });
  });

  it('refuses request headers over 16 KB with 431, and keeps serving', async () => {
    const response = await fetch(`${gateway.url}/api/projects`, { headers: { 'x-padding': 'y'.repeat(20 * 1024) } });
    expect(response.status).toBe(431);
    expect((await gateway.api('GET', '/healthz')).status).toBe(200);
  });
});
