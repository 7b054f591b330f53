import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';
import { nodeDemo } from '../support/node-demo.ts';

const run = promisify(execFile);
const DOMAIN = 'portico.test';

/** A self-signed wildcard certificate for `*.portico.test` and `portico.test`, made with openssl (clients refuse a wildcard directly under a single-label name such as `localhost`). */
async function wildcardCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=portico.test', '-addext', 'subjectAltName=DNS:portico.test,DNS:*.portico.test', '-keyout', key, '-out', cert]);
  return { cert, key };
}

describe('HTTPS with an operator-supplied certificate (--tls-cert/--tls-key), served by HAProxy', () => {
  const repos = repoTracker();
  let dir: string;
  let ca: string;
  let gateway: TestGateway;
  let label: string;
  let httpsPort: number;

  function get(path: string, host: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, path, servername: host, ca, agent: false, headers: { host } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-tls-'));
    const files = await wildcardCertificate(dir);
    ca = await readFile(files.cert, 'utf8');
    gateway = await startTestGateway({ domain: DOMAIN, proxy: 'haproxy', tlsCertFile: files.cert, tlsKeyFile: files.key, httpPort: 0, reapIntervalMs: 3_600_000 });
    httpsPort = Number(new URL(gateway.url).port);
    const created = await get('/api/projects', DOMAIN); // the API answers over HTTPS
    expect(created.status).toBe(200);
    const source = await repos.create(nodeDemo({ greeting: 'secure' }));
    const body = JSON.stringify({ repo: source.url });
    const made = await new Promise<{ id: string; deployment: { id: string } }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, path: '/api/projects', method: 'POST', ca, servername: DOMAIN, agent: false, headers: { host: DOMAIN, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.end(body);
    });
    label = made.id;
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const status = JSON.parse((await get(`/api/deployments/${made.deployment.id}`, DOMAIN)).text).status;
      if (status === 'ready') return;
      if (status === 'failed') throw new Error('the demo did not deploy');
    }
    throw new Error('the demo did not become ready');
  });

  afterAll(async () => {
    // The test gateway's own clean-up speaks plain HTTP, which now redirects: delete over HTTPS.
    if (label) {
      await new Promise<void>((resolve) => {
        const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, path: `/api/projects/${label}`, method: 'DELETE', ca, servername: DOMAIN, agent: false, headers: { host: DOMAIN } }, (res) => (res.resume(), res.on('end', resolve)));
        req.on('error', () => resolve());
        req.end();
      });
    }
    await gateway?.stop({ removeData: true }).catch(() => undefined);
    await repos.removeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the demo over HTTPS with a certificate the client verifies, and tells it the scheme', async () => {
    const host = `${label}.${DOMAIN}`;
    expect(await get('/', host)).toMatchObject({ status: 200, text: 'secure\n' });
    const headers = JSON.parse((await get('/headers', host)).text) as Record<string, string>; // now straight from HAProxy to the container
    expect(headers['x-forwarded-proto']).toBe('https');
  });

  it('speaks HTTP/2 to clients that offer it', async () => {
    const session = http2Connect(`https://127.0.0.1:${httpsPort}`, { ca, servername: `${label}.${DOMAIN}` });
    const ask = () =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const stream = session.request({ ':path': '/', ':authority': `${label}.${DOMAIN}` });
        let text = '';
        let status = 0;
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => resolve({ status, text }));
        stream.on('error', reject);
      });
    try {
      expect(await ask()).toEqual({ status: 200, text: 'secure\n' }); // straight to the container
      await gateway.gateway.scaler.sleep(label);
      expect(await ask()).toEqual({ status: 200, text: 'secure\n' }); // through Portico, which wakes it
    } finally {
      session.close();
    }
  });

  it('redirects plain HTTP to HTTPS, except the ACME challenge path', async () => {
    const plain = (path: string) =>
      new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: gateway.gateway.port, path, agent: false, headers: { host: `${label}.${DOMAIN}:${gateway.gateway.port}` } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        });
        req.on('error', reject);
        req.end();
      });
    expect(await plain('/predict?x=1')).toEqual({ status: 308, location: `https://${label}.${DOMAIN}:${httpsPort}/predict?x=1` });
    expect((await plain('/.well-known/acme-challenge/token')).status).not.toBe(308);
  });

  it('lists endpoints with their https:// address', async () => {
    const project = JSON.parse((await get(`/api/projects/${label}`, DOMAIN)).text);
    expect(project.endpoint).toBe(`https://${label}.${DOMAIN}:${httpsPort}`);
  });
});
