import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import type Dockerode from 'dockerode';
import { timeToFirstByte } from './first-byte.ts';
import type { ThroughPortico } from './wake.ts';

export interface BurstResult {
  readonly requests: number;
  /** Answers with status 200. */
  readonly ok: number;
  /** Every status seen (and `error` for requests that got no answer), with counts. */
  readonly statuses: Readonly<Record<string, number>>;
  /** `start` events the engine emitted for the container while the burst ran: one wake means 1. */
  readonly containerStarts: number;
  /** Until the last of the requests was answered. */
  readonly durationMs: number;
}

const SETTLE_MS = 300;

/**
 * Puts the demo to sleep, then fires `requests` GETs at once through the gateway (each on its
 * own connection), and asks the engine how many times the container was started meanwhile.
 */
export async function measureBurst(portico: ThroughPortico, docker: Dockerode, containerId: string, requests: number): Promise<BurstResult> {
  await portico.scaler.sleep(portico.label);
  const state = portico.scaler.snapshot(portico.label).state;
  if (state !== 'sleeping') throw new Error(`expected ${portico.label} to be sleeping before the burst, but the scaler says ${state}`);

  const agent = new Agent({ keepAlive: false, maxSockets: requests });
  const since = engineTime(Date.now());
  const started = performance.now();
  const answers = await Promise.allSettled(Array.from({ length: requests }, () => timeToFirstByte(portico.url, { headers: { host: portico.host }, agent, timeoutMs: 120_000 })));
  const durationMs = performance.now() - started;
  agent.destroy();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS)); // let the engine's clock pass the last event before asking up to "now"
  const until = engineTime(Date.now());

  const statuses: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.status === 'fulfilled' ? String(answer.value.status) : 'error';
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return { requests, ok: statuses['200'] ?? 0, statuses, containerStarts: await countStarts(docker, containerId, since, until), durationMs };
}

/** The engine's `start` events for one container between two instants. */
async function countStarts(docker: Dockerode, containerId: string, since: number, until: number): Promise<number> {
  const stream = await docker.getEvents({ since, until, filters: { container: [containerId], event: ['start'] } });
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { status?: string; Action?: string })
    .filter((event) => (event.Action ?? event.status) === 'start').length;
}

/**
 * Epoch seconds with a millisecond fraction: the query string then carries `1767000000.123`,
 * which the engine's since/until read as fractional seconds.
 */
function engineTime(epochMs: number): number {
  return Math.round(epochMs) / 1000;
}
