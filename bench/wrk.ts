import { execFile } from 'node:child_process';
import { findTool } from './tools.ts';

/** What one wrk run measured. */
export interface WrkResult {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Responses outside 2xx/3xx: a run with any did not measure the happy path. */
  readonly non2xx: number;
  /** connect + read + write + timeout socket errors. */
  readonly socketErrors: number;
}

export interface WrkOptions {
  readonly threads: number;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Runs `wrk --latency` against `url` and parses its report. */
export function runWrk(url: string, options: WrkOptions): Promise<WrkResult> {
  const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${options.durationSeconds}s`, '--latency'];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile(findTool('wrk') ?? 'wrk', args, { timeout: (options.durationSeconds + 30) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk ${args.join(' ')} failed: ${stderr || error.message}`));
      try {
        resolve(parseWrk(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}

/** Parses wrk 4's `--latency` output: Requests/sec, the latency distribution, errors. */
export function parseWrk(output: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const total = /^\s+(\d+) requests in /m.exec(output);
  if (!rps || !p50 || !p99 || !total) throw new Error(`could not parse wrk output:\n${output}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const sockets = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSec: Number(rps[1]),
    p50Ms: toMs(Number(p50[1]), p50[2]!),
    p99Ms: toMs(Number(p99[1]), p99[2]!),
    requests: Number(total[1]),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sockets ? sockets.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/** wrk prints durations with the unit that fits: us, ms, s, or m (minutes). */
function toMs(value: number, unit: string): number {
  switch (unit) {
    case 'us':
      return value / 1000;
    case 'ms':
      return value;
    case 's':
      return value * 1000;
    default:
      return value * 60_000;
  }
}
