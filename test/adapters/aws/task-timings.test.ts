import { describe, expect, it } from 'vitest';
import { describeTimings, taskTimings } from '../../../gateway/adapters/aws/task-timings.ts';

describe('taskTimings', () => {
  const task = {
    createdAt: new Date('2026-11-30T10:00:00.000Z'),
    pullStartedAt: new Date('2026-11-30T10:01:30.000Z'),
    pullStoppedAt: new Date('2026-11-30T10:03:00.500Z'),
    startedAt: new Date('2026-11-30T10:03:02.000Z'),
  };

  it('splits a GPU wake into placement (instance launch), pull, start and first answer', () => {
    expect(taskTimings(task, new Date('2026-11-30T10:03:32.000Z'), new Date('2026-11-30T10:01:20.000Z'))).toStrictEqual({
      placementMs: 90_000,
      instanceLaunchMs: 80_000,
      pullMs: 90_500,
      startMs: 1_500,
      firstAnswerMs: 30_000,
      totalMs: 212_000,
    });
  });

  it('counts no instance launch when the instance was in the cluster before the task was asked for', () => {
    expect(taskTimings(task, undefined, new Date('2026-11-30T09:00:00.000Z')).instanceLaunchMs).toBeNull();
    expect(taskTimings(task).instanceLaunchMs).toBeNull();
  });

  it('has no pull step when the image was cached on the host, and counts placement to the start', () => {
    const cached = { createdAt: task.createdAt, startedAt: new Date('2026-11-30T10:00:03.000Z') };
    expect(taskTimings(cached)).toStrictEqual({ placementMs: 3_000, instanceLaunchMs: null, pullMs: null, startMs: null, firstAnswerMs: null, totalMs: 3_000 });
    expect(describeTimings(taskTimings(cached))).toBe('placement 3.0 s, image pull none (cached on the host), container start n/a, first answer n/a (total 3.0 s)');
  });
});
