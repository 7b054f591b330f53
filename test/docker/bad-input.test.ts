import { createGzip } from 'node:zlib';
import Dockerode from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, staticSite } from '../support/demo-app.ts';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

const docker = new Dockerode();
const containersOf = (project: string) => docker.listContainers({ all: true, filters: { label: [`portico.project=${project}`] } });

/** A gzip tarball laid out as GitHub's (one top directory), with one entry that climbs out. */
async function tarballWithEscape(): Promise<Buffer> {
  const tar = pack();
  const top = 'acme-evil-0000000/';
  tar.entry({ name: top, type: 'directory' });
  for (const [name, text] of Object.entries(staticSite('evil\n'))) tar.entry({ name: top + name }, text);
  tar.entry({ name: `${top}../../escaped.txt` }, 'gotcha\n');
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar.pipe(createGzip())) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('bad input gets a clear error and changes nothing else', () => {
  let github: FakeGithub;
  let gateway: TestGateway;
  const repos = repoTracker();

  beforeAll(async () => {
    github = await startFakeGithub();
    gateway = await startTestGateway({ githubApiUrl: github.url, startupTimeoutMs: 4_000 });
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await github.close();
    await repos.removeAll();
  });

  const repo = (files: Record<string, string>) => repos.create(files);

  async function projectCount(): Promise<number> {
    return (await gateway.api('GET', '/api/projects')).body.projects.length;
  }

  /** Creates a project and waits for its first deployment to end. */
  async function deploy(files: Record<string, string>) {
    const source = await repo(files);
    const created = await gateway.api('POST', '/api/projects', { repo: source.url });
    expect(created.status).toBe(201);
    return { label: created.body.id as string, deployment: await gateway.waitForDeployment(created.body.deployment.id), source };
  }

  it('refuses malformed JSON with 400 and a hint', async () => {
    const before = await projectCount();
    const response = await gateway.raw('POST', '/api/projects', '{"repo": "acme/hello",', { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/not valid JSON/) });
    expect(await projectCount()).toBe(before);
  });

  it.each([
    [{}, 'repo'],
    [{ repo: 42 }, 'repo'],
    [{ repo: 'acme/hello', gpu: 'lots' }, 'gpu'],
    [{ repo: 'acme/hello', context: '../outside' }, 'context'],
    [{ repo: 'acme/hello', env: { 'BAD NAME': 'x' } }, 'env.BAD NAME'],
    [{ repo: 'acme/hello', surprise: true }, undefined],
    [{ repo: 'ext::sh -c touch% /tmp/pwned' }, 'repo'],
  ])('refuses %j with 400 naming the field', async (body, field) => {
    const response = await gateway.api('POST', '/api/projects', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_input');
    if (field) expect(response.body.error.field).toBe(field);
    expect(response.body.error.message.length).toBeGreaterThan(5);
  });

  it('refuses an unknown GitHub repository before creating anything', async () => {
    const before = await projectCount();
    const response = await gateway.api('POST', '/api/projects', { repo: 'acme/does-not-exist' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ field: 'repo', message: expect.stringContaining('acme/does-not-exist') });
    expect(await projectCount()).toBe(before);
  });

  it('refuses an unknown branch before creating anything', async () => {
    const source = await repo(staticSite('x\n'));
    github.addRepo('acme', 'branchy', source.dir);
    const before = await projectCount();
    for (const repoName of ['acme/branchy', source.url]) {
      const response = await gateway.api('POST', '/api/projects', { repo: repoName, branch: 'no-such-branch' });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ field: 'branch', message: expect.stringContaining('no-such-branch') });
    }
    expect(await projectCount()).toBe(before);
  });

  it('refuses an unknown git URL', async () => {
    const response = await gateway.api('POST', '/api/projects', { repo: 'file:///nonexistent/acme/nothing.git' });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('repo');
  });

  it('fails a repository without a Dockerfile in the resolving phase, saying so', async () => {
    const { deployment, label } = await deploy({ 'README.md': 'no Dockerfile here\n' });
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatch(/no Dockerfile at "Dockerfile"/);
    expect(deployment.phases.map((p: { name: string }) => p.name)).toEqual(['resolving']);
    expect(await containersOf(label)).toHaveLength(0);
    // Visitors get a page for them; the reason is on the dashboard, for the owner.
    const page = await gateway.endpoint(label);
    expect(page.status).toBe(503);
    expect(page.text).toContain('This demo is not available');
    expect(page.text).toContain('id="owner-link"');
    expect(page.text).not.toContain('Dockerfile');
  });

  it('fails a Dockerfile syntax error before building, naming the line', async () => {
    const { deployment } = await deploy({ Dockerfile: `FROM ${BUSYBOX}\nFORM oops\n` });
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatch(/line 2/);
    expect(deployment.phases.map((p: { name: string }) => p.name)).toEqual(['resolving']);
  });

  it('fails a container that exits at start, with its last log line, and leaves no container', async () => {
    const { deployment, label } = await deploy(staticSite('x\n', { cmd: 'CMD ["sh", "-c", "echo model file missing >&2; exit 7"]' }));
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatch(/exited with code 7/);
    expect(deployment.error).toContain('model file missing');
    expect(await containersOf(label)).toHaveLength(0);
  });

  it('fails a container whose port never answers, within the startup timeout', async () => {
    const { deployment, label } = await deploy(staticSite('x\n', { cmd: 'CMD ["sleep", "3600"]' }));
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatch(/did not answer HTTP on port 8000/);
    expect(await containersOf(label)).toHaveLength(0);
  });

  it('refuses a tarball with a ../ path and keeps serving the previous version', async () => {
    const source = await repo(staticSite('safe\n'));
    github.addRepo('acme', 'evil', source.dir);
    const created = await gateway.api('POST', '/api/projects', { repo: 'acme/evil' });
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');

    github.setTarball('acme', 'evil', await tarballWithEscape());
    const redeploy = await gateway.api('POST', '/api/projects/main-evil-acme/deployments');
    const failed = await gateway.waitForDeployment(redeploy.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('../../escaped.txt');
    expect(await gateway.endpoint('main-evil-acme')).toMatchObject({ status: 200, text: 'safe\n' });
  });

  it('answers an unknown label with a 404 page naming it', async () => {
    const page = await gateway.endpoint('main-nobody-nowhere');
    expect(page.status).toBe(404);
    expect(page.text).toContain('main-nobody-nowhere');
  });

  it('answers unknown API routes and resources with JSON 404s', async () => {
    expect((await gateway.api('GET', '/api/projects/nope')).body.error.code).toBe('not_found');
    expect((await gateway.api('GET', '/api/deployments/nope')).status).toBe(404);
    expect((await gateway.api('GET', '/api/nothing-here')).status).toBe(404);
  });
});
