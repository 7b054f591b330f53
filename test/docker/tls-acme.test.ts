import { X509Certificate, createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { type ClientHttp2Session, connect as connectHttp2 } from 'node:http2';
import { join } from 'node:path';
import { type TLSSocket, connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { endpointLabel } from '../../gateway/domain/labels.ts';
import { parseRepo } from '../../gateway/domain/repo-spec.ts';
import type { CertificateState } from '../../gateway/tls/certificate-manager.ts';
import { DATA_PLANES, type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';
import { freePort } from '../support/net.ts';
import { nodeDemo } from '../support/node-demo.ts';
import { type Pebble, startPebble } from '../support/pebble.ts';
import { steppedClock } from '../support/stepped-clock.ts';

const DOMAIN = 'demos.portico.test';
const DAY_MS = 24 * 60 * 60 * 1000;

// One Pebble for both runs: it validates on `httpPort`, where each run's gateway listens in turn.
let pebble: Pebble;
let httpPort: number;

beforeAll(async () => {
  httpPort = await freePort();
  pebble = await startPebble({ httpPort });
}, 30_000);

afterAll(async () => {
  await pebble?.stop();
});

describe.each(DATA_PLANES)('HTTPS with certificates from an ACME server (Pebble, HTTP-01 validated for real), served by %s', (proxy) => {
  const repos = repoTracker();
  const clock = steppedClock(new Date());
  let gateway: TestGateway;
  let label: string;

  const httpsPort = () => gateway.gateway.tls!.httpsPort();
  const stateOf = (host: string) => gateway.gateway.tls!.state(host);

  beforeAll(async () => {
    gateway = await startTestGateway({
      proxy,
      domain: DOMAIN,
      tls: 'acme',
      httpPort,
      acmeDirectoryUrl: pebble.directoryUrl,
      acmeCaFile: pebble.listenerCaFile,
      acmeEmail: 'ops@portico.test',
      tlsRenewBeforeDays: 30,
      tlsRenewCheckIntervalMs: 200,
      reapIntervalMs: 3_600_000,
    }, undefined, clock);
  }, 30_000);

  afterAll(async () => {
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  it('obtains a certificate for the gateway host and serves the API over HTTP/2', async () => {
    await waitForState(() => stateOf(DOMAIN), 'valid');
    // HTTPS is served by HAProxy itself (Portico listens on loopback behind it), or by Portico's own listener.
    if (proxy === 'haproxy') {
      expect(gateway.gateway.proxyPid()).toBeGreaterThan(0);
      expect([httpPort, httpsPort()]).not.toContain(gateway.gateway.listenerPort);
    }
    const session = await h2(DOMAIN);
    try {
      expect(session.alpnProtocol).toBe('h2');
      expect(peerCertificate(session).subjectAltName).toBe(`DNS:${DOMAIN}`);
      const response = await h2Get(session, DOMAIN, '/api/projects');
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ projects: [] });
    } finally {
      session.close();
    }
  });

  it("obtains a certificate for a new project's host and proxies to its demo over HTTP/2", async () => {
    const created = await gateway.api('POST', '/api/projects', { repo: (await repos.create(nodeDemo())).url, branch: 'main' });
    label = created.body.id;
    const host = `${label}.${DOMAIN}`;
    const [deployment] = await Promise.all([gateway.waitForDeployment(created.body.deployment.id), waitForState(() => stateOf(host), 'valid')]);
    expect(deployment.status).toBe('ready');

    const session = await h2(host);
    try {
      expect(session.alpnProtocol).toBe('h2');
      expect(peerCertificate(session).subjectAltName).toBe(`DNS:${host}`);
      const response = await h2Get(session, host, '/');
      expect(response).toMatchObject({ status: 200, text: 'hello from node\n' });
      const headers = JSON.parse((await h2Get(session, host, '/headers')).text) as Record<string, string>;
      expect(headers).toMatchObject({ host, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': host });
    } finally {
      session.close();
    }
    expect((await gateway.api('GET', `/api/projects/${label}`)).body.endpoint).toBe(`https://${host}:${httpsPort()}`);
    expect(await (await fetch(`${gateway.url}/projects/${label}`)).text()).toMatch(/HTTPS: certificate valid until \d{4}-\d\d-\d\d, renewed 30 days before/);
  }, 120_000);

  it('streams an upload through HTTP/2 and relays a WebSocket over TLS (HTTP/1.1 on the same port)', async () => {
    const host = `${label}.${DOMAIN}`;
    const session = await h2(host);
    try {
      const body = Buffer.alloc(3 * 1024 * 1024, 9);
      const stream = session.request({ ':method': 'POST', ':path': '/upload', ':authority': host, 'content-length': String(body.length) });
      stream.end(body);
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (text += chunk));
      await new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
      expect(JSON.parse(text)).toEqual({ bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    } finally {
      session.close();
    }

    const socket = new WebSocket(`wss://127.0.0.1:${httpsPort()}/ws`, { ca: pebble.issuingRoot, servername: host, headers: { host: `${host}:${httpsPort()}` } } as WebSocket.ClientOptions);
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const echoed = new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString('utf8'))));
      socket.send('hello over wss');
      expect(await echoed).toBe('hello over wss');
    } finally {
      socket.close();
    }
  });

  it('redirects plain HTTP to HTTPS with 308, except the ACME challenge path', async () => {
    const host = `${label}.${DOMAIN}`;
    const redirected = await plain(host, '/headers?x=1', 'POST');
    expect(redirected.status).toBe(308);
    expect(redirected.headers.location).toBe(`https://${host}:${httpsPort()}/headers?x=1`);
    const challenge = await plain(host, '/.well-known/acme-challenge/no-such-token');
    expect(challenge).toMatchObject({ status: 404, text: 'no such ACME challenge\n' });
  });

  it('serves a project on plain HTTP, and logs why, when its certificate cannot be obtained', async () => {
    const repo = await repos.create(nodeDemo({ greeting: 'plain' }));
    const spec = parseRepo(repo.url);
    if (!spec.ok) throw new Error(spec.error);
    const host = `${endpointLabel('main', spec.value.spec.repo, spec.value.spec.owner)}.${DOMAIN}`;
    await pebble.resolve(host, '127.0.0.2'); // the CA looks for the challenge where nothing listens
    const created = await gateway.api('POST', '/api/projects', { repo: repo.url, branch: 'main' });
    expect(`${created.body.id}.${DOMAIN}`).toBe(host);
    const [deployment, state] = await Promise.all([gateway.waitForDeployment(created.body.deployment.id), waitForState(() => stateOf(host), 'failed')]);
    expect(deployment.status).toBe('ready');
    expect(state.kind === 'failed' && state.reason).toMatch(/127\.0\.0\.2|connection refused|connect/i);
    expect(gateway.lines.join('\n')).toContain(`certificate for ${host} could not be obtained: `);
    expect(gateway.lines.join('\n')).toContain(`${host} is served on plain HTTP until it is`);

    const served = await plain(host, '/');
    expect(served).toMatchObject({ status: 200, text: 'plain\n' });
    expect((await gateway.api('GET', `/api/projects/${created.body.id}`)).body.endpoint).toBe(`http://${host}:${httpPort}`);
    const page = await (await fetch(`${gateway.url}/projects/${created.body.id}`)).text();
    expect(page).toContain(`plain HTTP: no certificate could be obtained for ${host} (`);
  }, 120_000);

  it('renews a certificate once it enters the renewal window and serves the new one', async () => {
    const host = `${label}.${DOMAIN}`;
    const before = await waitForState(() => stateOf(host), 'valid');
    if (before.kind !== 'valid') throw new Error('unreachable');
    expect(await servedSerial(host)).toBe(before.serial);

    clock.advance(before.notAfter.getTime() - clock.now().getTime() - 31 * DAY_MS);
    await new Promise((resolve) => setTimeout(resolve, 600)); // three renewal checks: outside the window, nothing changes
    expect(stateOf(host)).toEqual(before);

    const proxyPid = gateway.gateway.proxyPid();
    clock.advance(2 * DAY_MS); // 29 days left: inside the 30-day window
    const after = await waitFor(() => {
      const state = stateOf(host);
      return state?.kind === 'valid' && state.serial !== before.serial ? state : undefined;
    });
    expect(await servedSerial(host)).toBe(after.serial);
    expect(gateway.gateway.proxyPid()).toBe(proxyPid); // HAProxy took it through its runtime API: not restarted, not reloaded
    expect(gateway.lines.join('\n')).toContain(`certificate for ${host} renewed: serial ${after.serial}`);

    const keyMode = (await stat(join(gateway.dataDir, 'tls', 'certs', host, 'key.pem'))).mode & 0o777;
    const accountKeyMode = (await stat(join(gateway.dataDir, 'tls', 'acme-account.key'))).mode & 0o777;
    expect([keyMode, accountKeyMode]).toEqual([0o600, 0o600]);
  }, 60_000);

  it.runIf(proxy === 'haproxy')('serves every current certificate again when HAProxy is started again after dying', async () => {
    const host = `${label}.${DOMAIN}`;
    const state = stateOf(host);
    const pid = gateway.gateway.proxyPid();
    process.kill(pid!, 'SIGKILL');
    await waitFor(() => (gateway.gateway.proxyPid() !== pid ? true : undefined));
    expect(await waitFor(() => servedSerial(host).catch(() => undefined), 10_000)).toBe(state?.kind === 'valid' && state.serial);
    expect((await plain(host, '/')).status).toBe(308); // still known to have a certificate
  });

  it("stops serving and renewing a removed project's certificate and deletes its key", async () => {
    const host = `${label}.${DOMAIN}`;
    expect((await gateway.api('DELETE', `/api/projects/${label}`)).status).toBe(204);
    expect(stateOf(host)).toBeUndefined();
    await waitFor(async () => ((await stat(join(gateway.dataDir, 'tls', 'certs', host)).catch(() => null)) === null ? true : undefined));
    // Portico's listener answers with the gateway host's certificate, which does not name it; HAProxy (strict SNI) with none.
    const refusal = await waitFor(() => h2(host).then((session) => void session.close(), (error: Error) => error));
    expect(refusal.message).toMatch(proxy === 'node' ? /altnames|certificate/i : /unrecognized name/i);
  });

  function h2(servername: string): Promise<ClientHttp2Session> {
    return new Promise((resolve, reject) => {
      const session = connectHttp2(`https://127.0.0.1:${httpsPort()}`, { ca: pebble.issuingRoot, servername });
      session.once('connect', () => resolve(session));
      session.once('error', reject);
    });
  }

  function servedSerial(servername: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket: TLSSocket = connectTls({ host: '127.0.0.1', port: httpsPort(), servername, ca: pebble.issuingRoot, ALPNProtocols: ['http/1.1'] }, () => {
        resolve(new X509Certificate(socket.getPeerX509Certificate()!.raw).serialNumber);
        socket.end();
      });
      socket.once('error', reject);
    });
  }

  function plain(host: string, path: string, method = 'GET'): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: httpPort, path, method, headers: { host: `${host}:${httpPort}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  }
});

function peerCertificate(session: ClientHttp2Session): X509Certificate {
  return (session.socket as TLSSocket).getPeerX509Certificate()!;
}

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

async function waitForState(read: () => CertificateState | undefined, kind: CertificateState['kind']): Promise<CertificateState> {
  return waitFor(() => {
    const state = read();
    return state?.kind === kind ? state : undefined;
  });
}

async function waitFor<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
