import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { DEMO_NETWORK } from '../gateway/adapters/local/docker-demo-network.ts';
import { createRouting } from '../gateway/adapters/local/docker-routing.ts';
import { containerSpec } from '../gateway/adapters/local/docker-runtime.ts';

/**
 * The baseline for waking: a twin of Portico's container (same image, limits, init, network and
 * loopback publishing, built by the same `containerSpec`, reached by the same routing rule) that
 * the bench starts and stops by hand. It is a separate container, so Portico's view of its own
 * never goes stale.
 */
export interface BareContainer {
  readonly id: string;
  /** `docker start`, then a fresh inspect: a restarted container has a new address (or published port). */
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export async function createBareTwin(docker: Dockerode, where: string, servingContainerId: string): Promise<BareContainer> {
  const routing = createRouting('auto', where, DEMO_NETWORK); // reached as Portico reaches its own
  const serving = await docker.getContainer(servingContainerId).inspect();
  const port = Number(serving.Config.Labels?.['portico.port'] ?? 8000);
  const name = `portico-bench-bare-${randomBytes(4).toString('hex')}`;
  const spec = containerSpec(name, {
    projectId: 'bench-bare',
    deploymentId: 'bench-bare',
    image: serving.Config.Image,
    port,
    env: {},
    memoryBytes: serving.HostConfig.Memory ?? 0,
    nanoCpus: serving.HostConfig.NanoCpus ?? 0,
    gpus: 0,
  });
  // Its own label, not `portico.project`: nothing of Portico's should ever find it. `portico.port` says where it listens, as on Portico's.
  const container = await docker.createContainer({ ...spec, Labels: { 'portico.bench': 'bare-baseline', 'portico.port': String(port) } });

  return {
    id: container.id,
    async start() {
      await container.start();
      const ref = await routing.address(await container.inspect());
      if (!ref) throw new Error(`bare container ${name} has no address on ${DEMO_NETWORK} and publishes no loopback port for ${port}/tcp`);
      return { url: `${ref.upstream}/` };
    },
    async stop() {
      await container.stop({ t: 5 }).catch(ignore(304));
    },
    async remove() {
      await container.remove({ force: true }).catch(ignore(404));
    },
  };
}

function ignore(status: number): (error: unknown) => void {
  return (error) => {
    if ((error as { statusCode?: number }).statusCode !== status) throw error;
  };
}
