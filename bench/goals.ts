import type { BurstResult } from './burst.ts';
import { type Metric, metric } from './report.ts';
import { median } from './stats.ts';
import type { WarmRuns } from './warm.ts';

/** Wake samples through one data plane. */
export interface WakeSamples {
  readonly stoppedMs: readonly number[];
  readonly pausedMs: readonly number[];
}

/** Everything one run measured, raw. */
export interface Measurements {
  readonly warm: readonly WarmRuns[];
  /** The same targets at one connection: latency without queueing. */
  readonly warmOneConnection: readonly WarmRuns[];
  /** A bare `docker start` + poll loop, the baseline for waking from stopped. */
  readonly bareStartMs: readonly number[];
  readonly wake: { readonly haproxy: WakeSamples; readonly node: WakeSamples };
  /** Through HAProxy (which hands the sleeping demo to Portico). */
  readonly burst: BurstResult;
}

/** The goals, applied to one run's measurements: the rows of the table and of results.json. */
export function evaluate(measured: Measurements, nginxNote: string | null): Metric[] {
  const warm = (name: WarmRuns['target'], list = measured.warm) => list.find((runs) => runs.target === name) ?? null;
  const direct = warm('direct');
  const nginx = warm('nginx');
  const haproxy = warm('haproxy');
  const nodeHost = warm('node-host');
  const nodePrefix = warm('node-prefix');
  const nodePipe = warm('node-pipe');
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b !== 0 ? a / b : null);
  /**
   * Throughput of one path over another's, paired by round: each round runs every path back to
   * back, so the load other processes put on the shared cores is about the same within a round,
   * while it can differ a lot between rounds. The median of the per-round ratios.
   */
  const paired = (a: WarmRuns | null, b: WarmRuns | null): number | null => {
    if (!a || !b) return null;
    const ratios = a.runs.map((run, i) => ratio(run.requestsPerSec, b.runs[i]?.requestsPerSec)).filter((value): value is number => value !== null);
    return ratios.length > 0 ? median(ratios) : null;
  };
  const bare = median(measured.bareStartMs);
  const { burst } = measured;
  const nginxMissing = nginx ? {} : { note: nginxNote ?? 'nginx not measured' };

  const vsNginx = (runs: WarmRuns | null, name: string, target: number | null): Metric =>
    metric({
      id: `warm.${runs?.target ?? name}.vsNginx`,
      name: `${name}: req/s vs nginx`,
      portico: runs?.bestRequestsPerSec ?? null,
      baseline: nginx?.bestRequestsPerSec ?? null,
      value: paired(runs, nginx),
      unit: 'ratio',
      goal: target === null ? null : { op: '>=', target },
      ...nginxMissing,
    });
  const p99Added = (target: WarmRuns['target'], name: string, list: readonly WarmRuns[], goal: number | null): Metric => {
    const through = warm(target, list);
    const straight = warm('direct', list);
    return metric({
      id: `warm.${target}.p99AddedMs${list === measured.warmOneConnection ? '.oneConnection' : ''}`,
      name,
      portico: through?.bestP99Ms ?? null,
      baseline: straight?.bestP99Ms ?? null,
      value: through && straight ? through.bestP99Ms - straight.bestP99Ms : null,
      unit: 'ms',
      goal: goal === null ? null : { op: '<', target: goal },
    });
  };
  const wakeRows = (plane: 'haproxy' | 'node', label: string): Metric[] => {
    const stopped = median(measured.wake[plane].stoppedMs);
    const paused = median(measured.wake[plane].pausedMs);
    return [
      metric({ id: `wake.${plane}.stopped.ratio`, name: `${label}: wake from stopped vs bare start (median ms)`, portico: stopped, baseline: bare, value: stopped / bare, unit: 'ratio', goal: { op: '<=', target: 1.15 } }),
      metric({ id: `wake.${plane}.paused.ms`, name: `${label}: wake from paused (median ms)`, portico: paused, baseline: null, value: paused, unit: 'ms', goal: { op: '<', target: 50 } }),
    ];
  };

  return [
    metric({ id: 'warm.direct.vsNginx', name: 'direct to the container: req/s vs nginx', portico: direct?.bestRequestsPerSec ?? null, baseline: nginx?.bestRequestsPerSec ?? null, value: paired(direct, nginx), unit: 'ratio', goal: null, ...nginxMissing }),
    vsNginx(nodePipe, 'a 15-line Node http pipe (the ceiling for a Node proxy)', null),
    vsNginx(haproxy, 'HAProxy', 0.9),
    vsNginx(nodeHost, 'Node proxy, Host', 0.4),
    vsNginx(nodePrefix, 'Node proxy, /p/{label}/', null),
    metric({ id: 'warm.node-host.vsPipe', name: 'Node proxy, Host: req/s vs the 15-line pipe', portico: nodeHost?.bestRequestsPerSec ?? null, baseline: nodePipe?.bestRequestsPerSec ?? null, value: paired(nodeHost, nodePipe), unit: 'ratio', goal: null }),
    metric({ id: 'warm.node-prefix.vsHost', name: 'Node proxy: /p/{label}/ req/s vs Host', portico: nodePrefix?.bestRequestsPerSec ?? null, baseline: nodeHost?.bestRequestsPerSec ?? null, value: paired(nodePrefix, nodeHost), unit: 'ratio', goal: { op: '>=', target: 0.9 } }),
    p99Added('haproxy', 'HAProxy: p99 ms vs direct', measured.warm, 2),
    p99Added('node-host', 'Node proxy, Host: p99 ms vs direct', measured.warm, null),
    p99Added('node-prefix', 'Node proxy, /p/: p99 ms vs direct', measured.warm, null),
    p99Added('haproxy', 'HAProxy: p99 ms vs direct, 1 connection', measured.warmOneConnection, null),
    p99Added('node-host', 'Node proxy: p99 ms vs direct, 1 connection', measured.warmOneConnection, null),
    ...wakeRows('haproxy', 'HAProxy'),
    ...wakeRows('node', 'Node proxy'),
    metric({
      id: 'burst.ok',
      name: `HAProxy: burst of ${burst.requests} at a sleeping demo, 200 answers`,
      portico: burst.ok,
      baseline: null,
      value: burst.ok,
      unit: 'count',
      goal: { op: '==', target: burst.requests },
      ...(burst.ok === burst.requests ? {} : { note: `statuses ${JSON.stringify(burst.statuses)}` }),
    }),
    metric({ id: 'burst.starts', name: `HAProxy: burst of ${burst.requests}, container starts`, portico: burst.containerStarts, baseline: null, value: burst.containerStarts, unit: 'count', goal: { op: '==', target: 1 } }),
  ];
}
