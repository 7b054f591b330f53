import { describe, expect, it } from 'vitest';
import { createMetrics, quantile } from '../../gateway/services/metrics.ts';

describe('quantile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('metrics', () => {
  it('counts per project and reports wake quantiles', () => {
    const metrics = createMetrics();
    metrics.response('a', 200, 10, 2000);
    metrics.response('a', 404);
    metrics.response('a', 502);
    metrics.wake('a', 900, true);
    metrics.wake('a', 5, false);
    expect(metrics.snapshot('a')).toEqual({ requests: 3, errors: 1, coldStarts: 1, wakes: 2, wakeP50Ms: 5, wakeP99Ms: 900, bytesIn: 10, bytesOut: 2000 });
    expect(metrics.snapshot('unknown')).toMatchObject({ requests: 0, wakeP50Ms: null });
  });

  it('writes Prometheus text with one sample per project', () => {
    const metrics = createMetrics();
    metrics.response('b', 200);
    metrics.response('a', 200);
    metrics.wake('a', 1500, true);
    const text = metrics.prometheus();
    expect(text).toContain('# TYPE portico_requests_total counter\nportico_requests_total{project="a"} 1\nportico_requests_total{project="b"} 1\n');
    expect(text).toContain('portico_wake_duration_seconds{project="a",quantile="0.5"} 1.5');
    expect(text).not.toContain('portico_wake_duration_seconds{project="b",quantile');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('keeps counting wakes past the window the quantiles use', () => {
    const metrics = createMetrics();
    for (let i = 0; i < 1500; i++) metrics.wake('a', i, false);
    expect(metrics.snapshot('a')).toMatchObject({ wakes: 1500, wakeP50Ms: 999 });
    expect(metrics.prometheus()).toContain('portico_wake_duration_seconds_count{project="a"} 1500');
  });

  it('keeps an hour of requests and wake times per minute for each project', () => {
    let now = Date.parse('2026-11-25T12:00:30.000Z');
    const metrics = createMetrics({ now: () => now });
    metrics.response('a', 200);
    metrics.wake('a', 1200, true);
    now += 60_000;
    metrics.response('a', 200);
    metrics.response('a', 502);

    const history = metrics.history('a');
    expect(history).toHaveLength(60);
    expect(history.at(-1)).toEqual({ startedAt: '2026-11-25T12:01:00.000Z', requests: 2, wakes: 0, wakeMaxMs: null });
    expect(history.at(-2)).toEqual({ startedAt: '2026-11-25T12:00:00.000Z', requests: 1, wakes: 1, wakeMaxMs: 1200 });
    expect(metrics.history('b').every((point) => point.requests === 0 && point.wakeMaxMs === null)).toBe(true);
  });
});
