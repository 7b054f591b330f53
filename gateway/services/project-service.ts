import { endpointLabel } from '../domain/labels.ts';
import { describeSource, parseRepo } from '../domain/repo-spec.ts';
import type { Deployment, GpuSetting, Project } from '../domain/types.ts';
import { PorticoError } from '../errors.ts';
import type { DeployPipeline } from './deploy-pipeline.ts';
import type { Ports } from './ports.ts';
import { rollbackTarget } from './rollback.ts';

export interface CreateProjectInput {
  readonly repo: string;
  readonly branch?: string | undefined;
  readonly dockerfile?: string | undefined;
  readonly context?: string | undefined;
  readonly gpu?: GpuSetting | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly secrets?: Readonly<Record<string, string>> | undefined;
  readonly idleTimeoutSeconds?: number | undefined;
  readonly port?: number | null | undefined;
  readonly startupTimeoutSeconds?: number | null | undefined;
}

/** A change to a project's settings. `env` and `secrets` merge into what is there; a null value removes that variable. */
export interface UpdateProjectInput {
  readonly env?: Readonly<Record<string, string | null>> | undefined;
  readonly secrets?: Readonly<Record<string, string | null>> | undefined;
  readonly idleTimeoutSeconds?: number | undefined;
  readonly gpu?: GpuSetting | undefined;
  /** null: found from the README front matter and the Dockerfile again. */
  readonly port?: number | null | undefined;
  /** null: the gateway's default. */
  readonly startupTimeoutSeconds?: number | null | undefined;
  /** The Dockerfile's path in the repository. */
  readonly dockerfile?: string | undefined;
  /** The build context's directory in the repository; a Dockerfile that was the old context's default moves with it. */
  readonly context?: string | undefined;
}

export interface UpdateProjectResult {
  readonly project: Project;
  /** The redeployment the change started (env, secrets, gpu, port, dockerfile or context changed), else null. */
  readonly deployment: Deployment | null;
}

export interface CreateProjectResult {
  readonly project: Project;
  /** False when the same repository and branch already had a project; nothing new was deployed then. */
  readonly created: boolean;
  readonly deployment: Deployment | null;
}

export interface ProjectDetails {
  readonly project: Project;
  readonly latestDeployment: Deployment | null;
  readonly currentDeployment: Deployment | null;
}

export interface ProjectService {
  create(input: CreateProjectInput): Promise<CreateProjectResult>;
  list(): Promise<ProjectDetails[]>;
  get(id: string): Promise<ProjectDetails>;
  redeploy(id: string): Promise<Deployment>;
  /** The project's deployments, newest first. */
  listDeployments(projectId: string): Promise<Deployment[]>;
  update(id: string, input: UpdateProjectInput): Promise<UpdateProjectResult>;
  remove(id: string): Promise<void>;
  getDeployment(id: string): Promise<Deployment>;
  /** Whether this gateway can roll back at all (its pipeline releases kept images: AWS's only with a function to run the release). */
  canRollBack(): boolean;
  /** Whether an image is still kept (a rollback to it can be made); null when this gateway cannot tell. */
  imageKept(image: string): Promise<boolean | null>;
  /** Serves `deploymentId`'s kept image again as a new deployment (no resolve, fetch or build). */
  rollback(projectId: string, deploymentId: string): Promise<Deployment>;
  readLog(deploymentId: string, offset: number): Promise<{ text: string; nextOffset: number }>;
}

