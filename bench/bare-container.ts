import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { containerSpec } from '../gateway/adapters/local/docker-runtime.ts';

/**
 * The baseline for waking: a twin of Portico's container (same image, limits, init and
 * loopback publishing, built by the same `containerSpec`) that the bench starts and stops
 * by hand. It is a separate container, so Portico's view of its own never goes stale.
 */
export interface BareContainer {
  readonly id: string;
  /** `docker start`, then a fresh inspect: a restarted container publishes a new host port. */
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export async function createBareTwin(docker: Dockerode, servingContainerId: string): Promise<BareContainer> {
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
  // Its own label, not `portico.project`: nothing of Portico's should ever find it.
  const container = await docker.createContainer({ ...spec, Labels: { 'portico.bench': 'bare-baseline' } });

  return {
    id: container.id,
    async start() {
      await container.start();
      const info = await container.inspect();
      const hostPort = info.NetworkSettings.Ports?.[`${port}/tcp`]?.find((binding) => binding.HostIp === '127.0.0.1')?.HostPort;
      if (!hostPort) throw new Error(`bare container ${name} publishes no loopback port for ${port}/tcp`);
      return { url: `http://127.0.0.1:${hostPort}/` };
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
