import { randomUUID } from 'node:crypto';
import { InvalidTransitionError, isInProgress, queuedDeployment } from '../domain/deployment-state.ts';
import type { GpuPool } from '../domain/gpu-pools.ts';
import type { Deployment, Project } from '../domain/types.ts';
import { isPorticoError, messageOf } from '../errors.ts';
import type { ImageBuilder } from '../ports/image-builder.ts';
import type { ReleaseJob, ReleaseQueue } from '../ports/release-queue.ts';
import type { RemoteBuild, RemoteBuilder } from '../ports/remote-builder.ts';
import type { DeployPipeline } from './deploy-pipeline.ts';
import { failDeployment, mustGetProject, moveDeployment, prepareDeployment, releaseDeployment } from './deploy-phases.ts';
import { placeBuiltImage } from './image-placement.ts';
import type { Ports } from './ports.ts';
import { prunedImage, rollbackRelease } from './rollback.ts';

export interface EventPipelineSettings {
  readonly gpuPools: readonly GpuPool[];
  readonly containerMemoryBytes: number;
  readonly containerNanoCpus: number;
  readonly startupTimeoutMs: number;
  /** A deployment in a phase no process is running any more (its Lambda timed out) is failed after this long. */
  readonly stuckAfterMs: number;
  /** A build with no outcome this long after it started is failed (CodeBuild's own timeout is shorter). */
  readonly buildTimeoutMs: number;
}

/** How much of a failed build's output goes into the deployment log. */
const FAILED_OUTPUT_LINES = 50;

/** The deploy pipeline advanced by events, for hosts where no process lives through a build (Lambda). */
export interface EventPipeline extends DeployPipeline {
  /**
   * A build's state changed: a finished one releases (or fails) its deployment. Safe to call
   * again for the same build: only a deployment still `building` moves.
   */
  onBuild(build: RemoteBuild): Promise<Deployment | null>;
  /**
   * Runs a release the API handed over (`ReleaseQueue`): a rollback's queued deployment releases
   * its target's kept image. Safe to call again for the same job: only a deployment still `queued` moves.
   */
  onRelease(job: ReleaseJob): Promise<Deployment | null>;
  /** Advances builds whose events were missed and fails deployments stuck in a phase nobody runs (rollbacks included). */
  reconcile(): Promise<{ readonly advanced: number; readonly interrupted: number }>;
}

/** What rollbacks need on this host: the kept images (their facts, and which are kept), and where the API hands a release. */
export interface EventRollbacks {
  readonly images: Required<Pick<ImageBuilder, 'inspectImage'>> & Pick<ImageBuilder, 'keptImages'>;
  /** Absent in the functions that run releases (and never start one): `rollback` is absent there. */
  readonly queue?: ReleaseQueue | undefined;
}

/**
 * `enqueue` runs the resolving phase in the request (seconds: it reads the Dockerfile through
 * the GitHub API) and starts a remote build; the build's completion event runs `onBuild`, which
 * starts the container, waits for its answer and switches the route, like the local pipeline.
 */
