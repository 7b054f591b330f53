import type { BurstResult } from './burst.ts';
import { type Metric, metric } from './report.ts';
import { median } from './stats.ts';
import type { WarmRuns } from './warm.ts';

/** Everything one run measured, raw. */
export interface Measurements {
  readonly warm: readonly WarmRuns[];
  /** The same targets at one connection: latency without queueing. */
  readonly warmOneConnection: readonly WarmRuns[];
  readonly wake: { readonly stoppedPorticoMs: readonly number[]; readonly stoppedBareMs: readonly number[]; readonly pausedMs: readonly number[] };
  readonly burst: BurstResult;
}

/** The goals, applied to one run's measurements: the rows of the table and of results.json. */
export function evaluate(measured: Measurements, nginxNote: string | null): Metric[] {
  const warm = (name: WarmRuns['target'], list = measured.warm) => list.find((runs) => runs.target === name) ?? null;
  const direct = warm('direct');
  const portico = warm('portico');
  const nginx = warm('nginx');
  const directOne = warm('direct', measured.warmOneConnection);
  const porticoOne = warm('portico', measured.warmOneConnection);
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b !== 0 ? a / b : null);
  const stopped = median(measured.wake.stoppedPorticoMs);
  const bare = median(measured.wake.stoppedBareMs);
  const paused = median(measured.wake.pausedMs);
  const { burst } = measured;

  return [
    metric({
      id: 'warm.throughput.vsNginx',
      name: 'warm req/s vs nginx',
      portico: portico?.bestRequestsPerSec ?? null,
      baseline: nginx?.bestRequestsPerSec ?? null,
      value: ratio(portico?.bestRequestsPerSec, nginx?.bestRequestsPerSec),
      unit: 'ratio',
      goal: { op: '>=', target: 0.6 },
      ...(nginx ? {} : { note: nginxNote ?? 'nginx not measured' }),
    }),
    metric({
      id: 'warm.throughput.vsDirect',
      name: 'warm req/s vs direct',
      portico: portico?.bestRequestsPerSec ?? null,
      baseline: direct?.bestRequestsPerSec ?? null,
      value: ratio(portico?.bestRequestsPerSec, direct?.bestRequestsPerSec),
      unit: 'ratio',
      goal: null,
    }),
    metric({
      id: 'warm.p99.addedMs',
      name: 'warm p99 ms vs direct',
      portico: portico?.bestP99Ms ?? null,
      baseline: direct?.bestP99Ms ?? null,
      value: portico && direct ? portico.bestP99Ms - direct.bestP99Ms : null,
      unit: 'ms',
      goal: { op: '<', target: 2 },
    }),
    metric({
      id: 'warm.p99.vsNginxMs',
      name: 'warm p99 ms vs nginx',
      portico: portico?.bestP99Ms ?? null,
      baseline: nginx?.bestP99Ms ?? null,
      value: portico && nginx ? portico.bestP99Ms - nginx.bestP99Ms : null,
      unit: 'ms',
      goal: null,
    }),
    metric({
      id: 'warm.p99.addedMs.oneConnection',
      name: 'p99 ms vs direct, 1 connection',
      portico: porticoOne?.bestP99Ms ?? null,
      baseline: directOne?.bestP99Ms ?? null,
      value: porticoOne && directOne ? porticoOne.bestP99Ms - directOne.bestP99Ms : null,
      unit: 'ms',
      goal: null,
    }),
    metric({
      id: 'wake.stopped.ratio',
      name: 'wake from stopped, median ms',
      portico: stopped,
      baseline: bare,
      value: stopped / bare,
      unit: 'ratio',
      goal: { op: '<=', target: 1.15 },
    }),
    metric({
      id: 'wake.paused.ms',
      name: 'wake from paused, median ms',
      portico: paused,
      baseline: null,
      value: paused,
      unit: 'ms',
      goal: { op: '<', target: 50 },
    }),
    metric({
      id: 'burst.ok',
      name: `burst of ${burst.requests}: 200 answers`,
      portico: burst.ok,
      baseline: null,
      value: burst.ok,
      unit: 'count',
      goal: { op: '==', target: burst.requests },
      ...(burst.ok === burst.requests ? {} : { note: `statuses ${JSON.stringify(burst.statuses)}` }),
    }),
    metric({
      id: 'burst.starts',
      name: `burst of ${burst.requests}: container starts`,
      portico: burst.containerStarts,
      baseline: null,
      value: burst.containerStarts,
      unit: 'count',
      goal: { op: '==', target: 1 },
    }),
  ];
}
