import { performance } from 'node:perf_hooks';
import type { Scaler } from '../gateway/services/scaler.ts';
import type { BareContainer } from './bare-container.ts';
import { pollUntilAnswer, timeToFirstByte } from './first-byte.ts';

/** How the bench reaches the demo through Portico: the gateway's address plus the Host header naming the demo. */
export interface ThroughPortico {
  readonly url: string;
  readonly host: string;
  readonly label: string;
  readonly scaler: Scaler;
}

/** The bare loop polls this often: tighter than any sane wake loop, so the baseline is hard to beat. */
export const BARE_POLL_INTERVAL_MS = 5;
const ANSWER_TIMEOUT_MS = 60_000;

/**
 * Wake from stopped, `runs` times each, alternating so drift on a shared machine hits all
 * alike. Through each path: the scaler stops the container, then one GET through that path is
 * timed to its first byte. Bare: the twin is stopped, then `docker start` + inspect + a GET
 * every 5 ms until one answers is timed.
 */
export async function measureColdWakes(paths: readonly ThroughPortico[], bare: BareContainer, runs: number): Promise<{ pathMs: number[][]; bareMs: number[] }> {
  const pathMs: number[][] = paths.map(() => []);
  const bareMs: number[] = [];
  await pollUntilAnswer((await bare.start()).url, BARE_POLL_INTERVAL_MS, ANSWER_TIMEOUT_MS); // first boot, untimed: every timed one is a restart, as Portico's are
  for (let run = 0; run < runs; run += 1) {
    await bare.stop();
    const started = performance.now();
    const { url } = await bare.start();
    expectOk(await pollUntilAnswer(url, BARE_POLL_INTERVAL_MS, ANSWER_TIMEOUT_MS), 'bare wake');
    bareMs.push(performance.now() - started);

    for (const [index, portico] of paths.entries()) {
      await portico.scaler.sleep(portico.label);
      expectState(portico, 'sleeping');
      pathMs[index]!.push(await timedGet(portico, 'wake from stopped'));
    }
  }
  await bare.stop();
  return { pathMs, bareMs };
}

/** Wake from paused (cgroup freezer), `runs` times: the scaler pauses, then one GET through the gateway is timed. */
export async function measurePausedWakes(portico: ThroughPortico, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    await portico.scaler.pause(portico.label);
    expectState(portico, 'paused');
    samples.push(await timedGet(portico, 'wake from paused'));
  }
  return samples;
}

async function timedGet(portico: ThroughPortico, what: string): Promise<number> {
  const answer = await timeToFirstByte(portico.url, { headers: { host: portico.host }, timeoutMs: ANSWER_TIMEOUT_MS });
  expectOk(answer.status, what);
  return answer.ms;
}

function expectOk(status: number, what: string): void {
  if (status !== 200) throw new Error(`${what}: the demo answered ${status}, not 200`);
}

/** Guards against timing the wrong thing: a scaler that did not actually scale down would look fast. */
function expectState(portico: ThroughPortico, state: 'sleeping' | 'paused'): void {
  const actual = portico.scaler.snapshot(portico.label).state;
  if (actual !== state) throw new Error(`expected ${portico.label} to be ${state} before timing its wake, but the scaler says ${actual}`);
}
