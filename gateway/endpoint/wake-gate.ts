import type { Clock } from '../ports/clock.ts';
import type { Scaler } from '../services/scaler.ts';
import type { ContainerTarget } from './resolve-endpoint.ts';

export type Admission =
  | { readonly kind: 'go'; readonly upstream: string; readonly release: () => void }
  /** The demo is still waking after `wakeWaitMs`; the wake goes on, the client should retry. */
  | { readonly kind: 'still-waking'; readonly retryAfterSeconds: number }
  /** More requests are already waiting for this demo than `wakeQueueMax`. */
  | { readonly kind: 'queue-full'; readonly retryAfterSeconds: number }
  /** `crashed`: the demo keeps exiting on its own, so it was not woken. */
  | { readonly kind: 'failed'; readonly reason: string; readonly crashed?: boolean };

export interface WakeGateSettings {
  readonly wakeWaitMs: number;
  readonly wakeQueueMax: number;
}

/**
 * Scale-from-zero as a step in front of the proxy: a request to a running demo passes at once;
 * a request to a sleeping one joins the single shared wake and waits, bounded in time and in
 * numbers, then passes. It never drops a request that could still be served.
 */
export function createWakeGate(scaler: Scaler, clock: Clock, settings: WakeGateSettings) {
  const waiting = new Map<string, number>();
  const retryAfterSeconds = Math.max(1, Math.ceil(settings.wakeWaitMs / 10_000));

  /** The hot path: a demo known to be running is admitted without waiting on anything. */
  function admitWarm(target: ContainerTarget): Extract<Admission, { kind: 'go' }> | undefined {
    const warm = scaler.tryBegin(target.container.id);
    return warm && { kind: 'go', upstream: warm.upstream, release: warm.release };
  }

  async function admit(target: ContainerTarget): Promise<Admission> {
    const { release, upstream } = await scaler.begin(target.projectId, target.deploymentId, target.container);
    if (upstream) return { kind: 'go', upstream, release };
    const queued = waiting.get(target.projectId) ?? 0;
    if (queued >= settings.wakeQueueMax) {
      release();
      return { kind: 'queue-full', retryAfterSeconds };
    }
    waiting.set(target.projectId, queued + 1);
    try {
      const wake = scaler.ensureAwake(target.projectId, target.deploymentId, target.container);
      const stopWaiting = new AbortController();
      const timeout = clock.sleep(settings.wakeWaitMs, stopWaiting.signal).then(() => null);
      const result = await Promise.race([wake, timeout]);
      stopWaiting.abort();
      if (result === null) {
        release();
        return { kind: 'still-waking', retryAfterSeconds };
      }
      if (!result.ready || !result.upstream) {
        release();
        return { kind: 'failed', reason: result.error ?? 'the demo did not wake', ...(result.crashed ? { crashed: true } : {}) };
      }
      return { kind: 'go', upstream: result.upstream, release };
    } finally {
      const left = (waiting.get(target.projectId) ?? 1) - 1;
      if (left === 0) waiting.delete(target.projectId);
      else waiting.set(target.projectId, left);
    }
  }

  /** The proxy could not connect: the engine is asked again where the demo is and whether it still runs. */
  function recheck(target: ContainerTarget): Promise<void> {
    return scaler.recheck(target.container.id);
  }

  return { admitWarm, admit, recheck };
}

export type WakeGate = ReturnType<typeof createWakeGate>;
