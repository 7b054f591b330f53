import type { PortDeclaration } from '../domain/declared-port.ts';
import type { DemoCard } from '../domain/demo-card.ts';
import { transition } from '../domain/deployment-state.ts';
import type { DockerfileAnalysis } from '../domain/dockerfile.ts';
import { describeDeclaredPort } from '../domain/listening-ports.ts';
import { placeDeployment } from '../domain/gpu.ts';
import { describeSource } from '../domain/repo-spec.ts';
import { describeStart } from '../domain/start-timings.ts';
import type { Deployment, DeploymentStatus, Placement, Project, ResolvedSource } from '../domain/types.ts';
import { PorticoError, isPorticoError, messageOf } from '../errors.ts';
import type { GpuPool } from '../domain/gpu-pools.ts';
import type { ImageFacts } from '../ports/image-builder.ts';
import type { Ports } from './ports.ts';

/** The Dockerfile and README analysis, loaded when a deployment is first prepared (source-analysis.ts). */
const sourceAnalysis = () => import('./source-analysis.ts');

/*
 * The phases both pipelines share. The local pipeline runs them in one go; on AWS the gateway
 * runs `prepare` and starts a CodeBuild build, and the build's state-change event runs `release`.
 */

/** Moves a deployment to its next status, with the phase marker in its log. */
export async function moveDeployment(ports: Pick<Ports, 'store' | 'clock'>, deployment: Deployment, to: DeploymentStatus, reason?: string): Promise<Deployment> {
  const change = transition(deployment, to, ports.clock.now(), reason);
  await ports.store.appendLog(deployment.id, to === 'failed' ? `==> failed: ${change.error}\n` : `==> ${to}\n`);
  // Conditional on the status the change was computed from: of two processes moving one deployment, one wins.
  return ports.store.updateDeployment(deployment.id, change, { ifStatus: deployment.status });
}

/**
 * Records why a deployment failed, from whatever phase it reached (read afresh: the phase that
 * threw may have moved it on); a PorticoError's message is the reason users see. Returns the
 * failed deployment, or null when the failure could not be recorded.
 */
export async function failDeployment(ports: Pick<Ports, 'store' | 'clock'>, deploymentId: string, error: unknown): Promise<Deployment | null> {
  if (!isPorticoError(error)) console.error(`deployment ${deploymentId} failed unexpectedly`, error);
  const reason = isPorticoError(error) ? error.message : `internal error: ${messageOf(error)}`;
  try {
    const latest = await ports.store.getDeployment(deploymentId);
    return latest && (await moveDeployment(ports, latest, 'failed', reason));
  } catch (storeError) {
    console.error('could not record failure', storeError);
    return null;
  }
}

export async function mustGetProject(ports: Pick<Ports, 'store'>, id: string): Promise<Project> {
  const project = await ports.store.getProject(id);
  if (!project) throw new PorticoError('not_found', `project ${id} was deleted`);
  return project;
}

export interface Prepared {
  readonly deployment: Deployment;
  readonly project: Project;
  readonly resolved: ResolvedSource;
  readonly analysis: DockerfileAnalysis;
  readonly placement: Placement;
  /** The README's front matter at the commit, if it has any. */
  readonly card: DemoCard | null;
  /** The port declared before the build; `declareBuiltPort` corrects it with the image's own facts. */
  readonly port: PortDeclaration;
}

/** Where the repository's front matter lives (Hugging Face Spaces' convention). */
const README = 'README.md';

/**
 * Resolving: pins the branch to a commit, reads and analyses the Dockerfile and decides the
 * placement, all before anything is fetched or built, so an impossible deployment fails in seconds.
 */
