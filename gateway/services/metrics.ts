import { type MinutePoint, type MinuteSeries, createMinuteSeries } from './minute-series.ts';

/** Per-project traffic counters and wake durations, kept in memory. */
export interface ProjectMetrics {
  readonly requests: number;
  readonly errors: number;
  readonly coldStarts: number;
  /** Wakes so far; the quantiles cover the most recent 1000. */
  readonly wakes: number;
  readonly wakeP50Ms: number | null;
  readonly wakeP99Ms: number | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

interface Counters {
  requests: number;
  errors: number;
  coldStarts: number;
  bytesIn: number;
  bytesOut: number;
  /** Every wake so far (a Prometheus count only grows). */
  wakes: number;
  /** The most recent wake durations, newest last, for the quantiles. */
  wakeMs: number[];
  /** Requests and wakes per minute over the last hour, for the dashboard's charts. */
  perMinute: MinuteSeries;
}

const WAKE_WINDOW = 1000;
const HISTORY_MINUTES = 60;

/** `now` times the per-minute series; tests pass a clock they move. */
export function createMetrics(options: { readonly now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const byProject = new Map<string, Counters>();

  function counters(projectId: string): Counters {
    let found = byProject.get(projectId);
    if (!found) {
      found = emptyCounters();
      byProject.set(projectId, found);
    }
    return found;
  }

  function snapshot(projectId: string): ProjectMetrics {
    const c = byProject.get(projectId) ?? emptyCounters();
    const sorted = [...c.wakeMs].sort((a, b) => a - b);
    return {
      requests: c.requests,
      errors: c.errors,
      coldStarts: c.coldStarts,
      wakes: c.wakes,
      wakeP50Ms: quantile(sorted, 0.5),
      wakeP99Ms: quantile(sorted, 0.99),
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
    };
  }

  return {
    /** One request answered: counted, an error when 5xx, with the body bytes each way. */
    response(projectId: string, status: number, bytesIn = 0, bytesOut = 0): void {
      const c = counters(projectId);
      c.requests += 1;
      if (status >= 500) c.errors += 1;
      c.bytesIn += bytesIn;
      c.bytesOut += bytesOut;
      c.perMinute.request(now());
    },
    /** Requests a proxy engine (HAProxy) carried straight to the demo, read from its counters. */
    carried(projectId: string, counted: { readonly requests: number; readonly errors: number; readonly bytesIn: number; readonly bytesOut: number }): void {
      const c = counters(projectId);
      c.requests += counted.requests;
      c.errors += counted.errors;
      c.bytesIn += counted.bytesIn;
      c.bytesOut += counted.bytesOut;
      c.perMinute.request(now(), counted.requests);
    },
    wake(projectId: string, durationMs: number, cold: boolean): void {
      const c = counters(projectId);
      if (cold) c.coldStarts += 1;
      c.wakes += 1;
      c.wakeMs.push(durationMs);
      if (c.wakeMs.length > WAKE_WINDOW) c.wakeMs.shift();
      c.perMinute.wake(now(), durationMs);
    },
    snapshot,
    /** The last hour, one point a minute, oldest first (all zeros for a project never requested). */
    history(projectId: string): MinutePoint[] {
      return (byProject.get(projectId) ?? emptyCounters()).perMinute.points(now());
    },
    forget(projectId: string): void {
      byProject.delete(projectId);
    },
    /** Prometheus text exposition format (version 0.0.4). */
    prometheus(): string {
      const projects = [...byProject.keys()].sort().map((id) => [id, snapshot(id)] as const);
      const lines: string[] = [];
      const family = (name: string, help: string, value: (m: ProjectMetrics) => number) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
        for (const [id, m] of projects) lines.push(`${name}{project="${id}"} ${value(m)}`);
      };
      family('portico_requests_total', 'Requests received for the project endpoint.', (m) => m.requests);
      family('portico_errors_total', 'Requests answered with a 5xx status.', (m) => m.errors);
      family('portico_cold_starts_total', 'Wakes that started a stopped container.', (m) => m.coldStarts);
      family('portico_received_bytes_total', 'Request body bytes received from clients.', (m) => m.bytesIn);
      family('portico_sent_bytes_total', 'Response body bytes sent to clients.', (m) => m.bytesOut);
      lines.push('# HELP portico_wake_duration_seconds Time from a request finding the demo asleep to the demo answering.', '# TYPE portico_wake_duration_seconds summary');
      for (const [id, m] of projects) {
        if (m.wakeP50Ms !== null) lines.push(`portico_wake_duration_seconds{project="${id}",quantile="0.5"} ${m.wakeP50Ms / 1000}`);
        if (m.wakeP99Ms !== null) lines.push(`portico_wake_duration_seconds{project="${id}",quantile="0.99"} ${m.wakeP99Ms / 1000}`);
        lines.push(`portico_wake_duration_seconds_count{project="${id}"} ${m.wakes}`);
      }
      return lines.join('\n') + '\n';
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

function emptyCounters(): Counters {
  return { requests: 0, errors: 0, coldStarts: 0, bytesIn: 0, bytesOut: 0, wakes: 0, wakeMs: [], perMinute: createMinuteSeries(HISTORY_MINUTES) };
}

/** Nearest-rank quantile of an ascending list. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}
