import { describe, expect, it } from 'vitest';
import { createMinuteSeries } from '../../gateway/services/minute-series.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const MIN = 60_000;

describe('per-minute series', () => {
  it('counts requests and keeps the slowest wake of each minute, quiet minutes as zeros', () => {
    const series = createMinuteSeries(3);
    series.request(T0 + 1_000);
    series.request(T0 + 59_000);
    series.wake(T0 + 2 * MIN + 5, 800);
    series.wake(T0 + 2 * MIN + 10, 300);

    expect(series.points(T0 + 2 * MIN + 30_000)).toEqual([
      { startedAt: '2026-11-25T12:00:00.000Z', requests: 2, wakes: 0, wakeMaxMs: null },
      { startedAt: '2026-11-25T12:01:00.000Z', requests: 0, wakes: 0, wakeMaxMs: null },
      { startedAt: '2026-11-25T12:02:00.000Z', requests: 0, wakes: 2, wakeMaxMs: 800 },
    ]);
  });

  it('slides: a minute older than the window drops out of the points', () => {
    const series = createMinuteSeries(3);
    series.request(T0);
    expect(series.points(T0 + 3 * MIN).map((point) => point.requests)).toEqual([0, 0, 0]);
    expect(series.points(T0 + 2 * MIN).map((point) => point.requests)).toEqual([1, 0, 0]);
  });

  it('holds at most one bucket per minute of the window however long it runs', () => {
    const series = createMinuteSeries(60);
    for (let minute = 0; minute < 1000; minute++) series.request(T0 + minute * MIN);
    expect(series.size()).toBe(60);
    expect(series.points(T0 + 999 * MIN).every((point) => point.requests === 1)).toBe(true);
  });

  it('counts a time before the newest minute (the clock stepped back) in the newest minute', () => {
    const series = createMinuteSeries(3);
    series.request(T0 + MIN);
    series.request(T0);
    expect(series.size()).toBe(1);
    expect(series.points(T0 + MIN).map((point) => point.requests)).toEqual([0, 0, 2]);
  });
});