export async function prepareDeployment(ports: Pick<Ports, 'store' | 'source' | 'clock'>, queued: Deployment, gpuPools: readonly GpuPool[]): Promise<Prepared> {
  const { store, source } = ports;
  const { analyseDockerfile, parseDemoCard, declarePort } = await sourceAnalysis();
  const project = await mustGetProject(ports, queued.projectId);
  let deployment = await moveDeployment(ports, queued, 'resolving');
  await store.appendLog(deployment.id, `resolving ${describeSource(project.source)}@${project.branch}\n`);
  const resolved = await source.resolve(project.source, project.branch);
  deployment = await store.updateDeployment(deployment.id, { commit: resolved.commit });
  await store.appendLog(deployment.id, `commit ${resolved.commit}\n`);

  const where = `${describeSource(project.source)}@${project.branch} (${resolved.commit.slice(0, 7)})`;
  const text = await source.readFile(resolved, project.dockerfile);
  if (text === null) throw new PorticoError('dockerfile_invalid', `no Dockerfile at "${project.dockerfile}" in ${where}; add one, or set "dockerfile" to its path`);
  const result = analyseDockerfile(text);
  if (!result.ok) throw new PorticoError('dockerfile_invalid', `${project.dockerfile} in ${where}: ${result.error}`);
  const { analysis } = result;
  await store.appendLog(deployment.id, `base image ${analysis.baseImage}${analysis.gpu ? `, CUDA ${analysis.cudaVersion ?? '(version unknown)'}` : ''}\n`);

  const readme = await source.readFile(resolved, README);
  const card = readme === null ? null : parseDemoCard(readme);
  const port = declarePort({ projectPort: project.port, card, analysis });
  deployment = await store.updateDeployment(deployment.id, { card, port: port.port, portReason: port.reason });
  if (card) await store.appendLog(deployment.id, `${README} front matter: ${describeCard(card)}\n`);
  await store.appendLog(deployment.id, `port ${port.port}: ${port.reason}\n`);

  const placed = placeDeployment(project.gpu, analysis, gpuPools);
  if (!placed.ok) throw new PorticoError('placement_failed', placed.reason);
  const { placement } = placed;
  deployment = await store.updateDeployment(deployment.id, { placement });
  await store.appendLog(deployment.id, `placement: ${placement.gpus > 0 ? `${placement.gpus} GPU in pool ${placement.pool}` : 'CPU'} (${placement.reason})\n`);
  return { deployment, project, resolved, analysis, placement, card, port };
}

/**
 * After the build the image's own configuration (EXPOSE and ENV inherited from its bases) can
 * say more than the Dockerfile did: declares the port again and records it when it changed.
 */
export async function declareBuiltPort(ports: Pick<Ports, 'store'>, prepared: Prepared, deployment: Deployment, image: ImageFacts): Promise<PortDeclaration> {
  const { declarePort } = await sourceAnalysis();
  const port = declarePort({ projectPort: prepared.project.port, card: prepared.card, analysis: prepared.analysis, image });
  if (port.port !== prepared.port.port || port.reason !== prepared.port.reason) {
    await ports.store.updateDeployment(deployment.id, { port: port.port, portReason: port.reason });
    await ports.store.appendLog(deployment.id, `port ${port.port}: ${port.reason}\n`);
  }
  return port;
}

