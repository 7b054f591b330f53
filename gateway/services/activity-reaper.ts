import type { Deployment } from '../domain/types.ts';
import { messageOf } from '../errors.ts';
import type { ActivityLog } from '../ports/activity-log.ts';
import type { Clock } from '../ports/clock.ts';
import type { ContainerRuntime } from '../ports/container-runtime.ts';
import type { ProjectStore } from '../ports/project-store.ts';

export interface ActivityReaperDeps {
  readonly store: ProjectStore;
  readonly runtime: Pick<ContainerRuntime, 'status' | 'stop'>;
  readonly activity: ActivityLog;
  readonly clock: Clock;
}

/**
 * Scales to zero every running demo idle past its project's timeout, judged by the stored
 * activity log (what the gateway instances recorded) rather than by one process's memory. A
 * demo counts as active from when it became ready, whatever the log says about earlier deployments.
 */
export async function reapIdleDemos(deps: ActivityReaperDeps): Promise<{ readonly slept: string[]; readonly failed: string[] }> {
  const { store, runtime, activity, clock } = deps;
  const slept: string[] = [];
  const failed: string[] = [];
  for (const project of await store.listProjects()) {
    const current = project.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
    if (!current?.container) continue;
    try {
      if ((await runtime.status(current.container.id)) !== 'running') continue;
      // Requests to an earlier deployment do not count against a demo that became ready since.
      const lastActive = Math.max((await activity.lastActive(project.id))?.getTime() ?? 0, readyAt(current).getTime());
      if (clock.now().getTime() - lastActive < project.idleTimeoutSeconds * 1000) continue;
      await runtime.stop(current.container.id);
      slept.push(project.id);
    } catch (error) {
      console.error(`could not scale ${project.id} to zero: ${messageOf(error)}`);
      failed.push(project.id);
    }
  }
  return { slept, failed };
}

function readyAt(deployment: Deployment): Date {
  return new Date(deployment.phases.at(-1)?.endedAt ?? deployment.createdAt);
}
