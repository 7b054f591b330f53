import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { staticSite } from '../../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../../support/gateway.ts';
import { repoTracker } from '../../support/git-repo.ts';

const docker = new Dockerode();

describe('deploys of one project that overlap', () => {
  const repos = repoTracker();
  let gateway: TestGateway | undefined;

  afterAll(async () => {
    await gateway?.stop({ removeData: true });
    await repos.removeAll();
  });

  it('runs them one at a time, the last one requested serves the newest commit, and nothing is left behind by label', async () => {
    gateway = await startTestGateway();
    // The first commit builds slowly, so the others are requested while it is still building.
    const repo = await repos.create(staticSite('one\n', { run: 'sleep 3' }));
    const created = await gateway.api('POST', '/api/projects', { repo: repo.url });
    const label = created.body.id as string;
    const first = created.body.deployment.id as string;
    for (let status = ''; status !== 'building'; status = (await gateway.api('GET', `/api/deployments/${first}`)).body.status) {
      expect(['queued', 'resolving', 'fetching', 'building']).toContain(status || 'queued');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const newest = await repo.commit(staticSite('two\n'));
    const [second, third] = await Promise.all([gateway.api('POST', `/api/projects/${label}/deployments`), gateway.api('POST', `/api/projects/${label}/deployments`)]);
    expect((await gateway.api('GET', `/api/deployments/${second.body.id}`)).body.status).toBe('queued'); // waits for the first

    const done = [await gateway.waitForDeployment(first), await gateway.waitForDeployment(second.body.id), await gateway.waitForDeployment(third.body.id)];
    const last = done.at(-1);
    const ready = done.map((d) => d.phases.at(-1).endedAt as string);
    const began = done.map((d) => d.phases[0].startedAt as string);
    expect(began[1]! >= ready[0]! && began[2]! >= ready[1]!).toBe(true); // serialized: each starts after the one before finished

    const project = (await gateway.api('GET', `/api/projects/${label}`)).body;
    expect(project.currentDeployment).toMatchObject({ id: last.id, status: 'ready', commit: newest });
    for (const earlier of done.slice(0, 2)) expect((await gateway.api('GET', `/api/deployments/${earlier.id}`)).body.status).toBe('superseded');
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'two\n' });

    const byLabel = { label: [`portico.project=${label}`] };
    const containers = await docker.listContainers({ all: true, filters: byLabel });
    expect(containers.map((c) => c.Labels['portico.deployment'])).toEqual([last.id]);
    const images = await docker.listImages({ filters: byLabel });
    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(images.length).toBeLessThanOrEqual(gateway.config.keepImages);

    expect((await gateway.api('DELETE', `/api/projects/${label}`)).status).toBe(204);
    expect(await docker.listContainers({ all: true, filters: byLabel })).toEqual([]);
    expect(await docker.listImages({ filters: byLabel })).toEqual([]);
  });
});
