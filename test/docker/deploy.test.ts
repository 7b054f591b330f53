import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

const docker = new Dockerode();
const containersOf = (project: string) => docker.listContainers({ all: true, filters: { label: [`portico.project=${project}`] } });
const imagesOf = (project: string) => docker.listImages({ filters: { label: [`portico.project=${project}`] } });

describe('deploying a repository to a live endpoint', () => {
  let github: FakeGithub;
  let gateway: TestGateway;
  const repos = repoTracker();

  beforeAll(async () => {
    github = await startFakeGithub();
    gateway = await startTestGateway({ githubApiUrl: github.url, githubToken: 'test-token' });
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await github.close();
    await repos.removeAll();
  });

  const repo = (files: Record<string, string>) => repos.create(files);

  it('deploys a git repository over file:// and serves it by Host header', async () => {
    const source = await repo(staticSite('hello from git\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    expect(created.status).toBe(201);
    const label = created.body.id as string;
    expect(created.body.endpoint).toBe(`http://${label}.localhost:${gateway.gateway.port}`);
    expect(created.body.deployment.status).toBe('queued');

    const deployment = await gateway.waitForDeployment(created.body.deployment.id);
    expect(deployment).toMatchObject({ status: 'ready', projectId: label, commit: await source.head() });
    expect(deployment.phases.map((p: { name: string }) => p.name)).toEqual(['resolving', 'fetching', 'building', 'starting']);
    expect(deployment.phases.every((p: { endedAt: string | null }) => p.endedAt !== null)).toBe(true);

    const page = await gateway.endpoint(label);
    expect(page).toMatchObject({ status: 200, text: 'hello from git\n' });

    const log = await gateway.raw('GET', `/api/deployments/${deployment.id}/logs`);
    expect(log.text).toContain('==> building');
    expect(log.text).toMatch(/^#\d+ \[\d+\/\d+\] COPY index.html/m);
  });

  it('deploys owner/repo through the GitHub API, sending the token', async () => {
    const source = await repo(staticSite('hello from the GitHub API\n'));
    github.addRepo('acme', 'hello', source.dir);
    const created = await gateway.api('POST', '/api/projects', { repo: 'acme/hello' });
    expect(created.status).toBe(201);
    expect(created.body.id).toBe('main-hello-acme');
    const deployment = await gateway.waitForDeployment(created.body.deployment.id);
    expect(deployment.status).toBe('ready');
    expect(await gateway.endpoint('main-hello-acme')).toMatchObject({ status: 200, text: 'hello from the GitHub API\n' });

    const paths = github.requests.map((r) => r.path);
    expect(paths).toContain('/repos/acme/hello');
    expect(paths.some((p) => p.startsWith('/repos/acme/hello/contents/Dockerfile?ref='))).toBe(true);
    expect(paths.some((p) => p.startsWith('/repos/acme/hello/tarball/'))).toBe(true);
    expect(github.requests.filter((r) => r.path.startsWith('/repos/')).every((r) => r.authorization === 'Bearer test-token')).toBe(true);
  });

  it('answers a re-post of the same repo and branch with the existing project', async () => {
    const again = await gateway.api('POST', '/api/projects', { repo: 'https://github.com/acme/hello' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe('main-hello-acme');
    const { body } = await gateway.api('GET', '/api/projects');
    expect(body.projects.filter((p: { id: string }) => p.id === 'main-hello-acme')).toHaveLength(1);
  });

  it('serves the new commit after a push and redeploy, and removes the old container', async () => {
    const source = await repo(staticSite('version 1\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url });
    const label = created.body.id as string;
    const first = await gateway.waitForDeployment(created.body.deployment.id);
    expect(first.status).toBe('ready');

    const sha2 = await source.commit({ 'index.html': 'version 2\n' });
    const redeploy = await gateway.api('POST', `/api/projects/${label}/deployments`);
    expect(redeploy.status).toBe(202);
    const second = await gateway.waitForDeployment(redeploy.body.id);
    expect(second).toMatchObject({ status: 'ready', commit: sha2 });

    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'version 2\n' });
    expect((await gateway.api('GET', `/api/deployments/${first.id}`)).body.status).toBe('superseded');
    const containers = await containersOf(label);
    expect(containers.map((c) => c.Labels['portico.deployment'])).toEqual([second.id]);

    const project = await gateway.api('GET', `/api/projects/${label}`);
    expect(project.body).toMatchObject({ id: label, currentDeployment: { id: second.id }, latestDeployment: { id: second.id } });
  });

  it('keeps serving the old version when the new build fails, with the failing step in the error', async () => {
    const source = await repo(staticSite('stable\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url });
    const label = created.body.id as string;
    const good = await gateway.waitForDeployment(created.body.deployment.id);

    await source.commit(staticSite('broken\n', { run: 'echo compiling && exit 3' }));
    const redeploy = await gateway.api('POST', `/api/projects/${label}/deployments`);
    const failed = await gateway.waitForDeployment(redeploy.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('exit 3');
    expect(failed.error).toMatch(/exit code: 3/);

    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'stable\n' });
    const project = await gateway.api('GET', `/api/projects/${label}`);
    expect(project.body.currentDeployment.id).toBe(good.id);
    expect(project.body.latestDeployment).toMatchObject({ id: failed.id, status: 'failed' });
    expect((await containersOf(label)).map((c) => c.Labels['portico.deployment'])).toEqual([good.id]);
  });

  it('removes the project with its containers and images on DELETE', async () => {
    const source = await repo(staticSite('short-lived\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url });
    const label = created.body.id as string;
    await gateway.waitForDeployment(created.body.deployment.id);
    expect(await imagesOf(label)).not.toHaveLength(0);

    expect((await gateway.api('DELETE', `/api/projects/${label}`)).status).toBe(204);
    expect(await containersOf(label)).toHaveLength(0);
    expect(await imagesOf(label)).toHaveLength(0);
    expect((await gateway.api('GET', `/api/projects/${label}`)).status).toBe(404);
    expect(await gateway.endpoint(label)).toMatchObject({ status: 404 });
  });
});
