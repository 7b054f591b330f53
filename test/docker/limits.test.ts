import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDemo } from '../support/node-demo.ts';
import { DATA_PLANES, type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';
import { steppedClock } from '../support/stepped-clock.ts';

/** Sends one request with a body through the gateway and reports the status it got. */
function send(gateway: TestGateway, label: string, headers: Record<string, string>, body: Buffer | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gateway.gateway.port, method: 'POST', path: '/upload', headers: { ...headers, host: `${label}.localhost` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

describe.each(DATA_PLANES)('request limits at the endpoint, through %s', (proxy) => {
  const repos = repoTracker();
  const clock = steppedClock();
  let gateway: TestGateway;
  let label: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ maxBodyBytes: 1024 * 1024, reapIntervalMs: 3_600_000, proxy }, undefined, clock);
    const source = await repos.create(nodeDemo());
    const created = await gateway.api('POST', '/api/projects', { repo: source.url });
    label = created.body.id;
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  it('refuses a body declared larger than the limit with 413 before proxying it', async () => {
    expect(await send(gateway, label, { 'content-length': String(2 * 1024 * 1024) }, Buffer.alloc(2 * 1024 * 1024))).toBe(413);
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    expect(await send(gateway, label, { 'transfer-encoding': 'chunked' }, Buffer.alloc(3 * 1024 * 1024))).toBe(413);
  });

  it('passes a body under the limit', async () => {
    expect(await send(gateway, label, {}, Buffer.alloc(512 * 1024))).toBe(200);
  });

  it('refuses oversized headers with 431', async () => {
    expect(await send(gateway, label, { 'x-huge': 'x'.repeat(20_000) }, null)).toBe(431);
  });

  it('keeps serving after refusing', async () => {
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200 });
  });

  it('counts refused requests out, so the demo can still go to sleep', async () => {
    // Behind HAProxy, what it carried is read every second; the stepped clock jumps an hour at once.
    await gateway.gateway.scaler.observe();
    clock.advance(60 * 60_000);
    expect((await gateway.gateway.scaler.reap()).slept).toEqual([label]);
  });
});
