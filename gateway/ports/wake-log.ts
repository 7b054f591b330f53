import type { StartTimings } from '../domain/start-timings.ts';

/** One wake of a sleeping demo: its container, which run of it, when it first answered, what it waited on. */
export interface WakeRecord {
  readonly containerId: string;
  readonly runId: string;
  readonly at: Date;
  readonly timings: StartTimings;
}

/**
 * The last wake of each project, for its runtime log. On Lambda several gateway instances may see
 * the same woken task answer: the first to record it wins, and the others record nothing.
 */
export interface WakeLog {
  /** Records the wake; false (and nothing written) when this run's wake is the one already recorded. */
  recordWake(projectId: string, wake: WakeRecord): Promise<boolean>;
  lastWake(projectId: string): Promise<WakeRecord | null>;
}