function describeCard(card: DemoCard): string {
  const parts = [
    card.title && `title "${card.emoji ? `${card.emoji} ` : ''}${card.title}"`,
    card.sdk && `sdk ${card.sdk}`,
    card.appPort !== null && `app_port ${card.appPort}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'nothing Portico uses';
}

export interface ReleaseRequest {
  /** The deployment, in `building`, whose image is ready. */
  readonly deployment: Deployment;
  readonly image: string;
  readonly port: number;
  /** How the port was declared, for the reason recorded when the app turns out to listen elsewhere. */
  readonly portSource?: PortDeclaration['source'];
  readonly memoryBytes: number;
  readonly nanoCpus: number;
  /** The gateway's default; the project's own `startupTimeoutSeconds` wins. */
  readonly startupTimeoutMs: number;
}

/** A line in the deployment log about every this often while the app has not answered yet. */
const WAITING_NOTE_MS = 15_000;

/**
 * Starting → ready: starts the new container, waits until it answers, switches the route and
 * retires the old one. On failure the new container is removed and the serving one is untouched.
 */
export async function releaseDeployment(ports: Pick<Ports, 'store' | 'runtime' | 'clock'>, request: ReleaseRequest): Promise<Deployment> {
  const { store, runtime } = ports;
  const project = await mustGetProject(ports, request.deployment.projectId);
  let deployment = await store.updateDeployment(request.deployment.id, { image: request.image });
  deployment = await moveDeployment(ports, deployment, 'starting');
  const placement = deployment.placement;
  let started: string | null = null;
  try {
    const container = await runtime.start({
      projectId: project.id,
      deploymentId: deployment.id,
      image: request.image,
      port: request.port,
      env: { ...project.env, ...project.secrets },
      memoryBytes: request.memoryBytes,
      nanoCpus: request.nanoCpus,
      gpus: placement?.gpus ?? 0,
      pool: placement?.pool ?? null,
    });
    started = container.id;
    deployment = await store.updateDeployment(deployment.id, { container });
    const startupTimeoutMs = project.startupTimeoutSeconds !== null ? project.startupTimeoutSeconds * 1000 : request.startupTimeoutMs;
    // The app's own output (model downloads, loading) goes into the deployment log as it comes, in order.
    let written = Promise.resolve();
    const log = (text: string) => {
      written = written.then(() => store.appendLog(deployment.id, text)).catch(() => undefined);
    };
    await store.appendLog(deployment.id, `waiting up to ${Math.round(startupTimeoutMs / 1000)}s for the app to answer HTTP on port ${request.port}\n`);
    const ready = await runtime
      .waitUntilReady(container, {
        startupTimeoutMs,
        onOutput: log,
        waitingNoteMs: WAITING_NOTE_MS,
        onWaiting: (waitedMs) => log(`... still starting: ${Math.round(waitedMs / 1000)}s of ${Math.round(startupTimeoutMs / 1000)}s waited\n`),
      })
      .finally(() => written); // the output goes into the log before the outcome does
    if (ready.started) await store.appendLog(deployment.id, `started ${describeStart(ready.started.timings)}\n`);
    if (ready.port !== request.port) {
      const portReason = `listens on ${ready.port}, not ${describeDeclaredPort(request.port, request.portSource ?? null)}`;
      deployment = await store.updateDeployment(deployment.id, { container: ready.container, port: ready.port, portReason });
      await store.appendLog(deployment.id, `port ${ready.port}: ${portReason}\n`);
    } else if (ready.container.upstream !== container.upstream) {
      deployment = await store.updateDeployment(deployment.id, { container: ready.container });
    }

    // Route first, retire the old container, and only then report ready: once a client sees
    // `ready`, the new version serves and the old one is gone.
    await switchTraffic(ports, deployment);
    started = null;
    deployment = await moveDeployment(ports, deployment, 'ready');
    await store.appendLog(deployment.id, `serving ${ready.container.upstream}\n`);
    return deployment;
  } finally {
    if (started) await runtime.remove(started).catch((removeError: unknown) => console.error('could not remove container', removeError));
  }
}

/** The new deployment (answering its probe) takes the route; the one it replaces is marked superseded and removed. */
async function switchTraffic(ports: Pick<Ports, 'store' | 'runtime' | 'clock'>, ready: Deployment): Promise<void> {
  const { store, runtime, clock } = ports;
  const project = await mustGetProject(ports, ready.projectId);
  const previous = project.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
  await store.updateProject(project.id, { currentDeploymentId: ready.id });
  if (!previous || previous.id === ready.id) return;
  if (previous.status === 'ready') await store.updateDeployment(previous.id, transition(previous, 'superseded', clock.now()));
  if (previous.container) {
    // The new version already serves; a stuck old container is worth a log line, not a failed deployment.
    await runtime.remove(previous.container.id).catch((error: unknown) => store.appendLog(ready.id, `warning: could not remove the previous container: ${messageOf(error)}\n`));
  }
}
