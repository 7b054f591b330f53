import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HaproxyDataPlane, createHaproxyDataPlane } from '../../../gateway/adapters/local/haproxy-data-plane.ts';
import { haproxyInstalled } from '../../../gateway/config.ts';
import type { KeyAndCertificate } from '../../../gateway/ports/certificates.ts';
import { freePort } from '../../support/net.ts';
import { makeCertificate } from '../../support/test-certs.ts';

const DOMAIN = 'demos.example.com';
const HOST = `main-a-b.${DOMAIN}`;

describe.skipIf(!haproxyInstalled())('ACME certificates served by HAProxy, changed through its runtime API', () => {
  let dir: string;
  let activator: Server;
  let dataPlane: HaproxyDataPlane;
  let httpPort: number;
  let httpsPort: number;
  let made = 0;

  /** A real certificate for `host` (openssl), with its CA to trust it. */
  async function certificate(host: string): Promise<KeyAndCertificate & { readonly caPem: string; readonly serial: string }> {
    const pair = await makeCertificate(dir, [host], { prefix: `c${(made += 1)}` });
    return { certPem: pair.certPem, keyPem: await readFile(pair.keyFile, 'utf8'), caPem: pair.caPem, serial: new X509Certificate(pair.certPem).serialNumber };
  }

  /** The serial of the certificate HAProxy presents for `servername`, or the TLS error. */
  function served(servername: string, ca: string): Promise<{ serial: string; alpn: string | false } | Error> {
    return new Promise((resolve) => {
      const socket = connectTls({ host: '127.0.0.1', port: httpsPort, servername, ca, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
        resolve({ serial: new X509Certificate(socket.getPeerX509Certificate()!.raw).serialNumber, alpn: socket.alpnProtocol ?? false });
        socket.end();
      });
      socket.once('error', resolve);
    });
  }

  function plain(host: string, path: string): Promise<{ status: number; location: string | undefined; text: string }> {
    return new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: httpPort, path, headers: { host } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text }));
      }).on('error', reject).end();
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-haproxy-certs-'));
    // Portico's listener behind HAProxy: says who answered.
    activator = createServer((req, res) => res.end(`portico ${req.url}`));
    await new Promise<void>((resolve) => activator.listen(0, '127.0.0.1', resolve));
    [httpPort, httpsPort] = await Promise.all([freePort(), freePort()]);
    dataPlane = createHaproxyDataPlane({ dir: join(dir, 'haproxy'), host: '127.0.0.1', port: httpPort, tls: { port: httpsPort, acme: true }, domain: DOMAIN, upstreamTimeoutMs: 5_000, maxBodyBytes: 1_000_000, log: () => {} });
  });

  afterAll(async () => {
    await dataPlane?.close();
    activator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts with the certificates it was given before, serving HTTP/2 by ALPN, and refuses hosts without one', async () => {
    const gatewayCert = await certificate(DOMAIN);
    await dataPlane.certificates.put(DOMAIN, gatewayCert); // loaded from the store before HAProxy starts
    await dataPlane.start((activator.address() as AddressInfo).port);
    expect(await served(DOMAIN, gatewayCert.caPem)).toEqual({ serial: gatewayCert.serial, alpn: 'h2' });
    expect(String(await served(HOST, gatewayCert.caPem))).toMatch(/unrecognized name/);
  });

  it('adds, renews and removes a certificate without restarting HAProxy; redirects only hosts that have one', async () => {
    const pid = dataPlane.pid;
    const first = await certificate(HOST);
    expect(await plain(HOST, '/x?y=1')).toMatchObject({ status: 200, text: 'portico /x?y=1' });
    await dataPlane.certificates.put(HOST, first);
    expect(await served(HOST, first.caPem)).toEqual({ serial: first.serial, alpn: 'h2' });
    expect(await plain(HOST, '/x?y=1')).toMatchObject({ status: 308, location: `https://${HOST}:${httpsPort}/x?y=1` });
    expect(await plain(HOST, '/.well-known/acme-challenge/t0ken')).toMatchObject({ status: 200, text: 'portico /.well-known/acme-challenge/t0ken' });

    const renewed = await certificate(HOST);
    await dataPlane.certificates.put(HOST, renewed);
    expect(await served(HOST, renewed.caPem)).toEqual({ serial: renewed.serial, alpn: 'h2' });

    await dataPlane.certificates.drop(HOST);
    expect(String(await served(HOST, renewed.caPem))).toMatch(/unrecognized name/);
    expect((await plain(HOST, '/x')).status).toBe(200);
    await dataPlane.certificates.drop(HOST); // already gone: success
    expect(dataPlane.pid).toBe(pid);
    expect(await readFile(join(dir, 'haproxy', 'crt-list'), 'utf8')).toBe(`${join(dir, 'haproxy', 'certs', `${DOMAIN}.pem`)}\n`);
  });

  it('serves the current certificates again when HAProxy is started again after dying', async () => {
    const current = await certificate(HOST);
    await dataPlane.certificates.put(HOST, current);
    const pid = dataPlane.pid!;
    process.kill(pid, 'SIGKILL');
    await expect.poll(async () => dataPlane.pid !== pid && (await served(HOST, current.caPem)), { timeout: 10_000, interval: 100 }).toEqual({ serial: current.serial, alpn: 'h2' });
    expect((await plain(HOST, '/x')).status).toBe(308);
  });
});
