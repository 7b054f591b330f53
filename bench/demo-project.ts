import type Dockerode from 'dockerode';
import { DEMO_NETWORK } from '../gateway/adapters/local/docker-demo-network.ts';
import { createRouting } from '../gateway/adapters/local/docker-routing.ts';
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

/** Where the bench reaches the demo container: the address Portico's runtime routes to, by the same rule. */
export interface ServingContainer {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** How that address reaches the container, for the table's header. */
  readonly via: string;
}

/**
 * The container Portico runs for a project, and its address as Portico's runtime decides it
 * (`createRouting('auto', …)`, as `docker-routing.ts` does): its own address on the demos'
 * network where this host is on it (a local engine on Linux), else its published loopback port.
 * Every warm path (direct, nginx, the Node pipe, HAProxy, the Node proxy) then goes to the same place.
 */
export async function servingContainer(docker: Dockerode, where: string, label: string): Promise<ServingContainer> {
  const containers = await docker.listContainers({ filters: { label: [`portico.project=${label}`], status: ['running'] } });
  const [container] = containers;
  if (containers.length !== 1 || !container) throw new Error(`expected one running container for ${label}, found ${containers.length}`);
  const info = await docker.getContainer(container.Id).inspect();
  const routing = createRouting('auto', where, DEMO_NETWORK);
  const ref = await routing.address(info);
  if (!ref) throw new Error(`container ${container.Id.slice(0, 12)} has no address on ${DEMO_NETWORK} and publishes no loopback port`);
  const url = new URL(ref.upstream);
  const via = routing.direct(info) ? `its own address on the ${DEMO_NETWORK} network (${url.host})` : `its published loopback port (${url.host}: this host is not on the ${DEMO_NETWORK} network)`;
  return { id: container.Id, host: url.hostname, port: Number(url.port), via };
}
