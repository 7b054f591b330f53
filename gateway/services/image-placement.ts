import type { DockerfileAnalysis } from '../domain/dockerfile.ts';
import type { GpuPool } from '../domain/gpu-pools.ts';
import { placeFromImage } from '../domain/image-gpu.ts';
import type { Deployment, Project } from '../domain/types.ts';
import { PorticoError } from '../errors.ts';
import type { ImageFacts } from '../ports/image-builder.ts';
import type { GpuReservation, GpuReserver } from './gpu-reserver.ts';
import type { Ports } from './ports.ts';

/**
 * Between build and start: the built image's configuration decides the GPU again (see
 * `placeFromImage`). Logs what it read and the placement, stores the placement on the
 * deployment, and throws `placement_failed` before anything starts when no pool fits.
 */
export async function placeBuiltImage(
  ports: Pick<Ports, 'store'>,
  deployment: Deployment,
  input: {
    readonly project: Project;
    readonly analysis: Pick<DockerfileAnalysis, 'gpu' | 'gpuLabel' | 'cudaVersion' | 'baseImage'>;
    readonly facts: Pick<ImageFacts, 'env' | 'labels'>;
    readonly pools: readonly GpuPool[];
  },
): Promise<Deployment> {
  const decided = placeFromImage({ setting: input.project.gpu, analysis: input.analysis, facts: input.facts, pools: input.pools });
  await ports.store.appendLog(deployment.id, `${decided.summary}\n`);
  if (!decided.ok) throw new PorticoError('placement_failed', decided.reason);
  return ports.store.updateDeployment(deployment.id, { placement: decided.placement });
}

const NOTHING_HELD: GpuReservation = { release: () => undefined };

/** Holds the GPUs of the deployment's placement for its new container, when it needs any and the host counts them. */
export async function holdGpus(ports: Pick<Ports, 'store'>, reserver: GpuReserver | undefined, deployment: Deployment): Promise<GpuReservation> {
  const placement = deployment.placement;
  if (!reserver || !placement || placement.gpus <= 0 || !placement.pool) return NOTHING_HELD;
  return reserver.reserveGpus(
    { projectId: deployment.projectId, deploymentId: deployment.id, pool: placement.pool, gpus: placement.gpus },
    (line) => ports.store.appendLog(deployment.id, line),
  );
}