export function createProjectService(ports: Ports, pipeline: DeployPipeline, defaults: { readonly idleTimeoutSeconds: number }): ProjectService {
  const { store, source, runtime, builder, clock } = ports;

  async function details(project: Project): Promise<ProjectDetails> {
    const [latest] = await store.listDeployments(project.id);
    const current = project.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
    return { project, latestDeployment: latest ?? null, currentDeployment: current };
  }

  async function mustGet(id: string): Promise<Project> {
    const project = await store.getProject(id);
    if (!project) throw new PorticoError('not_found', `no project "${id}"; list them with GET /api/projects`);
    return project;
  }

  return {
    async create(input) {
      const parsed = parseRepo(input.repo);
      if (!parsed.ok) throw new PorticoError('invalid_input', parsed.error, { field: 'repo' });
      const { spec } = parsed.value;
      const branch = input.branch ?? parsed.value.branch ?? (await source.defaultBranch(spec));
      const id = endpointLabel(branch, spec.repo, spec.owner);

      const existing = await store.getProject(id);
      if (existing) {
        if (describeSource(existing.source) === describeSource(spec) && existing.branch === branch) {
          const { latestDeployment } = await details(existing);
          return { project: existing, created: false, deployment: latestDeployment };
        }
        throw new PorticoError('conflict', `endpoint "${id}" is already used by ${describeSource(existing.source)}@${existing.branch}`);
      }

      await source.resolve(spec, branch); // an unknown branch is refused here, before anything is recorded
      const context = input.context ?? '.';
      const project: Project = {
        id,
        source: spec,
        branch,
        context,
        dockerfile: input.dockerfile ?? defaultDockerfile(context),
        gpu: input.gpu ?? 'auto',
        env: input.env ?? {},
        secrets: input.secrets ?? {},
        idleTimeoutSeconds: input.idleTimeoutSeconds ?? defaults.idleTimeoutSeconds,
        port: input.port ?? null,
        startupTimeoutSeconds: input.startupTimeoutSeconds ?? null,
        createdAt: clock.now().toISOString(),
        currentDeploymentId: null,
      };
      await store.createProject(project);
      const deployment = await pipeline.enqueue(project);
      return { project, created: true, deployment };
    },

    async list() {
      return Promise.all((await store.listProjects()).map(details));
    },

    async get(id) {
      return details(await mustGet(id));
    },

    async redeploy(id) {
      return pipeline.enqueue(await mustGet(id));
    },

    async listDeployments(projectId) {
      await mustGet(projectId);
      return store.listDeployments(projectId);
    },

    async update(id, input) {
      const before = await mustGet(id);
      const env = input.env ? merge(before.env, input.env) : before.env;
      const secrets = input.secrets ? merge(before.secrets, input.secrets) : before.secrets;
      const gpu = input.gpu ?? before.gpu;
      const port = input.port === undefined ? before.port : input.port;
      const context = input.context ?? before.context;
      const movesWithContext = input.context !== undefined && before.dockerfile === defaultDockerfile(before.context);
      const dockerfile = input.dockerfile ?? (movesWithContext ? defaultDockerfile(context) : before.dockerfile);
      const project = await store.updateProject(id, { env, secrets, gpu, port, context, dockerfile, idleTimeoutSeconds: input.idleTimeoutSeconds, startupTimeoutSeconds: input.startupTimeoutSeconds });
      // The container only sees new variables, a new GPU placement, a new port or a new build when it is replaced; the
      // idle timeout is read live, the startup timeout at the next deployment.
      const changed =
        !sameMap(env, before.env) ||
        !sameMap(secrets, before.secrets) ||
        gpu !== before.gpu ||
        port !== before.port ||
        context !== before.context ||
        dockerfile !== before.dockerfile;
      return { project, deployment: changed ? await pipeline.enqueue(project) : null };
    },

    async remove(id) {
      await mustGet(id);
      await runtime.removeProjectContainers(id);
      await builder.removeProjectImages(id);
      await store.deleteProject(id);
    },

    async getDeployment(id) {
      const deployment = await store.getDeployment(id);
      if (!deployment) throw new PorticoError('not_found', `no deployment "${id}"`);
      return deployment;
    },

    canRollBack() {
      return pipeline.rollback !== undefined && builder.inspectImage !== undefined;
    },

    async imageKept(image) {
      if (!pipeline.rollback || !builder.inspectImage) return null;
      return builder.hasImage ? builder.hasImage(image) : (await builder.inspectImage(image)) !== null;
    },

    async rollback(projectId, deploymentId) {
      const project = await mustGet(projectId);
      if (!pipeline.rollback) throw new PorticoError('conflict', 'this gateway cannot roll back (it has no function to run the release: PORTICO_RELEASE_FUNCTION is not set); redeploy instead');
      const { target, facts } = await rollbackTarget(ports, project, deploymentId);
      return pipeline.rollback(project, target, facts);
    },

    async readLog(deploymentId, offset) {
      await this.getDeployment(deploymentId);
      return store.readLog(deploymentId, offset);
    },
  };
}

function defaultDockerfile(context: string): string {
  return context === '.' ? 'Dockerfile' : `${context.replace(/\/+$/, '')}/Dockerfile`;
}

function merge(current: Readonly<Record<string, string>>, patch: Readonly<Record<string, string | null>>): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

function sameMap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
