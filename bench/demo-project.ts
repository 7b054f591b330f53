import type Dockerode from 'dockerode';
import { type GitRepo, createGitRepo } from '../test/support/git-repo.ts';
import type { TestGateway } from '../test/support/gateway.ts';
import { nodeDemo } from '../test/support/node-demo.ts';

/** The demo every measurement runs against: the node:http demo, deployed through Portico's API. */
export interface DemoProject {
  readonly label: string;
  readonly image: string;
  readonly repo: GitRepo;
}

export async function deployDemo(gateway: TestGateway): Promise<DemoProject> {
  const repo = await createGitRepo(nodeDemo());
  const created = await gateway.api('POST', '/api/projects', { repo: repo.url });
  if (created.status !== 201 && created.status !== 202) {
    await repo.remove();
    throw new Error(`deploying the bench demo failed with ${created.status}: ${JSON.stringify(created.body)}`);
  }
  const deployment = await gateway.waitForDeployment(created.body.deployment.id, 180_000);
  if (deployment.status !== 'ready') {
    await repo.remove();
    throw new Error(`the bench demo did not deploy (${deployment.status}): ${deployment.error ?? ''}`);
  }
  return { label: created.body.id as string, image: deployment.image as string, repo };
}

/** The container Portico runs for a project, as the engine lists it (id and published loopback port). */
export async function servingContainer(docker: Dockerode, label: string): Promise<{ id: string; port: number }> {
  const containers = await docker.listContainers({ filters: { label: [`portico.project=${label}`], status: ['running'] } });
  const [container] = containers;
  if (containers.length !== 1 || !container) throw new Error(`expected one running container for ${label}, found ${containers.length}`);
  const published = container.Ports.find((port) => port.IP === '127.0.0.1' && port.PublicPort);
  if (!published) throw new Error(`container ${container.Id.slice(0, 12)} publishes no loopback port`);
  return { id: container.Id, port: published.PublicPort };
}
