import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { queuedDeployment, transition } from '../domain/deployment-state.ts';
import { analyseDockerfile } from '../domain/dockerfile.ts';
import { placeDeployment } from '../domain/gpu.ts';
import { describeSource } from '../domain/repo-spec.ts';
import type { Deployment, DeploymentStatus, Project, ResolvedSource } from '../domain/types.ts';
import { PorticoError, isPorticoError, messageOf } from '../errors.ts';
import type { DeploySettings, Ports } from './ports.ts';

export interface DeployPipeline {
  /** Records a queued deployment and runs it after any deployment of the same project still running. */
  enqueue(project: Project): Promise<Deployment>;
  /** Resolves when every deployment queued so far has finished (for shutdown and tests). */
  idle(): Promise<void>;
}

/**
 * Deploy flow: resolve → read and analyse the Dockerfile → fetch → build → start → probe →
 * switch the route → stop the old container. Deployments of one project run one at a time;
 * a failure at any phase leaves the serving deployment untouched.
 */
export function createDeployPipeline(ports: Ports, settings: DeploySettings): DeployPipeline {
  const { store, source, builder, runtime, clock } = ports;
  const queues = new Map<string, Promise<void>>();

  async function move(deployment: Deployment, to: DeploymentStatus, reason?: string): Promise<Deployment> {
    const change = transition(deployment, to, clock.now(), reason);
    await store.appendLog(deployment.id, to === 'failed' ? `==> failed: ${change.error}\n` : `==> ${to}\n`);
    return store.updateDeployment(deployment.id, change);
  }

  async function run(initial: Deployment): Promise<void> {
    let deployment = initial;
    const log = (text: string) => store.appendLog(deployment.id, text);
    let scratch: string | null = null;
    let started: string | null = null; // a container this run started and must not leave behind on failure
    try {
      const project = await mustGetProject(initial.projectId);

      deployment = await move(deployment, 'resolving');
      await log(`resolving ${describeSource(project.source)}@${project.branch}\n`);
      const resolved = await source.resolve(project.source, project.branch);
      deployment = await store.updateDeployment(deployment.id, { commit: resolved.commit });
      await log(`commit ${resolved.commit}\n`);
      const analysis = await readAndAnalyse(project, resolved);
      await log(`base image ${analysis.baseImage}, port ${analysis.port}${analysis.gpu ? `, CUDA ${analysis.cudaVersion ?? '(version unknown)'}` : ''}\n`);
      const placed = placeDeployment(project.gpu, analysis, settings.gpuPools);
      if (!placed.ok) throw new PorticoError('placement_failed', placed.reason);
      const { placement } = placed;
      deployment = await store.updateDeployment(deployment.id, { placement });
      await log(`placement: ${placement.gpus > 0 ? `${placement.gpus} GPU in pool ${placement.pool}` : 'CPU'} (${placement.reason})\n`);
      await runtime.ping(); // no engine: fail in seconds, before downloading anything

      deployment = await move(deployment, 'fetching');
      await mkdir(settings.workDir, { recursive: true });
      scratch = await mkdtemp(join(settings.workDir, `${project.id}-`));
      await source.fetch(resolved, scratch);
      const { contextDir, dockerfile } = await locateBuildFiles(scratch, project);

      deployment = await move(deployment, 'building');
      const image = await builder.build(
        {
          contextDir,
          dockerfile,
          tag: `portico/${project.id}:${resolved.commit.slice(0, 12)}`,
          labels: { 'portico.project': project.id, 'portico.commit': resolved.commit },
          buildArgs: {},
        },
        (text) => void log(text),
      );
      deployment = await store.updateDeployment(deployment.id, { image: image.tag });
      await rm(scratch, { recursive: true, force: true });
      scratch = null;

      deployment = await move(deployment, 'starting');
      const container = await runtime.start({
        projectId: project.id,
        deploymentId: deployment.id,
        image: image.tag,
        port: analysis.port,
        env: project.env,
        memoryBytes: analysis.memoryBytes ?? settings.containerMemoryBytes,
        nanoCpus: settings.containerNanoCpus,
        gpus: placement.gpus,
        pool: placement.pool,
      });
      started = container.id;
      deployment = await store.updateDeployment(deployment.id, { container });
      await runtime.waitUntilReady(container, { startupTimeoutMs: settings.startupTimeoutMs });

      // Route first, retire the old container, and only then report ready: once a client sees
      // `ready`, the new version serves and the old one is gone.
      await switchTraffic(project.id, deployment);
      started = null;
      deployment = await move(deployment, 'ready');
      await log(`serving ${container.upstream}\n`);
    } catch (error) {
      if (started) await runtime.remove(started).catch((removeError: unknown) => console.error('could not remove container', removeError));
      if (!isPorticoError(error)) console.error(`deployment ${deployment.id} failed unexpectedly`, error);
      const reason = isPorticoError(error) ? error.message : `internal error: ${messageOf(error)}`;
      await move(deployment, 'failed', reason).catch((storeError: unknown) => console.error('could not record failure', storeError));
    } finally {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  }

  async function mustGetProject(id: string): Promise<Project> {
    const project = await store.getProject(id);
    if (!project) throw new PorticoError('not_found', `project ${id} was deleted`);
    return project;
  }

  async function readAndAnalyse(project: Project, resolved: ResolvedSource) {
    const text = await source.readFile(resolved, project.dockerfile);
    const where = `${describeSource(project.source)}@${project.branch} (${resolved.commit.slice(0, 7)})`;
    if (text === null) {
      throw new PorticoError('dockerfile_invalid', `no Dockerfile at "${project.dockerfile}" in ${where}; add one, or set "dockerfile" to its path`);
    }
    const result = analyseDockerfile(text);
    if (!result.ok) throw new PorticoError('dockerfile_invalid', `${project.dockerfile} in ${where}: ${result.error}`);
    return result.analysis;
  }

  /** The new deployment (answering its probe) takes the route; the one it replaces is marked superseded and stopped. */
  async function switchTraffic(projectId: string, ready: Deployment): Promise<void> {
    const project = await mustGetProject(projectId);
    const previous = project.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
    await store.updateProject(projectId, { currentDeploymentId: ready.id });
    if (!previous || previous.id === ready.id) return;
    if (previous.status === 'ready') await store.updateDeployment(previous.id, transition(previous, 'superseded', clock.now()));
    if (previous.container) {
      // The new version already serves; a stuck old container is worth a log line, not a failed deployment.
      await runtime.remove(previous.container.id).catch((error: unknown) => store.appendLog(ready.id, `warning: could not remove the previous container: ${messageOf(error)}\n`));
    }
  }

  return {
    async enqueue(project) {
      const deployment = queuedDeployment(randomUUID(), project.id, clock.now());
      await store.createDeployment(deployment);
      const previous = queues.get(project.id) ?? Promise.resolve();
      const next = previous.then(() => run(deployment));
      queues.set(project.id, next);
      void next.finally(() => {
        if (queues.get(project.id) === next) queues.delete(project.id);
      });
      return deployment;
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
