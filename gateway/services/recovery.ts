import { isInProgress, transition } from '../domain/deployment-state.ts';
import { messageOf } from '../errors.ts';
import type { Ports } from './ports.ts';

export interface RecoveryReport {
  /** Deployments that were mid-flight when the gateway stopped, now failed as "interrupted". */
  readonly interrupted: number;
  /** Serving containers found again, running or scaled to zero (a running one's address may have changed). */
  readonly reattached: number;
  /** Serving deployments whose container is gone. */
  readonly missing: string[];
  /** Set when the engine could not be asked; routes are then kept as they were stored. */
  readonly engineError: string | null;
}

/**
 * Run once at start with the same data dir: nothing stays stuck in a phase no process is
 * running, and routes point at wherever the serving containers are now.
 */
export async function recoverState(ports: Pick<Ports, 'store' | 'runtime' | 'clock'>): Promise<RecoveryReport> {
  const { store, runtime, clock } = ports;
  let interrupted = 0;
  let reattached = 0;
  const missing: string[] = [];
  let engineError: string | null = null;

  for (const project of await store.listProjects()) {
    for (const deployment of await store.listDeployments(project.id)) {
      if (!isInProgress(deployment.status)) continue;
      const phase = deployment.status;
      await store.updateDeployment(deployment.id, transition(deployment, 'failed', clock.now(), `interrupted: the gateway stopped while this deployment was ${phase}; deploy again`));
      if (deployment.container) await runtime.remove(deployment.container.id).catch(() => undefined);
      interrupted += 1;
    }

    const current = project.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
    if (!current?.container || engineError) continue;
    try {
      const status = await runtime.status(current.container.id);
      if (status === 'missing') {
        missing.push(project.id);
        continue;
      }
      // A paused or stopped (scaled to zero) container is woken by the next request.
      const found = status === 'running' ? await runtime.locate(current.container.id, current.container.port) : null;
      if (found && found.upstream !== current.container.upstream) await store.updateDeployment(current.id, { container: found });
      reattached += 1;
    } catch (error) {
      engineError = messageOf(error);
    }
  }
  return { interrupted, reattached, missing, engineError };
}
