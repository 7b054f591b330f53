import type { Task } from '@aws-sdk/client-ecs';

/**
 * What one ECS task's start waited on, from the timestamps ECS reports for it (DescribeTasks):
 * `createdAt` (the service asked for it) → `pullStartedAt` (placed, on an instance or a Fargate
 * host with its network interface) → `pullStoppedAt` (image pulled) → `startedAt` (container
 * running) → the first HTTP answer Portico's probe got. Null for a step ECS has no timestamps for
 * (an image already on the host is not pulled: no pull timestamps).
 */
export interface TaskTimings {
  readonly placementMs: number | null;
  readonly pullMs: number | null;
  readonly startMs: number | null;
  readonly firstAnswerMs: number | null;
  readonly totalMs: number | null;
}

const between = (from: Date | undefined, to: Date | undefined): number | null => (from && to ? Math.max(0, to.getTime() - from.getTime()) : null);

export function taskTimings(task: Pick<Task, 'createdAt' | 'pullStartedAt' | 'pullStoppedAt' | 'startedAt'>, answeredAt?: Date): TaskTimings {
  const placed = task.pullStartedAt ?? task.startedAt;
  return {
    placementMs: between(task.createdAt, placed),
    pullMs: between(task.pullStartedAt, task.pullStoppedAt),
    startMs: between(task.pullStoppedAt ?? task.pullStartedAt, task.startedAt),
    firstAnswerMs: between(task.startedAt, answeredAt),
    totalMs: between(task.createdAt, answeredAt ?? task.startedAt),
  };
}

/** One line for a log: `placement 12.3 s, image pull 45.6 s, container start 1.2 s, first answer 8.0 s (total 67.1 s)`. */
export function describeTimings(timings: TaskTimings): string {
  const seconds = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
  const pull = timings.pullMs === null ? 'image pull none (cached on the host)' : `image pull ${seconds(timings.pullMs)}`;
  return `placement ${seconds(timings.placementMs)}, ${pull}, container start ${seconds(timings.startMs)}, first answer ${seconds(timings.firstAnswerMs)} (total ${seconds(timings.totalMs)})`;
}
