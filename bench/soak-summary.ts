import { round } from './stats.ts';

/** One reading of the gateway process, every few seconds while the load runs. */
export interface ProcessSample {
  /** Seconds since the load started. */
  readonly atSec: number;
  readonly rssMb: number;
  readonly fds: number;
  /** Requests the load generator had open at that moment: explains fds that move with the load. */
  readonly clientInFlight: number;
}

export interface SeriesSummary {
  readonly first: number;
  readonly last: number;
  readonly min: number;
  readonly max: number;
  /** Least-squares growth over the second half of the run, per minute; null with fewer than 2 samples there. */
  readonly slopePerMinuteSecondHalf: number | null;
}

/** First/last/min/max and the second-half slope of one column of the samples. */
export function summarise(samples: readonly ProcessSample[], column: (sample: ProcessSample) => number): SeriesSummary {
  if (samples.length === 0) throw new Error('no samples: the run ended before the first reading');
  const values = samples.map(column);
  const end = samples[samples.length - 1]!.atSec;
  // The first half holds the warm-up (JIT, pools, heap sizing); a leak shows as growth after it.
  const secondHalf = samples.filter((sample) => sample.atSec >= end / 2);
  const slope = slopePerSecond(secondHalf.map((sample) => ({ x: sample.atSec, y: column(sample) })));
  return {
    first: values[0]!,
    last: values[values.length - 1]!,
    min: Math.min(...values),
    max: Math.max(...values),
    slopePerMinuteSecondHalf: slope === null ? null : round(slope * 60, 3),
  };
}

/** Ordinary least-squares slope of y over x; null when x does not vary. */
export function slopePerSecond(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 2) return null;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance === 0 ? null : covariance / variance;
}

/** Wakes per project as the gateway's /metrics counts them: every wake, and those that started a stopped container. */
export interface WakeCounts {
  readonly fromPaused: number;
  readonly fromStopped: number;
}

/** Reads `portico_wake_duration_seconds_count` and `portico_cold_starts_total` out of Prometheus text. */
export function wakesFromPrometheus(text: string): Record<string, WakeCounts> {
  const read = (name: string) => {
    const values = new Map<string, number>();
    const pattern = new RegExp(`^${name}\\{project="([^"]+)"\\} (\\d+(?:\\.\\d+)?)$`, 'gm');
    for (const match of text.matchAll(pattern)) values.set(match[1]!, Number(match[2]));
    return values;
  };
  const wakes = read('portico_wake_duration_seconds_count');
  const cold = read('portico_cold_starts_total');
  const result: Record<string, WakeCounts> = {};
  for (const project of new Set([...wakes.keys(), ...cold.keys()])) {
    const fromStopped = cold.get(project) ?? 0;
    result[project] = { fromStopped, fromPaused: (wakes.get(project) ?? 0) - fromStopped };
  }
  return result;
}

/** Per project, the wakes counted in `after` and not yet in `before`. */
export function wakesSince(before: Readonly<Record<string, WakeCounts>>, after: Readonly<Record<string, WakeCounts>>): Record<string, WakeCounts> {
  const result: Record<string, WakeCounts> = {};
  for (const [project, counts] of Object.entries(after)) {
    const earlier = before[project] ?? { fromPaused: 0, fromStopped: 0 };
    result[project] = { fromPaused: counts.fromPaused - earlier.fromPaused, fromStopped: counts.fromStopped - earlier.fromStopped };
  }
  return result;
}

export interface VerdictInput {
  readonly errors: number;
  /** Open fds with no traffic, before the load and after it has ended and settled. */
  readonly idleFdsBefore: number;
  readonly idleFdsAfter: number;
  readonly fdMargin: number;
  readonly wakesFromPaused: number;
  readonly wakesFromStopped: number;
  /** Whether the run was long enough for the bursty project to be stopped and woken at least once. */
  readonly expectWakes: boolean;
}

/** What makes the soak fail a release gate. Memory growth is reported, not gated: GC makes short runs noisy. */
export function verdict(input: VerdictInput): string[] {
  const failures: string[] = [];
  if (input.errors > 0) failures.push(`${input.errors} request(s) failed (goal: 0)`);
  const growth = input.idleFdsAfter - input.idleFdsBefore;
  if (growth > input.fdMargin) failures.push(`the gateway holds ${growth} more open fds at rest than before the load (${input.idleFdsBefore} → ${input.idleFdsAfter}; margin ${input.fdMargin}): a descriptor leak`);
  if (input.expectWakes && input.wakesFromStopped === 0) failures.push('no wake from stopped happened: the sleep/wake cycle was not exercised');
  if (input.expectWakes && input.wakesFromPaused === 0) failures.push('no wake from paused happened: the pause/wake cycle was not exercised');
  return failures;
}
