import { afterAll, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { createGitRepo, type GitRepo } from '../support/git-repo.ts';

describe('restarting the gateway', () => {
  let gateway: TestGateway | undefined;
  let source: GitRepo | undefined;

  afterAll(async () => {
    if (gateway) {
      await gateway.cleanUp();
    }
    await source?.remove();
  });

  it('routes to the running containers again when started with the same data dir', async () => {
    source = await createGitRepo(staticSite('still here\n'));
    const first = await startTestGateway();
    const created = await first.api('POST', '/api/projects', { repo: source.url });
    const label = created.body.id as string;
    expect((await first.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
    await first.stop();

    gateway = await startTestGateway({}, first.dataDir);
    expect(gateway.gateway.port).not.toBe(first.gateway.port);
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'still here\n' });
    const project = await gateway.api('GET', `/api/projects/${label}`);
    expect(project.body.endpoint).toBe(`http://${label}.localhost:${gateway.gateway.port}`);
  });
});
