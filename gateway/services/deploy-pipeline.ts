import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { queuedDeployment } from '../domain/deployment-state.ts';
import type { Deployment, Project } from '../domain/types.ts';
import { PorticoError, messageOf } from '../errors.ts';
import { declareBuiltPort, failDeployment, moveDeployment, prepareDeployment, releaseDeployment } from './deploy-phases.ts';
import { holdGpus, placeBuiltImage } from './image-placement.ts';
import type { ImageFacts } from '../ports/image-builder.ts';
import type { SourceFetcher } from '../ports/source-fetcher.ts';
import type { DeploySettings, Ports } from './ports.ts';
import { rollbackRelease } from './rollback.ts';

export interface DeployPipeline {
  /** Records a queued deployment and runs it after any deployment of the same project still running. */
  enqueue(project: Project): Promise<Deployment>;
  /**
   * Records a queued deployment that releases `target`'s kept image (described by `facts`) through
   * the same start/probe/switch phase, skipping resolve, fetch and build. Absent: this host cannot roll back.
   */
  rollback?(project: Project, target: Deployment, facts: ImageFacts): Promise<Deployment>;
  /** Resolves when every deployment queued so far has finished (for shutdown and tests). */
  idle(): Promise<void>;
}

/**
 * Deploy flow: resolve → read and analyse the Dockerfile → fetch → build → start → probe →
 * switch the route → stop the old container. Deployments of one project run one at a time;
 * a failure at any phase leaves the serving deployment untouched.
 */
export function createDeployPipeline(ports: Ports & { readonly source: SourceFetcher }, settings: DeploySettings): DeployPipeline {
  const { store, source, builder, clock } = ports;
  const queues = new Map<string, Promise<void>>();

  async function run(queued: Deployment): Promise<void> {
    let deployment = queued;
    let scratch: string | null = null;
    try {
      const prepared = await prepareDeployment(ports, queued, settings.gpuPools);
      const { project, resolved, analysis } = prepared;
      deployment = prepared.deployment;
      await ports.runtime.ping(); // no engine: fail in seconds, before downloading anything

      deployment = await moveDeployment(ports, deployment, 'fetching');
      await mkdir(settings.workDir, { recursive: true });
      scratch = await mkdtemp(join(settings.workDir, `${project.id}-`));
      await source.fetch(resolved, scratch);
      const { contextDir, dockerfile } = await locateBuildFiles(scratch, project);

      deployment = await moveDeployment(ports, deployment, 'building');
      const image = await builder.build(
        {
          contextDir,
          dockerfile,
          tag: `portico/${project.id}:${resolved.commit.slice(0, 12)}`,
          labels: { 'portico.project': project.id, 'portico.commit': resolved.commit },
          buildArgs: {},
          secrets: project.secrets, // for RUN --mount=type=secret,id=NAME
        },
        (text) => void store.appendLog(deployment.id, text),
      );
      await rm(scratch, { recursive: true, force: true });
      scratch = null;
      const port = await declareBuiltPort(ports, prepared, deployment, image.facts);

      // The image itself decides the GPU now, and its GPUs must be free before it starts.
      deployment = await placeBuiltImage(ports, deployment, { project, analysis, facts: image.facts, pools: settings.gpuPools });
      const gpus = await holdGpus(ports, settings.gpuReserver, deployment);
      try {
        deployment = await releaseDeployment(ports, {
          deployment,
          image: image.tag,
          port: port.port,
          portSource: port.source,
          memoryBytes: analysis.memoryBytes ?? settings.containerMemoryBytes,
          nanoCpus: settings.containerNanoCpus,
          startupTimeoutMs: settings.startupTimeoutMs,
        });
      } finally {
        gpus.release();
      }
      if (settings.keepImages !== undefined) await pruneImages(deployment, settings.keepImages);
    } catch (error) {
      await failDeployment(ports, queued.id, error);
    } finally {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Disk-heavy builds pile up: after a successful deploy only the images of the newest `keep`
   * deployments stay (the serving one is the newest). A failed prune is a log line, never a failed deployment.
   */
  async function pruneImages(ready: Deployment, keep: number): Promise<void> {
    const note = (text: string) => store.appendLog(ready.id, text).catch(() => undefined);
    try {
      const newestFirst = (await store.listDeployments(ready.projectId)).flatMap((deployment) => (deployment.image ? [deployment.image] : []));
      const { removed } = await builder.pruneProjectImages(ready.projectId, { keep: [...new Set(newestFirst)].slice(0, keep) });
      if (removed.length > 0) await note(`pruned old images: ${removed.join(', ')}\n`);
    } catch (error) {
      await note(`warning: could not prune old images: ${messageOf(error)}\n`);
    }
  }

  /** One deployment at a time per project, in the order they were recorded. */
  async function schedule(deployment: Deployment, work: () => Promise<void>): Promise<Deployment> {
    await store.createDeployment(deployment);
    const previous = queues.get(deployment.projectId) ?? Promise.resolve();
    const next = previous.then(work);
    queues.set(deployment.projectId, next);
    void next.finally(() => {
      if (queues.get(deployment.projectId) === next) queues.delete(deployment.projectId);
    });
    return deployment;
  }

  return {
    enqueue(project) {
      const deployment = queuedDeployment(randomUUID(), project.id, clock.now());
      return schedule(deployment, () => run(deployment));
    },
    rollback(project, target, facts) {
      const deployment = { ...queuedDeployment(randomUUID(), project.id, clock.now()), commit: target.commit, placement: target.placement };
      return schedule(deployment, async () => {
        try {
          // A kept GPU image needs its GPUs free before it starts, as a new build does.
          const gpus = await holdGpus(ports, settings.gpuReserver, deployment);
          try {
            await rollbackRelease(ports, { deployment, target, facts, settings });
          } finally {
            gpus.release();
          }
        } catch (error) {
          await failDeployment(ports, deployment.id, error);
        }
      });
    },
    async idle() {
      while (queues.size > 0) await Promise.all(queues.values());
    },
  };
}

/** The build context and the Dockerfile path inside it; both must stay within the fetched tree. */
async function locateBuildFiles(root: string, project: Project): Promise<{ contextDir: string; dockerfile: string }> {
  const contextDir = resolve(root, project.context);
  if (contextDir !== root && !contextDir.startsWith(root + sep)) {
    throw new PorticoError('invalid_input', `context "${project.context}" points outside the repository`, { field: 'context' });
  }
  const isDir = await stat(contextDir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new PorticoError('invalid_input', `context "${project.context}" is not a directory in the repository`, { field: 'context' });
  const dockerfile = relative(contextDir, resolve(root, project.dockerfile));
  if (dockerfile.startsWith('..')) {
    throw new PorticoError('invalid_input', `dockerfile "${project.dockerfile}" must be inside the context "${project.context}"`, { field: 'dockerfile' });
  }
  return { contextDir, dockerfile: dockerfile.split(sep).join('/') };
}
