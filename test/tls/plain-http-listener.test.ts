import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPlainHttpListener } from '../../gateway/tls/plain-http-listener.ts';

describe('the plain-HTTP listener with TLS on', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function start(httpsPort: number) {
    server = createServer(createPlainHttpListener({
      challengeAnswer: (token) => (token === 'tok-1' ? 'tok-1.thumbprint' : undefined),
      secured: (host) => host === 'demos.example.com' || host === 'main-a-b.demos.example.com',
      httpsPort: () => httpsPort,
      fallback: (_req, res) => res.end('served on plain HTTP'),
    }));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  function call(port: number, host: string, path: string, method = 'GET') {
    return new Promise<{ status: number; text: string; location: string | undefined }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, location: res.headers.location }));
      });
      req.on('error', reject);
      req.end(method === 'POST' ? 'body' : undefined);
    });
  }

  it('redirects a host that has a certificate with 308, keeping path and query, leaving out port 443', async () => {
    const port = await start(443);
    expect(await call(port, `main-a-b.demos.example.com:${port}`, '/x/y?q=1')).toMatchObject({ status: 308, location: 'https://main-a-b.demos.example.com/x/y?q=1' });
    expect(await call(port, 'DEMOS.example.com.', '/api/projects', 'POST')).toMatchObject({ status: 308, location: 'https://demos.example.com/api/projects' });
  });

  it('names a non-default HTTPS port in the redirect', async () => {
    const port = await start(8443);
    expect((await call(port, 'demos.example.com', '/')).location).toBe('https://demos.example.com:8443/');
  });

  it('answers ACME challenges for every host, secured or not, instead of redirecting', async () => {
    const port = await start(443);
    expect(await call(port, 'main-a-b.demos.example.com', '/.well-known/acme-challenge/tok-1')).toMatchObject({ status: 200, text: 'tok-1.thumbprint' });
    expect(await call(port, 'new-host.demos.example.com', '/.well-known/acme-challenge/tok-1')).toMatchObject({ status: 200, text: 'tok-1.thumbprint' });
    expect(await call(port, 'demos.example.com', '/.well-known/acme-challenge/other')).toMatchObject({ status: 404, text: 'no such ACME challenge\n' });
  });

  it('serves hosts without a certificate on plain HTTP (a failed issuance, or the bare IP)', async () => {
    const port = await start(443);
    expect(await call(port, 'main-failed-b.demos.example.com', '/')).toMatchObject({ status: 200, text: 'served on plain HTTP' });
    expect(await call(port, `127.0.0.1:${port}`, '/')).toMatchObject({ status: 200, text: 'served on plain HTTP' });
    expect(await call(port, 'demos.example.com', 'http://evil.example/')).toMatchObject({ status: 200, text: 'served on plain HTTP' }); // the endpoint listener refuses absolute URIs
  });
});
