import { describe, expect, it } from 'vitest';
import { type ProcessSample, slopePerSecond, summarise, verdict, wakesFromPrometheus, wakesSince } from '../../bench/soak-summary.ts';
import { createMetrics } from '../../gateway/services/metrics.ts';

const samples = (rss: readonly number[]): ProcessSample[] => rss.map((rssMb, i) => ({ atSec: i * 5, rssMb, fds: 40, clientInFlight: 0 }));

describe('soak summary', () => {
  it('measures growth per minute over the second half only, so warm-up growth does not count as a leak', () => {
    // Steep warm-up (100 → 150 MB) in the first half, then flat at 150 MB.
    const summary = summarise(samples([100, 120, 140, 150, 150, 150, 150, 150, 150]), (s) => s.rssMb);
    expect(summary).toMatchObject({ first: 100, last: 150, min: 100, max: 150 });
    expect(summary.slopePerMinuteSecondHalf).toBe(0);
  });

  it('reports a steady leak as its rate per minute', () => {
    // +1 MB every 5 s = +12 MB a minute.
    const summary = summarise(samples([100, 101, 102, 103, 104, 105, 106, 107]), (s) => s.rssMb);
    expect(summary.slopePerMinuteSecondHalf).toBeCloseTo(12, 6);
  });

  it('has no slope for a single point or points at one instant', () => {
    expect(slopePerSecond([{ x: 1, y: 5 }])).toBeNull();
    expect(slopePerSecond([{ x: 1, y: 5 }, { x: 1, y: 9 }])).toBeNull();
  });

  it('splits the gateway\'s wakes into from-paused and from-stopped, as its /metrics exposes them', () => {
    const metrics = createMetrics();
    metrics.wake('steady', 3, false);
    metrics.wake('bursty', 4, false);
    metrics.wake('bursty', 900, true);
    metrics.wake('bursty', 800, true);
    metrics.response('quiet', 200);
    expect(wakesFromPrometheus(metrics.prometheus())).toEqual({
      steady: { fromPaused: 1, fromStopped: 0 },
      bursty: { fromPaused: 1, fromStopped: 2 },
      quiet: { fromPaused: 0, fromStopped: 0 },
    });
  });

  it('counts only the wakes that happened since an earlier reading', () => {
    expect(wakesSince({ a: { fromPaused: 2, fromStopped: 1 } }, { a: { fromPaused: 5, fromStopped: 1 }, b: { fromPaused: 1, fromStopped: 0 } })).toEqual({
      a: { fromPaused: 3, fromStopped: 0 },
      b: { fromPaused: 1, fromStopped: 0 },
    });
  });

  describe('verdict', () => {
    const clean = { errors: 0, idleFdsBefore: 34, idleFdsAfter: 40, fdMargin: 10, wakesFromPaused: 8, wakesFromStopped: 1, expectWakes: true };

    it('passes a run with no errors, fds back to rest and both kinds of wake', () => {
      expect(verdict(clean)).toEqual([]);
    });

    it('fails on any failed request', () => {
      expect(verdict({ ...clean, errors: 1 })).toEqual(['1 request(s) failed (goal: 0)']);
    });

    it('fails when the gateway holds more fds at rest than the margin allows', () => {
      expect(verdict({ ...clean, idleFdsAfter: 45 })).toHaveLength(1);
      expect(verdict({ ...clean, idleFdsAfter: 44 })).toEqual([]);
    });

    it('fails a run long enough for sleep/wake cycles in which none happened', () => {
      expect(verdict({ ...clean, wakesFromStopped: 0, wakesFromPaused: 0 })).toHaveLength(2);
      expect(verdict({ ...clean, wakesFromStopped: 0, wakesFromPaused: 0, expectWakes: false })).toEqual([]);
    });
  });
});
