import type { Task } from '@aws-sdk/client-ecs';
import { type StartTimings, describeSteps } from '../../domain/start-timings.ts';

/**
 * What one ECS task's start waited on, from the timestamps ECS reports for it (DescribeTasks):
 * `createdAt` (the service asked for it) → `pullStartedAt` (placed, on an instance or a Fargate
 * host with its network interface) → `pullStoppedAt` (image pulled) → `startedAt` (container
 * running) → the first HTTP answer Portico's probe got. Null for a step ECS has no timestamps for
 * (an image already on the host is not pulled: no pull timestamps). `instanceRegisteredAt`: when
 * the EC2 container instance the task runs on joined the cluster (DescribeContainerInstances
 * `registeredAt`); when that is after the task was asked for, placement waited that long for it.
 */
export type TaskTimings = StartTimings;

const between = (from: Date | undefined, to: Date | undefined): number | null => (from && to ? Math.max(0, to.getTime() - from.getTime()) : null);

export function taskTimings(task: Pick<Task, 'createdAt' | 'pullStartedAt' | 'pullStoppedAt' | 'startedAt'>, answeredAt?: Date, instanceRegisteredAt?: Date): TaskTimings {
  const placed = task.pullStartedAt ?? task.startedAt;
  const launchedForIt = instanceRegisteredAt && task.createdAt && instanceRegisteredAt > task.createdAt;
  return {
    placementMs: between(task.createdAt, placed),
    instanceLaunchMs: launchedForIt ? between(task.createdAt, instanceRegisteredAt) : null,
    pullMs: between(task.pullStartedAt, task.pullStoppedAt),
    startMs: between(task.pullStoppedAt ?? task.pullStartedAt, task.startedAt),
    firstAnswerMs: between(task.startedAt, answeredAt),
    totalMs: between(task.createdAt, answeredAt ?? task.startedAt),
  };
}

/** One line for a log: `placement 12.3 s, image pull 45.6 s, container start 1.2 s, first answer 8.0 s (total 67.1 s)`. */
export function describeTimings(timings: TaskTimings): string {
  return `${describeSteps(timings)} (total ${timings.totalMs === null ? 'n/a' : `${(timings.totalMs / 1000).toFixed(1)} s`})`;
}
