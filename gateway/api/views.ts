import { describeSource } from '../domain/repo-spec.ts';
import type { Deployment } from '../domain/types.ts';
import type { ProjectMetrics } from '../services/metrics.ts';
import type { ProjectDetails } from '../services/project-service.ts';
import type { RuntimeSnapshot } from '../services/scaler.ts';

/** How deployments and projects look in the REST API. */
export function deploymentView(deployment: Deployment) {
  return {
    id: deployment.id,
    projectId: deployment.projectId,
    status: deployment.status,
    commit: deployment.commit,
    phases: deployment.phases.map(({ name, startedAt, endedAt }) => ({ name, startedAt, endedAt })),
    createdAt: deployment.createdAt,
    placement: deployment.placement,
    port: deployment.port,
    portReason: deployment.portReason,
    ...(deployment.image ? { image: deployment.image } : {}),
    ...(deployment.error !== null ? { error: deployment.error } : {}),
  };
}

export function projectView({ project, latestDeployment, currentDeployment }: ProjectDetails, live: { endpoint: string; runtime: RuntimeSnapshot; metrics: ProjectMetrics }) {
  return {
    id: project.id,
    endpoint: live.endpoint,
    repo: describeSource(project.source),
    source: project.source.kind,
    branch: project.branch,
    dockerfile: project.dockerfile,
    context: project.context,
    gpu: project.gpu,
    /** Where the latest deployment was placed (GPU count, CUDA version, pool) and why. */
    placement: latestDeployment?.placement ?? null,
    env: project.env,
    /** Only the names: secret values never leave the gateway through the API. */
    secrets: Object.keys(project.secrets).sort(),
    idleTimeoutSeconds: project.idleTimeoutSeconds,
    /** The owner's port setting; null when it is found (see the deployments' `port` and `portReason`). */
    port: project.port,
    startupTimeoutSeconds: project.startupTimeoutSeconds,
    /** The README's front matter (title, emoji, description) of the serving deployment, else the latest. */
    card: currentDeployment?.card ?? latestDeployment?.card ?? null,
    createdAt: project.createdAt,
    latestDeployment: latestDeployment ? deploymentView(latestDeployment) : null,
    currentDeployment: currentDeployment ? deploymentView(currentDeployment) : null,
    // `state` may be `crashed`; `lastLog` then holds the container's last output.
    runtime: { ...live.runtime, lastLog: live.runtime.lastLog ?? null },
    metrics: live.metrics,
  };
}
