import { type WrkOptions, type WrkResult, runWrk } from './wrk.ts';

/** One way to reach the same demo container. */
export interface WarmTarget {
  /** `node-pipe`: bench/node-pipe.mjs, the ceiling for a Node proxy. `node-host`/`node-prefix`: the embedded Node proxy by Host and under `/p/{label}/`. */
  readonly name: 'direct' | 'nginx' | 'node-pipe' | 'haproxy' | 'node-host' | 'node-prefix';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WarmRuns {
  readonly target: WarmTarget['name'];
  readonly runs: readonly WrkResult[];
  /** Best of the runs, per metric: highest requests/sec, lowest p99. */
  readonly bestRequestsPerSec: number;
  readonly bestP99Ms: number;
}

/** The load: enough connections to saturate 2 cores, so it measures throughput (and p99 under queueing). */
export const LOAD: WrkOptions = { threads: 2, connections: 32, durationSeconds: 10 };
/** One connection, one request at a time: no queueing, so p99 shows what each hop itself adds. */
export const LIGHT_LOAD: WrkOptions = { threads: 1, connections: 1, durationSeconds: 5 };
export const WARM_UP_SECONDS = 2;

/**
 * Warms every target up (connection pools, JIT), then measures them in interleaved rounds
 * (direct, portico, nginx, direct, …) so a noisy neighbour hurts all of them, not one.
 */
export async function measureWarm(targets: readonly WarmTarget[], load: WrkOptions, rounds: number, log: (line: string) => void): Promise<WarmRuns[]> {
  for (const target of targets) await runWrk(target.url, { ...load, durationSeconds: WARM_UP_SECONDS, ...(target.headers ? { headers: target.headers } : {}) });
  const runs = new Map<WarmTarget['name'], WrkResult[]>(targets.map((target) => [target.name, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const target of targets) {
      const result = await runWrk(target.url, { ...load, ...(target.headers ? { headers: target.headers } : {}) });
      if (result.non2xx > 0 || result.socketErrors > 0) {
        log(`  warning: ${target.name} round ${round} had ${result.non2xx} non-2xx answers and ${result.socketErrors} socket errors`);
      }
      log(`  ${target.name.padEnd(11)} round ${round}: ${result.requestsPerSec.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
      runs.get(target.name)!.push(result);
    }
  }
  return targets.map((target) => {
    const list = runs.get(target.name)!;
    return {
      target: target.name,
      runs: list,
      bestRequestsPerSec: Math.max(...list.map((run) => run.requestsPerSec)),
      bestP99Ms: Math.min(...list.map((run) => run.p99Ms)),
    };
  });
}
