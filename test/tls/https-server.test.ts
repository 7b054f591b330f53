import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { type ClientHttp2Session, connect as connectHttp2 } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, ConfigError, loadConfig } from '../../gateway/config.ts';
import { type RunningGateway, startServer } from '../../gateway/server.ts';
import { freePort } from '../support/net.ts';
import { makeCertificate } from '../support/test-certs.ts';

const DOMAIN = 'demos.example.com';

describe('HTTPS with your own wildcard certificate (--tls-cert/--tls-key)', () => {
  let dir: string;
  let ca: string;
  let gateway: RunningGateway;
  let httpPort: number;
  let baseConfig: Config;
  const lines: string[] = [];
  const httpsPort = () => gateway.tls!.httpsPort();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-tls-files-'));
    const wildcard = await makeCertificate(dir, [`*.${DOMAIN}`, DOMAIN]);
    ca = wildcard.caPem;
    httpPort = await freePort();
    baseConfig = { ...loadConfig({}), proxy: 'node', domain: DOMAIN, port: 0, httpPort, dataDir: join(dir, 'data'), dockerHost: 'unix:///tmp/portico-no-engine.sock' };
    gateway = await startServer({ ...baseConfig, tlsCertFile: wildcard.certFile, tlsKeyFile: wildcard.keyFile }, { log: (line) => lines.push(line) });
  });

  afterAll(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the gateway host over HTTP/2 with the wildcard certificate', async () => {
    const session = await h2(DOMAIN);
    try {
      expect(session.alpnProtocol).toBe('h2');
      expect((session.socket as TLSSocket).getPeerX509Certificate()!.subjectAltName).toBe(`DNS:*.${DOMAIN}, DNS:${DOMAIN}`);
      expect(await h2Get(session, DOMAIN, '/healthz')).toMatchObject({ status: 200 });
    } finally {
      session.close();
    }
  });

  it('routes endpoint hosts over HTTP/2 through the endpoint listener (an unknown label gets its 404 page)', async () => {
    const host = `main-nobody-nowhere.${DOMAIN}`;
    const session = await h2(host);
    try {
      const response = await h2Get(session, host, '/');
      expect(response.status).toBe(404);
      expect(response.text).toContain('main-nobody-nowhere');
    } finally {
      session.close();
    }
  });

  it('still speaks HTTP/1.1 over TLS to clients that do not offer h2', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port: httpsPort(), servername: DOMAIN, ca, ALPNProtocols: ['http/1.1'] }, () => {
        expect(socket.alpnProtocol).toBe('http/1.1');
        socket.end(`GET /healthz HTTP/1.1\r\nHost: ${DOMAIN}\r\nConnection: close\r\n\r\n`);
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 200/);
  });

  it('redirects plain HTTP for every host the certificate covers', async () => {
    const location = await new Promise<string | undefined>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: httpPort, path: '/p/x/?a=b', headers: { host: `main-a-b.${DOMAIN}:${httpPort}` } }, (res) => {
        res.resume();
        resolve(res.statusCode === 308 ? res.headers.location : `status ${res.statusCode}`);
      }).on('error', reject).end();
    });
    expect(location).toBe(`https://main-a-b.${DOMAIN}:${httpsPort()}/p/x/?a=b`);
  });

  it('refuses at startup a key that is not the certificate\'s', async () => {
    const other = await makeCertificate(dir, [`*.${DOMAIN}`], { prefix: 'other' });
    const mine = join(dir, 'site.pem');
    const error = await startServer({ ...baseConfig, tlsCertFile: mine, tlsKeyFile: other.keyFile }, { log: () => {} }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`--tls-key ${other.keyFile} is not the private key of the certificate in --tls-cert ${mine}`);
  });

  it('refuses at startup a certificate that covers neither the domain nor its subdomains', async () => {
    const foreign = await makeCertificate(dir, ['*.elsewhere.org'], { prefix: 'foreign' });
    const error = await startServer({ ...baseConfig, tlsCertFile: foreign.certFile, tlsKeyFile: foreign.keyFile }, { log: () => {} }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`covers neither ${DOMAIN} nor *.${DOMAIN}`);
  });

  function h2(servername: string): Promise<ClientHttp2Session> {
    return new Promise((resolve, reject) => {
      const session = connectHttp2(`https://127.0.0.1:${httpsPort()}`, { ca, servername });
      session.once('connect', () => resolve(session));
      session.once('error', reject);
    });
  }
});

function h2Get(session: ClientHttp2Session, authority: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'GET', ':path': path, ':authority': authority });
    let status = 0;
    let text = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve({ status, text }));
    stream.on('error', reject);
  });
}