export function createEventPipeline(ports: Omit<Ports, 'builder'>, builder: RemoteBuilder, settings: EventPipelineSettings, rollbacks?: EventRollbacks): EventPipeline {
  const { store, clock } = ports;

  async function enqueue(project: Parameters<DeployPipeline['enqueue']>[0]): Promise<Deployment> {
    const queued = queuedDeployment(randomUUID(), project.id, clock.now());
    await store.createDeployment(queued);
    try {
      const prepared = await prepareDeployment(ports, queued, settings.gpuPools);
      const { analysis, resolved } = prepared;
      // The remote builder fetches the source itself, as the first step of its build.
      let deployment = await moveDeployment(ports, prepared.deployment, 'fetching');
      const build = await builder.start({
        projectId: project.id,
        deploymentId: deployment.id,
        source: resolved,
        dockerfile: project.dockerfile,
        context: project.context,
        port: prepared.port.port,
        memoryBytes: analysis.memoryBytes ?? settings.containerMemoryBytes,
        guess: { baseImage: analysis.baseImage, gpu: analysis.gpu, cudaVersion: analysis.cudaVersion, gpuLabel: analysis.gpuLabel },
        secrets: project.secrets, // for RUN --mount=type=secret,id=NAME
      });
      await store.appendLog(deployment.id, `build ${build.buildId} started; image ${build.image}\n`);
      deployment = await moveDeployment(ports, deployment, 'building');
      return deployment;
    } catch (error) {
      return (await failDeployment(ports, queued.id, error)) ?? queued;
    }
  }

  const onBuild = (build: RemoteBuild) => unlessRaceLost(() => advance(build));

  async function advance(build: RemoteBuild): Promise<Deployment | null> {
    const deployment = await store.getDeployment(build.deploymentId);
    if (!deployment || deployment.status !== 'building' || build.status === 'building') return null;
    if (build.status !== 'succeeded') {
      await store.appendLog(deployment.id, `${await outputTail(build)}build ${build.buildId}: ${build.status.failed}\n`);
      return moveDeployment(ports, deployment, 'failed', build.status.failed);
    }
    const newer = await newerServing(deployment);
    if (newer) return moveDeployment(ports, deployment, 'failed', `superseded: deployment ${newer.id}, started later, already serves`);
    try {
      const placed = await placeFromBuild(deployment, build);
      return await releaseDeployment(ports, {
        deployment: placed,
        image: build.image,
        port: build.port,
        memoryBytes: build.memoryBytes,
        nanoCpus: settings.containerNanoCpus,
        startupTimeoutMs: settings.startupTimeoutMs,
      });
    } catch (error) {
      if (lostRace(error)) throw error;
      return failDeployment(ports, deployment.id, error);
    }
  }

  /**
   * The built image's configuration decides the GPU again, as in the local pipeline. The facts
   * come with the event when CodeBuild includes them, else from asking the builder; a build that
   * could not read them keeps the placement decided from the Dockerfile, and says so.
   */
  async function placeFromBuild(deployment: Deployment, build: RemoteBuild): Promise<Deployment> {
    const facts = build.guess && (build.imageFacts ?? (await builder.describe?.(build.buildId).catch(() => null))?.imageFacts);
    if (!facts || !build.guess) {
      await store.appendLog(deployment.id, 'image configuration: not reported by the build; the placement decided from the Dockerfile stays\n');
      return deployment;
    }
    const project = await mustGetProject(ports, deployment.projectId);
    return placeBuiltImage(ports, deployment, { project, analysis: build.guess, facts, pools: settings.gpuPools });
  }

  /** The end of a failed build's output, for the deployment log: where the reason usually is. Never throws. */
  async function outputTail(build: RemoteBuild): Promise<string> {
    try {
      const lines = await builder.outputTail(build, FAILED_OUTPUT_LINES);
      return lines && lines.length > 0 ? `--- the last ${lines.length} lines of the build output ---\n${lines.join('\n')}\n---\n` : '';
    } catch (error) {
      return `(could not read the build output: ${messageOf(error)})\n`;
    }
  }

  /** The project's serving deployment when it was created after this one (the later deploy wins). */
  async function newerServing(deployment: Deployment): Promise<Deployment | null> {
    const project = await store.getProject(deployment.projectId);
    const serving = project?.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
    return serving && serving.createdAt > deployment.createdAt ? serving : null;
  }

  /**
   * Records the rollback's queued deployment and hands its release to the function that runs
   * releases: the release waits for the task to answer (minutes), longer than the API request
   * may take. That function reads the image's facts again (`onRelease`), so none travel in the job.
   */
  async function rollback(queue: ReleaseQueue, project: Project, target: Deployment): Promise<Deployment> {
    const deployment = { ...queuedDeployment(randomUUID(), project.id, clock.now()), commit: target.commit, placement: target.placement };
    await store.createDeployment(deployment);
    try {
      await queue.send({ kind: 'rollback', deploymentId: deployment.id, targetId: target.id });
      return deployment;
    } catch (error) {
      return (await failDeployment(ports, deployment.id, error)) ?? deployment;
    }
  }

  const onRelease = (job: ReleaseJob) => unlessRaceLost(() => releaseRollback(job));

  async function releaseRollback(job: ReleaseJob): Promise<Deployment | null> {
    const deployment = await store.getDeployment(job.deploymentId);
    if (!deployment || deployment.status !== 'queued' || !rollbacks) return null;
    const target = await store.getDeployment(job.targetId);
    if (!target?.image || target.projectId !== deployment.projectId) {
      return moveDeployment(ports, deployment, 'failed', `deployment ${job.targetId} has no kept image of project ${deployment.projectId} to roll back to; redeploy instead`);
    }
    const newer = await newerServing(deployment);
    if (newer) return moveDeployment(ports, deployment, 'failed', `superseded: deployment ${newer.id}, started later, already serves`);
    try {
      // Read again here: the lifecycle policy may have expired the image since the API checked it.
      const facts = await rollbacks.images.inspectImage(target.image);
      if (!facts) return await moveDeployment(ports, deployment, 'failed', prunedImage(target, rollbacks.images.keptImages).message);
      return await rollbackRelease(ports, { deployment, target, facts, settings });
    } catch (error) {
      if (lostRace(error)) throw error;
      return failDeployment(ports, deployment.id, error);
    }
  }

  async function reconcile() {
    let advanced = 0;
    let interrupted = 0;
    for (const build of await builder.recent()) {
      if (build.status !== 'building' && (await onBuild(build))) advanced += 1;
    }
    const now = clock.now().getTime();
    for (const project of await store.listProjects()) {
      for (const deployment of await store.listDeployments(project.id)) {
        if (!isInProgress(deployment.status)) continue;
        const since = Date.parse(deployment.phases.at(-1)?.startedAt ?? deployment.createdAt);
        const limit = deployment.status === 'building' ? settings.buildTimeoutMs : settings.stuckAfterMs;
        if (now - since < limit) continue;
        const reason =
          deployment.status === 'building'
            ? `interrupted: no build outcome arrived within ${Math.round(limit / 60_000)} minutes; deploy again`
            : `interrupted: the deployment stopped while ${deployment.status}; deploy again`;
        try {
          if (deployment.container) await ports.runtime.remove(deployment.container.id);
          await moveDeployment(ports, deployment, 'failed', reason);
          interrupted += 1;
        } catch (error) {
          console.error(`could not fail stuck deployment ${deployment.id}: ${messageOf(error)}`);
        }
      }
    }
    return { advanced, interrupted };
  }

  const queue = rollbacks?.queue;
  return {
    enqueue,
    onBuild,
    onRelease,
    reconcile,
    // Absent without a release queue: this host cannot roll back (the API answers 409).
    ...(queue ? { rollback: (project: Project, target: Deployment) => rollback(queue, project, target) } : {}),
    // Nothing runs in this process after `enqueue` returns.
    idle: async () => undefined,
  };
}

/** Runs `work`; null when another delivery of the same event moved the deployment on first. */
async function unlessRaceLost(work: () => Promise<Deployment | null>): Promise<Deployment | null> {
  try {
    return await work();
  } catch (error) {
    if (lostRace(error)) return null;
    throw error;
  }
}

/** The same event delivered twice at once (or reconcile racing an event): the other one moved the deployment on first. */
function lostRace(error: unknown): boolean {
  return error instanceof InvalidTransitionError || (isPorticoError(error) && error.code === 'conflict');
}
