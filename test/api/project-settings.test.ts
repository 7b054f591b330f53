import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { type GitRepo, createGitRepo } from '../support/git-repo.ts';

const SECRET = 'hf_9d2b7c-never-shown';

/** No engine: deployments fail at start, but every setting and redeploy goes through the real API, services and SQLite. */
describe('PATCH /api/projects/:id', () => {
  let gateway: TestGateway;
  let repo: GitRepo;
  let id: string;
  let firstDeployment: string;

  beforeAll(async () => {
    repo = await createGitRepo({ Dockerfile: 'FROM scratch\nEXPOSE 8000\n' });
    gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
    const created = await gateway.api('POST', '/api/projects', { repo: repo.url, env: { MODE: 'demo', OLD: 'x' } });
    expect(created.status).toBe(201);
    id = created.body.id;
    firstDeployment = created.body.deployment.id;
    await gateway.waitForDeployment(firstDeployment);
  });

  afterAll(async () => {
    await gateway.stop({ removeData: true });
    await repo.remove();
  });

  it('merges env (null removes a variable) and redeploys with 202 and the new deployment', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { env: { MODE: 'prod', OLD: null, NEW: '1' } });
    expect(response.status).toBe(202);
    expect(response.body.project.env).toStrictEqual({ MODE: 'prod', NEW: '1' });
    expect(response.body.deployment.id).not.toBe(firstDeployment);
    expect(response.body.deployment.projectId).toBe(id);
    await gateway.waitForDeployment(response.body.deployment.id);
    expect((await gateway.api('GET', `/api/projects/${id}`)).body.latestDeployment.id).toBe(response.body.deployment.id);
  });

  it('stores secrets, redeploys, and shows only their names in every API answer', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { secrets: { HF_TOKEN: SECRET, B_KEY: 'b-secret-value' } });
    expect(response.status).toBe(202);
    expect(response.body.project.secrets).toStrictEqual(['B_KEY', 'HF_TOKEN']);
    const deployment = await gateway.waitForDeployment(response.body.deployment.id);

    const answers = [
      JSON.stringify(response.body),
      JSON.stringify((await gateway.api('GET', `/api/projects/${id}`)).body),
      JSON.stringify((await gateway.api('GET', '/api/projects')).body),
      JSON.stringify(deployment),
      (await gateway.raw('GET', `/api/deployments/${deployment.id}/logs`)).text,
    ];
    for (const answer of answers) {
      expect(answer).not.toContain(SECRET);
      expect(answer).not.toContain('b-secret-value');
    }
  });

  it('removes a secret with null', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { secrets: { B_KEY: null } });
    expect(response.status).toBe(202);
    expect(response.body.project.secrets).toStrictEqual(['HF_TOKEN']);
    await gateway.waitForDeployment(response.body.deployment.id);
  });

  it('changes only the idle timeout without redeploying', async () => {
    const before = (await gateway.api('GET', `/api/projects/${id}`)).body.latestDeployment.id;
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { idleTimeoutSeconds: 42 });
    expect(response.status).toBe(200);
    expect(response.body.deployment).toBeNull();
    expect(response.body.project.idleTimeoutSeconds).toBe(42);
    const after = (await gateway.api('GET', `/api/projects/${id}`)).body;
    expect(after.idleTimeoutSeconds).toBe(42);
    expect(after.latestDeployment.id).toBe(before);
  });

  it('does not redeploy when env is set to the values it already has', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { env: { MODE: 'prod' } });
    expect(response.status).toBe(200);
    expect(response.body.deployment).toBeNull();
  });

  it('redeploys when the gpu setting changes', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { gpu: 'off' });
    expect(response.status).toBe(202);
    expect(response.body.project.gpu).toBe('off');
    await gateway.waitForDeployment(response.body.deployment.id);
  });

  it('sets the port, redeploys with it declared, does not redeploy for the same port, and finds the port again after null', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { port: 8501 });
    expect(response.status).toBe(202);
    expect(response.body.project.port).toBe(8501);
    const deployment = await gateway.waitForDeployment(response.body.deployment.id);
    // Declared before anything is built (this gateway has no engine, so it fails later).
    expect(deployment.port).toBe(8501);
    expect(deployment.portReason).toContain('8501'); // the declaration's reason (its wording is declarePort's)
    expect((await gateway.raw('GET', `/api/deployments/${deployment.id}/logs`)).text).toContain(`port 8501: ${deployment.portReason}\n`);

    const same = await gateway.api('PATCH', `/api/projects/${id}`, { port: 8501 });
    expect(same.status).toBe(200);
    expect(same.body.deployment).toBeNull();

    const cleared = await gateway.api('PATCH', `/api/projects/${id}`, { port: null });
    expect(cleared.status).toBe(202);
    expect(cleared.body.project.port).toBeNull();
    expect(await gateway.waitForDeployment(cleared.body.deployment.id)).toMatchObject({ port: 8000 }); // the Dockerfile's EXPOSE 8000
  });

  it('changes the startup timeout without redeploying, and back to the default with null', async () => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, { startupTimeoutSeconds: 1800 });
    expect(response.status).toBe(200);
    expect(response.body.deployment).toBeNull();
    expect((await gateway.api('GET', `/api/projects/${id}`)).body.startupTimeoutSeconds).toBe(1800);
    const reset = await gateway.api('PATCH', `/api/projects/${id}`, { startupTimeoutSeconds: null });
    expect(reset.status).toBe(200);
    expect(reset.body.project.startupTimeoutSeconds).toBeNull();
  });

  it('accepts a port and a startup timeout when the project is created', async () => {
    const other = await createGitRepo({ Dockerfile: 'FROM scratch\n' }, { branch: 'ports' });
    try {
      const created = await gateway.api('POST', '/api/projects', { repo: other.url, port: 7860, startupTimeoutSeconds: 600 });
      expect(created.status).toBe(201);
      const deployment = await gateway.waitForDeployment(created.body.deployment.id);
      expect(deployment.port).toBe(7860);
      const project = (await gateway.api('GET', `/api/projects/${created.body.id}`)).body;
      expect(project).toMatchObject({ port: 7860, startupTimeoutSeconds: 600, card: null });
    } finally {
      await other.remove();
    }
  });

  it.each([
    [{ port: 0 }, 'port'],
    [{ port: 65536 }, 'port'],
    [{ port: 80.5 }, 'port'],
    [{ port: '8080' }, 'port'],
    [{ startupTimeoutSeconds: 0 }, 'startupTimeoutSeconds'],
    [{ secrets: { '1BAD': 'x' } }, 'secrets.1BAD'],
    [{ env: { OK: 3 } }, 'env.OK'],
    [{ idleTimeoutSeconds: 0 }, 'idleTimeoutSeconds'],
    [{ branch: 'dev' }, undefined],
  ])('refuses %j with 400 naming the field', async (body, field) => {
    const response = await gateway.api('PATCH', `/api/projects/${id}`, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_input');
    if (field) expect(response.body.error.field).toBe(field);
    else expect(response.body.error.message).toContain('branch');
  });

  it('answers 404 for an unknown project', async () => {
    const response = await gateway.api('PATCH', '/api/projects/no-such-project', { idleTimeoutSeconds: 60 });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('accepts secrets when the project is created and never shows their values', async () => {
    const other = await createGitRepo({ Dockerfile: 'FROM scratch\n' }, { branch: 'dev' });
    try {
      const created = await gateway.api('POST', '/api/projects', { repo: other.url, secrets: { TOKEN: SECRET } });
      expect(created.status).toBe(201);
      await gateway.waitForDeployment(created.body.deployment.id);
      const project = (await gateway.api('GET', `/api/projects/${created.body.id}`)).body;
      expect(project.secrets).toStrictEqual(['TOKEN']);
      expect(JSON.stringify(project)).not.toContain(SECRET);
    } finally {
      await other.remove();
    }
  });
});
