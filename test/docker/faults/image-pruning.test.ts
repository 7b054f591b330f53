import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerBuilder } from '../../../gateway/adapters/local/docker-builder.ts';
import { staticSite } from '../../support/demo-app.ts';
import { testDocker } from '../../support/docker.ts';
import { type TestGateway, startTestGateway } from '../../support/gateway.ts';
import { repoTracker } from '../../support/git-repo.ts';

const docker = new Dockerode();

describe('images of a project piling up', () => {
  const repos = repoTracker();
  let gateway: TestGateway | undefined;

  afterAll(async () => {
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  it('keeps only the newest PORTICO_KEEP_IMAGES after each deploy, the serving one among them', async () => {
    gateway = await startTestGateway({ keepImages: 2 });
    const repo = await repos.create(staticSite('v1\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: repo.url });
    const label = created.body.id as string;
    const commits = [await repo.head()];
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
    const tags = async () => (await docker.listImages({ filters: { label: [`portico.project=${label}`] } })).flatMap((image) => image.RepoTags ?? []).sort();
    const tagOf = (commit: string) => `portico/${label}:${commit.slice(0, 12)}`;

    for (const version of ['v2', 'v3', 'v4']) {
      commits.push(await repo.commit(staticSite(`${version}\n`)));
      const deployment = await gateway.api('POST', `/api/projects/${label}/deployments`);
      expect((await gateway.waitForDeployment(deployment.body.id)).status).toBe('ready');
      expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: `${version}\n` });
    }
    expect(await tags()).toEqual([tagOf(commits[2]!), tagOf(commits[3]!)].sort());
    const log = (await gateway.raw('GET', `/api/deployments/${(await gateway.api('GET', `/api/projects/${label}`)).body.currentDeployment.id}/logs`)).text;
    expect(log).toContain(`pruned old images: ${tagOf(commits[1]!)}`);
  });

  it('never removes an image a container still uses, even when asked to keep none', async () => {
    const label = (await gateway!.api('GET', '/api/projects')).body.projects[0].id as string;
    const serving = (await gateway!.api('GET', `/api/projects/${label}`)).body.currentDeployment.image as string;
    const { docker: client, where } = testDocker();
    const { removed } = await createDockerBuilder({ docker: client, where }).pruneProjectImages(label, { keep: [] });
    expect(removed).toHaveLength(1); // the older, unused one
    expect((await docker.listImages({ filters: { label: [`portico.project=${label}`] } })).flatMap((image) => image.RepoTags ?? [])).toEqual([serving]);
    expect(await gateway!.endpoint(label)).toMatchObject({ status: 200, text: 'v4\n' });
  });
});
