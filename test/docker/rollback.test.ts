import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

const docker = new Dockerode();

/** Rollback on the real engine: the kept image of an earlier deployment serves again, with no build. */
describe('rolling back to an earlier deployment', () => {
  let gateway: TestGateway;
  const repos = repoTracker();

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  it('serves the earlier version again through a new deployment that skips resolve, fetch and build', async () => {
    const source = await repos.create(staticSite('version one\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    const id = created.body.id as string;
    const v1 = await gateway.waitForDeployment(created.body.deployment.id);
    expect(v1.status).toBe('ready');
    const firstCommit = await source.head();

    await source.commit(staticSite('version two\n'));
    const v2 = await gateway.waitForDeployment((await gateway.api('POST', `/api/projects/${id}/deployments`)).body.id);
    expect(v2.status).toBe('ready');
    expect((await gateway.endpoint(id)).text).toBe('version two\n');

    const response = await gateway.api('POST', `/api/projects/${id}/rollback`, { deploymentId: v1.id });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ projectId: id, status: 'queued', commit: firstCommit });
    const rolledBack = await gateway.waitForDeployment(response.body.id);
    expect(rolledBack.status).toBe('ready');
    expect(rolledBack.phases.map((phase: { name: string }) => phase.name)).toStrictEqual(['starting']);
    expect(rolledBack.image).toBe(v1.image);
    expect((await gateway.endpoint(id)).text).toBe('version one\n');

    const project = (await gateway.api('GET', `/api/projects/${id}`)).body;
    expect(project.currentDeployment.id).toBe(rolledBack.id);
    expect((await gateway.api('GET', `/api/deployments/${v2.id}`)).body.status).toBe('superseded');
    const log = (await gateway.raw('GET', `/api/deployments/${rolledBack.id}/logs`)).text;
    expect(log).toContain(`rollback to deployment ${v1.id}`);
    expect(log).not.toContain('==> building');
  }, 180_000);

  it('answers 409 naming the pruned image when the earlier image is gone', async () => {
    const source = await repos.create(staticSite('soon pruned\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    const id = created.body.id as string;
    const v1 = await gateway.waitForDeployment(created.body.deployment.id);
    await source.commit(staticSite('the newer one\n'));
    const v2 = await gateway.waitForDeployment((await gateway.api('POST', `/api/projects/${id}/deployments`)).body.id);
    expect(v2.status).toBe('ready');

    await docker.getImage(v1.image).remove(); // what pruning does to images past PORTICO_KEEP_IMAGES
    const response = await gateway.api('POST', `/api/projects/${id}/rollback`, { deploymentId: v1.id });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toContain(`(${v1.image}) was pruned`);
    expect(response.body.error.message).toContain('redeploy commit');
    expect((await gateway.endpoint(id)).text).toBe('the newer one\n');
  }, 180_000);

  it('refuses to roll back to the deployment that is serving', async () => {
    const source = await repos.create(staticSite('only one\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    const v1 = await gateway.waitForDeployment(created.body.deployment.id);
    const response = await gateway.api('POST', `/api/projects/${created.body.id}/rollback`, { deploymentId: v1.id });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toContain('is the one serving already');
  }, 120_000);
});
