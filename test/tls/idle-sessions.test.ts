import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type ClientHttp2Session, type Http2SecureServer, connect, createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeIdleSessions } from '../../gateway/tls/idle-sessions.ts';
import { makeCertificate } from '../support/test-certs.ts';

describe('idle HTTP/2 sessions on the HTTPS listener', () => {
  let dir: string;
  let server: Http2SecureServer;
  let ca: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-idle-'));
    const certificate = await makeCertificate(dir, ['demos.example.com']);
    ca = certificate.caPem;
    server = createSecureServer({ key: await readFile(certificate.keyFile), cert: certificate.certPem });
    server.on('request', (req, res) => {
      const ms = Number(new URL(req.url, 'https://x').searchParams.get('ms') ?? 0);
      setTimeout(() => res.end('done'), ms);
    });
    closeIdleSessions(server, 200);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const open = () =>
    new Promise<ClientHttp2Session>((resolve, reject) => {
      const session = connect(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, { ca, servername: 'demos.example.com' });
      session.once('connect', () => resolve(session));
      session.once('error', reject);
    });
  const closed = (session: ClientHttp2Session) => new Promise<number>((resolve) => session.once('close', () => resolve(Date.now())));

  it('closes a session that has had no open stream for the idle time', async () => {
    const started = Date.now();
    const session = await open();
    const at = await closed(session);
    expect(at - started).toBeGreaterThanOrEqual(150);
  });

  it('keeps a session open while a stream is open, however quiet, then closes it once idle', async () => {
    const session = await open();
    const closedAt = closed(session);
    const answered = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':path': '/?ms=700' });
      stream.resume();
      stream.on('end', () => resolve(Date.now()));
      stream.on('error', reject);
    });
    expect(await closedAt).toBeGreaterThanOrEqual(answered + 150);
  });
});
