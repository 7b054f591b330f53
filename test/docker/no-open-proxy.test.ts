import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { DATA_PLANES, type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

/** Sends raw bytes to the gateway and returns the status line it answers with ('' if it hangs up without one). */
function rawStatus(gateway: TestGateway, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(gateway.gateway.port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('\r\n')) {
        resolve(text.slice(0, text.indexOf('\r\n')));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(''));
  });
}

describe.each(DATA_PLANES)('the gateway is no open proxy, through %s', (proxy) => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let label: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ proxy });
    const created = await gateway.api('POST', '/api/projects', { repo: (await repos.create(staticSite('mine\n'))).url });
    label = created.body.id;
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  it('refuses absolute-form request URIs, on an endpoint host and on the gateway host', async () => {
    // The reason phrase's case is HAProxy's own ("Bad request") when it refuses before Portico sees the request.
    expect(await rawStatus(gateway, `GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: ${label}.localhost\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 Bad Request$/i);
    expect(await rawStatus(gateway, 'GET http://localhost:2375/containers/json HTTP/1.1\r\nHost: localhost:2375\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request$/i);
  });

  it('treats hosts outside the endpoint domain as its own host, never as somewhere to forward to', async () => {
    for (const host of ['169.254.169.254', 'localhost:2375', 'example.com']) {
      expect(await rawStatus(gateway, `GET /latest/meta-data/ HTTP/1.1\r\nHost: ${host}\r\n\r\n`)).toBe('HTTP/1.1 404 Not Found');
    }
  });

  it('never opens a tunnel: CONNECT to any host is refused', async () => {
    for (const target of ['169.254.169.254:80', 'localhost:2375', `${label}.localhost:80`]) {
      const status = await rawStatus(gateway, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
      expect(status, `CONNECT ${target}`).not.toMatch(/^HTTP\/1\.1 2\d\d/);
    }
  });

  it('reads the label only from a Host under the endpoint domain itself, not from look-alikes', async () => {
    for (const host of [`${label}.localhost.evil.example`, `evil.example/${label}.localhost`, `${label}-localhost`]) {
      const status = await rawStatus(gateway, `GET /index.html HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      expect(status, `Host: ${host}`).toMatch(/^HTTP\/1\.1 4\d\d/);
    }
  });

  it('routes by Host alone: X-Forwarded-Host cannot pick another project', async () => {
    const status = await rawStatus(gateway, `GET /index.html HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Host: ${label}.localhost\r\n\r\n`);
    expect(status).toBe('HTTP/1.1 404 Not Found');
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'mine\n' });
  });
});
