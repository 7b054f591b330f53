import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { DATA_PLANES, type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';
import { steppedClock } from '../support/stepped-clock.ts';

const docker = new Dockerode();
const MINUTE = 60_000;

/** What the engine itself says, independent of Portico's bookkeeping. */
async function engineState(containerId: string): Promise<'running' | 'paused' | 'stopped'> {
  const { State } = await docker.getContainer(containerId).inspect();
  return State.Paused ? 'paused' : State.Running ? 'running' : 'stopped';
}

/** Container `start` events the engine emitted for one container between two instants. */
async function startEvents(containerId: string, since: number, until: number): Promise<number> {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const stream = await docker.getEvents({ since: seconds(since) as unknown as number, until: seconds(until + 1000) as unknown as number, filters: { container: [containerId], event: ['start'] } });
  const text = await new Promise<string>((resolve, reject) => {
    let all = '';
    stream.on('data', (chunk: Buffer) => (all += chunk.toString()));
    stream.on('end', () => resolve(all));
    stream.on('error', reject);
  });
  return text.split('\n').filter((line) => line.trim()).length;
}

describe.each(DATA_PLANES)('scale to zero and back, through %s', (proxy) => {
  const clock = steppedClock();
  const repos = repoTracker();
  let gateway: TestGateway;
  let label: string;
  let containerId: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ pauseAfterMs: MINUTE, reapIntervalMs: 3_600_000, proxy }, undefined, clock);
    const source = await repos.create(staticSite('awake\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, idleTimeoutSeconds: 600 });
    label = created.body.id;
    const deployment = await gateway.waitForDeployment(created.body.deployment.id);
    expect(deployment.status).toBe('ready');
    containerId = (await docker.listContainers({ filters: { label: [`portico.deployment=${deployment.id}`] } }))[0]!.Id;
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  const runtime = async () => (await gateway.api('GET', `/api/projects/${label}`)).body.runtime;

  it('pauses a demo idle past pauseAfterMs and serves the next request from the paused container', async () => {
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'awake\n' });
    expect(await runtime()).toMatchObject({ state: 'running', coldStarts: 0 });

    clock.advance(MINUTE - 1000);
    expect(await gateway.gateway.scaler.reap()).toEqual({ paused: [], slept: [] });
    clock.advance(2000);
    expect(await gateway.gateway.scaler.reap()).toEqual({ paused: [label], slept: [] });
    expect(await engineState(containerId)).toBe('paused');
    expect((await runtime()).state).toBe('paused');

    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'awake\n' });
    expect(await engineState(containerId)).toBe('running');
    expect(await runtime()).toMatchObject({ state: 'running', coldStarts: 0 });
  });

  it('stops a demo idle past its idle timeout, then wakes it on the next request without losing it', async () => {
    clock.advance(10 * MINUTE);
    expect(await gateway.gateway.scaler.reap()).toEqual({ paused: [], slept: [label] });
    expect(await engineState(containerId)).toBe('stopped');
    expect((await runtime()).state).toBe('sleeping');
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'awake\n' });
    expect(await runtime()).toMatchObject({ state: 'running', coldStarts: 1 });
    expect((await gateway.api('GET', `/api/projects/${label}`)).body.metrics.wakeP50Ms).toBeGreaterThan(0);
  });

  it('serves a burst of 200 concurrent requests at a sleeping demo with exactly one container start', async () => {
    await gateway.gateway.scaler.sleep(label);
    expect(await engineState(containerId)).toBe('stopped');
    const since = Date.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => gateway.endpoint(label)));
    const until = Date.now();
    expect(answers.filter((a) => a.status === 200 && a.text === 'awake\n')).toHaveLength(200);
    expect(await startEvents(containerId, since, until)).toBe(1);
    expect((await runtime()).coldStarts).toBe(2);
  });

  it('never pauses a demo while a request is still in flight', async () => {
    const scaler = gateway.gateway.scaler;
    const project = (await gateway.api('GET', `/api/projects/${label}`)).body;
    const deployment = (await gateway.api('GET', `/api/deployments/${project.currentDeployment.id}`)).body;
    const container = { id: containerId, upstream: 'unused' };
    const { release } = await scaler.begin(label, deployment.id, container);
    clock.advance(20 * MINUTE);
    expect(await scaler.reap()).toEqual({ paused: [], slept: [] });
    release();
    expect(await scaler.reap()).toEqual({ paused: [], slept: [] }); // idle time counts from the request's end
    clock.advance(20 * MINUTE);
    expect((await scaler.reap()).slept).toEqual([label]);
  });

  it('exports the counters as Prometheus text', async () => {
    const text = (await gateway.raw('GET', '/metrics')).text;
    expect(text).toContain('# TYPE portico_requests_total counter');
    expect(text).toMatch(new RegExp(`portico_requests_total\\{project="${label}"\\} 20[3-9]`));
    expect(text).toContain(`portico_cold_starts_total{project="${label}"} 2`);
    expect(text).toMatch(new RegExp(`portico_wake_duration_seconds\\{project="${label}",quantile="0.99"\\} [0-9.]+`));
  });
});

describe.each(DATA_PLANES)('a wake that outlasts the wait, through %s', (proxy) => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let label: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ wakeWaitMs: 500, reapIntervalMs: 3_600_000, proxy });
    // Takes two seconds to listen after every start, as a demo loading a model would.
    const source = await repos.create(staticSite('slow\n', { cmd: 'CMD ["sh", "-c", "sleep 2; exec httpd -f -p 8000 -h /www"]' }));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url });
    label = created.body.id;
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
    await gateway.gateway.scaler.sleep(label);
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  it('gives API clients 503 with Retry-After and browsers a page that reloads, then serves once awake', async () => {
    const [client, browser] = await Promise.all([gateway.endpoint(label, '/', { accept: 'application/json' }), gateway.endpoint(label, '/', { accept: 'text/html' })]);
    expect(client.status).toBe(503);
    expect(client.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(client.text).error.code).toBe('waking');
    expect(browser.status).toBe(503);
    expect(browser.text).toMatch(/<meta http-equiv="refresh" content="\d+">/);

    const deadline = Date.now() + 20_000;
    let served = await gateway.endpoint(label);
    while (served.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      served = await gateway.endpoint(label);
    }
    expect(served).toMatchObject({ status: 200, text: 'slow\n' });
    expect((await gateway.api('GET', `/api/projects/${label}`)).body.runtime.coldStarts).toBe(1);
  });
});
