import { describe, expect, it } from 'vitest';
import { describeStart, describeWake } from '../../gateway/domain/start-timings.ts';

const fargate = { placementMs: 31_000, instanceLaunchMs: null, pullMs: 38_540, startMs: 2_100, firstAnswerMs: 2_600, totalMs: 74_240 };

describe('start timings in words', () => {
  it('says how long the start took and what each step waited', () => {
    expect(describeStart(fargate)).toBe('in 74.2 s: placement 31.0 s, image pull 38.5 s, container start 2.1 s, first answer 2.6 s');
  });

  it('names the wait for a new instance inside placement, and a pull skipped for a cached image', () => {
    expect(describeStart({ ...fargate, placementMs: 190_000, instanceLaunchMs: 175_000, pullMs: null, startMs: null, totalMs: 195_000 })).toBe(
      'in 195.0 s: placement 190.0 s (of which 175.0 s waiting for a new instance to join the cluster), image pull none (cached on the host), container start n/a, first answer 2.6 s',
    );
  });

  it('dates a wake for the runtime log, to the second in UTC', () => {
    expect(describeWake({ at: new Date('2026-11-30T13:05:09.412Z'), timings: fargate })).toBe(
      '[portico] woke at 2026-11-30 13:05:09 UTC in 74.2 s: placement 31.0 s, image pull 38.5 s, container start 2.1 s, first answer 2.6 s\n',
    );
  });
});
