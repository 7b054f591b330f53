import type { Deployment, DeploymentStatus, PhaseName } from './types.ts';

/** The phases in the order a deployment passes through them. */
export const PHASES: readonly PhaseName[] = ['resolving', 'fetching', 'building', 'starting'];

const NEXT: Readonly<Record<DeploymentStatus, readonly DeploymentStatus[]>> = {
  // `starting` straight from `queued`: a rollback releases a kept image, with nothing to resolve, fetch or build.
  queued: ['resolving', 'starting', 'failed'],
  resolving: ['fetching', 'failed'],
  fetching: ['building', 'failed'],
  building: ['starting', 'failed'],
  starting: ['ready', 'failed'],
  ready: ['superseded'],
  failed: [],
  superseded: [],
};

export class InvalidTransitionError extends Error {
  constructor(from: DeploymentStatus, to: DeploymentStatus) {
    super(`a deployment cannot go from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export function canTransition(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(status: DeploymentStatus): boolean {
  return status === 'ready' || status === 'failed' || status === 'superseded';
}

export function isInProgress(status: DeploymentStatus): boolean {
  return !isTerminal(status);
}

/** A deployment as it starts: queued, nothing known yet. */
export function queuedDeployment(id: string, projectId: string, createdAt: Date): Deployment {
  return { id, projectId, status: 'queued', commit: null, phases: [], error: null, image: null, container: null, placement: null, port: null, portReason: null, card: null, createdAt: createdAt.toISOString() };
}

type Change = Pick<Deployment, 'status' | 'phases' | 'error'>;

/**
 * The fields that change when a deployment moves to `to` at `at`: the open phase is closed,
 * a new phase is opened when `to` is one, and `failed` records its reason.
 */
export function transition(deployment: Change, to: DeploymentStatus, at: Date, reason?: string): Change {
  if (!canTransition(deployment.status, to)) throw new InvalidTransitionError(deployment.status, to);
  const now = at.toISOString();
  const phases = deployment.phases.map((phase) => (phase.endedAt === null ? { ...phase, endedAt: now } : phase));
  if ((PHASES as readonly string[]).includes(to)) phases.push({ name: to as PhaseName, startedAt: now, endedAt: null });
  const error = to === 'failed' ? (reason ?? 'failed for an unknown reason') : deployment.error;
  return { status: to, phases, error };
}
