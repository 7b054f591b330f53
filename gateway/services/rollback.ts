import { parseMemory } from '../domain/memory.ts';
import type { Deployment, Project } from '../domain/types.ts';
import { PorticoError } from '../errors.ts';
import type { ImageFacts } from '../ports/image-builder.ts';
import { releaseDeployment } from './deploy-phases.ts';
import type { DeploySettings, Ports } from './ports.ts';

/** A deployment's kept image can be released again once it has served: it was `ready` (maybe `superseded` since). */
const ROLLBACK_FROM = new Set(['ready', 'superseded']);

/**
 * Checks that `deploymentId` is a deployment of `project` that served and whose image is still
 * in the engine, and returns it with the image's facts. Throws `not_found` or `conflict` with a
 * message naming what to do instead.
 */
export async function rollbackTarget(ports: Pick<Ports, 'store' | 'builder'>, project: Project, deploymentId: string): Promise<{ target: Deployment; facts: ImageFacts }> {
  const target = await ports.store.getDeployment(deploymentId);
  if (!target || target.projectId !== project.id) {
    throw new PorticoError('not_found', `project "${project.id}" has no deployment "${deploymentId}"; list them with GET /api/projects/${project.id}/deployments`);
  }
  if (!ROLLBACK_FROM.has(target.status) || target.image === null) {
    throw new PorticoError('conflict', `deployment "${deploymentId}" is ${target.status} and never served, so there is nothing to roll back to; pick a deployment that reached ready`);
  }
  if (project.currentDeploymentId === target.id) {
    throw new PorticoError('conflict', `deployment "${deploymentId}" is the one serving already; to start it afresh, redeploy (POST /api/projects/${project.id}/deployments)`);
  }
  if (!ports.builder.inspectImage) throw new PorticoError('conflict', 'this gateway cannot check its kept images, so it cannot roll back; redeploy instead');
  const facts = await ports.builder.inspectImage(target.image);
  if (facts === null) throw prunedImage(target, ports.builder.keptImages);
  return { target, facts };
}

/** The answer when `target`'s image is gone; `keptImages` is the image builder's rule for which images it keeps. */
export function prunedImage(target: Deployment, keptImages = 'only the newest PORTICO_KEEP_IMAGES images of a project are kept'): PorticoError {
  return new PorticoError(
    'conflict',
    `the image of deployment "${target.id}" (${target.image}) was pruned: ${keptImages}; redeploy commit ${target.commit?.slice(0, 12) ?? '(unknown)'} instead`,
  );
}

/**
 * The port a kept image is started on when its deployment recorded none (made before ports were
 * recorded): its first EXPOSEd port, else its `ENV PORT`, else 80.
 */
export function portOfImage(facts: ImageFacts): number {
  const envPort = Number(facts.env['PORT']);
  return facts.exposedPorts[0] ?? (Number.isInteger(envPort) && envPort > 0 && envPort < 65_536 ? envPort : 80);
}

/** Releases `target`'s kept image as the queued `deployment`: queued → starting → ready, nothing resolved, fetched or built. */
export async function rollbackRelease(
  ports: Pick<Ports, 'store' | 'runtime' | 'clock'>,
  request: {
    readonly deployment: Deployment;
    readonly target: Deployment;
    readonly facts: ImageFacts;
    readonly settings: Pick<DeploySettings, 'containerMemoryBytes' | 'containerNanoCpus' | 'startupTimeoutMs'>;
  },
): Promise<Deployment> {
  const { deployment, target, facts, settings } = request;
  const image = target.image!;
  await ports.store.appendLog(deployment.id, `rollback to deployment ${target.id} (commit ${target.commit ?? 'unknown'}): releasing its kept image ${image}; nothing is resolved, fetched or built\n`);
  const memory = facts.labels['portico.memory'];
  return releaseDeployment(ports, {
    deployment,
    image,
    // Where the app answered when it served, found and verified then.
    port: target.port ?? portOfImage(facts),
    memoryBytes: (memory === undefined ? null : parseMemory(memory)) ?? settings.containerMemoryBytes,
    nanoCpus: settings.containerNanoCpus,
    startupTimeoutMs: settings.startupTimeoutMs,
  });
}
