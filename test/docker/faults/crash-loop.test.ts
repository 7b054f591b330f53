import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_RESTARTS } from '../../../gateway/adapters/local/docker-runtime.ts';
import { staticSite } from '../../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../../support/gateway.ts';
import { repoTracker } from '../../support/git-repo.ts';

const docker = new Dockerode();

/** Serves long enough to pass its readiness probe, then dies with a message, as a demo running out of GPU memory would. */
const CRASHES = 'CMD ["sh", "-c", "httpd -p 8000 -h /www; sleep 2; echo fatal: CUDA error: out of memory >&2; exit 3"]';

/** The engine's own record of a container's exits and restarts: `die` and `start` events with their times. */
async function lifeEvents(containerId: string, since: number): Promise<{ action: string; at: number }[]> {
  const stream = await docker.getEvents({ since: (since / 1000).toFixed(3) as unknown as number, until: ((Date.now() + 1000) / 1000).toFixed(3) as unknown as number, filters: { container: [containerId], event: ['start', 'die'] } });
  const text = await new Promise<string>((resolve, reject) => {
    let all = '';
    stream.on('data', (chunk: Buffer) => (all += chunk.toString()));
    stream.on('end', () => resolve(all));
    stream.on('error', reject);
  });
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { Action: string; timeNano: number })
    .map((event) => ({ action: event.Action, at: event.timeNano / 1e6 }));
}

describe('a demo that crashes again and again', () => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let crashy: string;
  let steady: string;
  let since: number;

  beforeAll(async () => {
    gateway = await startTestGateway({ reapIntervalMs: 300 });
    since = Date.now();
    const [a, b] = await Promise.all([repos.create(staticSite('steady\n')), repos.create(staticSite('crashy\n', { cmd: CRASHES }))]);
    const [first, second] = [await gateway.api('POST', '/api/projects', { repo: a.url }), await gateway.api('POST', '/api/projects', { repo: b.url })];
    steady = first.body.id;
    crashy = second.body.id;
    expect((await gateway.waitForDeployment(first.body.deployment.id)).status).toBe('ready');
    expect((await gateway.waitForDeployment(second.body.deployment.id)).status).toBe('ready');
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  it('is restarted by the engine with growing delays, then shows crashed with its last log lines, and its endpoint says so; others keep serving', async () => {
    const runtime = async (label: string) => (await gateway.api('GET', `/api/projects/${label}`)).body.runtime;
    const deadline = Date.now() + 60_000;
    while ((await runtime(crashy)).state !== 'crashed' || (await docker.listContainers({ filters: { label: [`portico.project=${crashy}`], status: ['exited'] } })).length === 0) {
      if (Date.now() > deadline) throw new Error(`still ${(await runtime(crashy)).state} after 60 s`);
      expect((await gateway.endpoint(steady)).status).toBe(200); // unaffected all along
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    const view = await runtime(crashy);
    expect(view.state).toBe('crashed');
    expect(view.lastLog).toContain('fatal: CUDA error: out of memory');

    const [container] = await docker.listContainers({ all: true, filters: { label: [`portico.project=${crashy}`] } });
    const info = await docker.getContainer(container!.Id).inspect();
    expect(info.RestartCount).toBe(CRASH_RESTARTS);
    expect(info.State.Running).toBe(false);
    // Backoff: the engine doubles its wait after each crash (100 ms, 200 ms, … 1.6 s). Each delay
    // seen here also holds the container's own start (about 0.5 s, more under load), which a ratio
    // would mix in; the difference of the ends cancels it: 1.6 s − 0.1 s of backoff, less jitter.
    const events = await lifeEvents(container!.Id, since);
    const delays: number[] = [];
    events.forEach((event, i) => {
      if (event.action === 'start' && events[i - 1]?.action === 'die') delays.push(event.at - events[i - 1]!.at);
    });
    expect(delays).toHaveLength(CRASH_RESTARTS);
    expect(delays.at(-1)! - delays[0]!).toBeGreaterThan(1_000);
    expect(delays.at(-1)!).toBeGreaterThanOrEqual(1_000);

    const page = await gateway.endpoint(crashy, '/', { accept: 'text/html' });
    expect(page.status).toBe(503);
    expect(page.text).toContain('This demo has stopped');
    expect(page.text).not.toContain('fatal: CUDA error'); // the crash output is for the owner, on the dashboard
    expect(await gateway.endpoint(steady)).toMatchObject({ status: 200, text: 'steady\n' });
    expect((await runtime(steady)).state).toBe('running');
  });

  it('stays crashed instead of being started again by requests', async () => {
    const [container] = await docker.listContainers({ all: true, filters: { label: [`portico.project=${crashy}`] } });
    for (let i = 0; i < 3; i += 1) expect((await gateway.endpoint(crashy)).status).toBe(503);
    expect((await docker.getContainer(container!.Id).inspect()).State.Running).toBe(false);
  });
});
