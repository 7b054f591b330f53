import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { requireDocker, testDocker } from '../support/docker.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

const SECRET = 'sk-live-7f3e91c2-never-in-logs';
const { docker, where } = testDocker();

describe('a project secret on a real engine', () => {
  let gateway: TestGateway;
  const repos = repoTracker();

  beforeAll(async () => {
    await requireDocker(docker, where);
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  it('reaches the container environment and appears in no API answer or build log', async () => {
    // The demo publishes its own API_KEY and MODE variables as files, so the test can read what the container saw.
    const cmd = 'CMD ["sh", "-c", "printf %s \\"$API_KEY\\" > /www/key.txt && printf %s \\"$MODE\\" > /www/mode.txt && exec httpd -f -p 8000 -h /www"]';
    const source = await repos.create(staticSite('secret demo\n', { cmd }));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, env: { MODE: 'one' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
    expect((await gateway.endpoint(id, '/key.txt')).text).toBe('');

    const patched = await gateway.api('PATCH', `/api/projects/${id}`, { secrets: { API_KEY: SECRET }, env: { MODE: 'two' } });
    expect(patched.status).toBe(202);
    const deployment = await gateway.waitForDeployment(patched.body.deployment.id);
    expect(deployment.status).toBe('ready');

    expect(await gateway.endpoint(id, '/key.txt')).toMatchObject({ status: 200, text: SECRET });
    expect((await gateway.endpoint(id, '/mode.txt')).text).toBe('two');
    const inspected = await docker.getContainer(await serving(id)).inspect();
    expect(inspected.Config.Env).toContain(`API_KEY=${SECRET}`);

    const answers = [
      JSON.stringify(patched.body),
      JSON.stringify(deployment),
      JSON.stringify((await gateway.api('GET', `/api/projects/${id}`)).body),
      JSON.stringify((await gateway.api('GET', '/api/projects')).body),
      (await gateway.raw('GET', `/api/deployments/${deployment.id}/logs`)).text,
      (await gateway.raw('GET', `/api/deployments/${created.body.deployment.id}/logs`)).text,
    ];
    for (const answer of answers) expect(answer).not.toContain(SECRET);
    expect(answers[4]).toContain('==> ready');
  });

  it('reaches the build as a BuildKit secret, and a required one the project lacks fails the deployment before the build', async () => {
    const run = '--mount=type=secret,id=API_KEY,required=true sha256sum /run/secrets/API_KEY | cut -c1-64 > /www/key-hash.txt';
    const source = await repos.create(staticSite('build secret demo\n', { run }));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url });
    const failed = await gateway.waitForDeployment(created.body.deployment.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('Dockerfile line 3: RUN --mount=type=secret,id=API_KEY,required=true needs the build secret API_KEY, which the project does not have');

    const id = created.body.id as string;
    const patched = await gateway.api('PATCH', `/api/projects/${id}`, { secrets: { API_KEY: SECRET } });
    const deployment = await gateway.waitForDeployment(patched.body.deployment.id);
    expect(deployment.status).toBe('ready');
    expect((await gateway.endpoint(id, '/key-hash.txt')).text).toBe(`${createHash('sha256').update(SECRET).digest('hex')}\n`);
    const log = (await gateway.raw('GET', `/api/deployments/${deployment.id}/logs`)).text;
    expect(log).toMatch(/^#\d+ \[3\/3\] RUN --mount=type=secret,id=API_KEY,required=true sha256sum/m);
    expect(log).not.toContain(SECRET);
    const image = await docker.getImage(deployment.image!).history();
    expect(JSON.stringify(image)).not.toContain(SECRET);
  });

  /** The serving container's id, found by the labels Portico puts on it. */
  async function serving(id: string): Promise<string> {
    const [container] = await docker.listContainers({ filters: { label: [`portico.project=${id}`], status: ['running'] } });
    if (!container) throw new Error(`no running container for ${id}`);
    return container.Id;
  }
});
