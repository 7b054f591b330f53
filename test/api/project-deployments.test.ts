import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { type GitRepo, createGitRepo } from '../support/git-repo.ts';

/** No engine: deployments fail at start, but settings, redeploys and the history go through the real API, services and SQLite. */
describe('PATCH dockerfile and context, and GET /api/projects/:id/deployments', () => {
  let gateway: TestGateway;
  let repo: GitRepo;
  let id: string;

  beforeAll(async () => {
    repo = await createGitRepo({ Dockerfile: 'FROM scratch\nEXPOSE 8000\n', 'web/Dockerfile': 'FROM scratch\nEXPOSE 8001\n', 'web/Dockerfile.gpu': 'FROM scratch\n' });
    gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
    const created = await gateway.api('POST', '/api/projects', { repo: repo.url });
    id = created.body.id;
    await gateway.waitForDeployment(created.body.deployment.id);
  });

  afterAll(async () => {
    await gateway.stop({ removeData: true });
    await repo.remove();
  });

  it('a new context redeploys, and the default Dockerfile moves with it', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { context: 'web' });
    expect(response.status).toBe(202);
    expect(response.body.project).toMatchObject({ context: 'web', dockerfile: 'web/Dockerfile' });
    await gateway.waitForDeployment(response.body.deployment.id);
  });

  it('a new Dockerfile path redeploys; a context change then keeps a Dockerfile that was set by hand', async () => {
    const dockerfile = await gateway.api('PATCH', `/api/projects/${id}`, { dockerfile: 'web/Dockerfile.gpu' });
    expect(dockerfile.status).toBe(202);
    expect(dockerfile.body.project.dockerfile).toBe('web/Dockerfile.gpu');
    await gateway.waitForDeployment(dockerfile.body.deployment.id);

    const context = await gateway.api('PATCH', `/api/projects/${id}`, { context: '.' });
    expect(context.body.project).toMatchObject({ context: '.', dockerfile: 'web/Dockerfile.gpu' });
    await gateway.waitForDeployment(context.body.deployment.id);
  });

  it('setting the Dockerfile it already has does not redeploy', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { dockerfile: 'web/Dockerfile.gpu' });
    expect(response.status).toBe(200);
    expect(response.body.deployment).toBeNull();
  });

  it('refuses a Dockerfile path outside the repository', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { dockerfile: '../etc/Dockerfile' });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('dockerfile');
  });

  it('lists every deployment of the project, newest first', async () => {
    const { status, body } = await gateway.api('GET', `/api/projects/${id}/deployments`);
    expect(status).toBe(200);
    expect(body.deployments).toHaveLength(4);
    expect(body.deployments[0].id).toBe((await gateway.api('GET', `/api/projects/${id}`)).body.latestDeployment.id);
    const created = body.deployments.map((d: { createdAt: string }) => d.createdAt);
    expect([...created].sort().reverse()).toStrictEqual(created);
    for (const deployment of body.deployments) expect(deployment).toMatchObject({ projectId: id, status: 'failed' });
  });

  it('answers 404 for the deployments of an unknown project', async () => {
    const response = await gateway.api('GET', '/api/projects/no-such-project/deployments');
    expect(response.status).toBe(404);
  });
});
