import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { type GitRepo, createGitRepo } from '../support/git-repo.ts';

/** No engine: every deployment fails at start, so none can be rolled back to; the refusals go through the real API, services and SQLite. */
describe('POST /api/projects/:id/rollback and GET /api/projects/:id/deployments without a serving deployment', () => {
  let gateway: TestGateway;
  let repo: GitRepo;
  let id: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    repo = await createGitRepo({ Dockerfile: 'FROM scratch\nEXPOSE 8000\n' });
    gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
    const created = await gateway.api('POST', '/api/projects', { repo: repo.url });
    id = created.body.id;
    first = created.body.deployment.id;
    await gateway.waitForDeployment(first);
    second = (await gateway.api('POST', `/api/projects/${id}/deployments`)).body.id;
    await gateway.waitForDeployment(second);
  });

  afterAll(async () => {
    await gateway.stop({ removeData: true });
    await repo.remove();
  });

  it('lists the deployments newest first with status, commit and phases', async () => {
    const response = await gateway.api('GET', `/api/projects/${id}/deployments`);
    expect(response.status).toBe(200);
    expect(response.body.deployments.map((d: { id: string }) => d.id)).toStrictEqual([second, first]);
    expect(response.body.deployments[0]).toMatchObject({ projectId: id, status: 'failed', commit: await repo.head() });
    expect(response.body.deployments[0].phases[0].name).toBe('resolving');
  });

  it('refuses to roll back to a deployment that never served, with 409 saying why', async () => {
    const response = await gateway.api('POST', `/api/projects/${id}/rollback`, { deploymentId: first });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'conflict' });
    expect(response.body.error.message).toContain('is failed and never served');
    // Nothing was started.
    expect((await gateway.api('GET', `/api/projects/${id}/deployments`)).body.deployments).toHaveLength(2);
  });

  it('answers 404 for a deployment of no such id, naming where to list them', async () => {
    const response = await gateway.api('POST', `/api/projects/${id}/rollback`, { deploymentId: 'no-such-deployment' });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain(`GET /api/projects/${id}/deployments`);
  });

  it('answers 404 for an unknown project, on both routes', async () => {
    expect((await gateway.api('POST', '/api/projects/no-such-project/rollback', { deploymentId: first })).status).toBe(404);
    expect((await gateway.api('GET', '/api/projects/no-such-project/deployments')).status).toBe(404);
  });

  it('refuses a body without deploymentId with 400 naming the field', async () => {
    const response = await gateway.api('POST', `/api/projects/${id}/rollback`, {});
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('deploymentId');
  });
});
