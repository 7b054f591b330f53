import type { ActivityLog } from '../ports/activity-log.ts';
import type { Clock } from '../ports/clock.ts';
import type { AsyncWake, ContainerRuntime, ReadyContainer } from '../ports/container-runtime.ts';
import type { WakeLog } from '../ports/wake-log.ts';
import { isPorticoError, messageOf } from '../errors.ts';
import type { ContainerTarget } from './resolve-endpoint.ts';
import type { Admission } from './wake-gate.ts';

export interface AsyncWakeGateSettings {
  /** How long one request may spend probing a task that runs but may not listen yet. */
  readonly probeTimeoutMs: number;
  /** What a waiting client is told to wait before trying again. */
  readonly retryAfterSeconds: number;
  /** How long an address that answered is reused without asking the runtime again. */
  readonly routeCacheMs: number;
  /** Activity is written at most this often per project (every request would cost a write). */
  readonly activityWriteIntervalMs: number;
  /** A wake asked for less than this long ago is not asked for again. */
  readonly wakeRequestIntervalMs: number;
}

export interface AsyncWakeGateDeps {
  readonly runtime: Pick<ContainerRuntime, 'locate' | 'status' | 'waitUntilReady'> & AsyncWake;
  readonly activity: ActivityLog;
  readonly clock: Clock;
  /** Where what a wake waited on goes (the project's runtime log); unset: nowhere but the runtime's own log. */
  readonly wakes?: WakeLog;
}

/**
 * Scale-from-zero when the request cannot wait for the wake (Lambda): a running demo that answers
 * is admitted; a sleeping one gets its wake started once and the client is told to come back
 * (the waking page reloads itself; API clients get 503 + Retry-After). The first request after
 * the task answers is routed. Idle time is recorded in the activity log for the reaper.
 */
export function createAsyncWakeGate(deps: AsyncWakeGateDeps, settings: AsyncWakeGateSettings) {
  const { runtime, activity, clock } = deps;
  const answered = new Map<string, { readonly upstream: string; readonly at: number }>();
  const wakeRequested = new Map<string, number>();
  const activityWritten = new Map<string, number>();
  const stillWaking = { kind: 'still-waking', retryAfterSeconds: settings.retryAfterSeconds } as const;

  async function admit(target: ContainerTarget): Promise<Admission> {
    try {
      return await admitOrThrow(target);
    } catch (error) {
      // A refused wake, or a runtime that could not be asked (throttled, unreachable): a page that says why, never a bare 500.
      const reason = isPorticoError(error) ? error.message : `could not reach the container runtime: ${messageOf(error)}; try again in a moment`;
      return { kind: 'failed', reason };
    }
  }

  async function admitOrThrow(target: ContainerTarget): Promise<Admission> {
    const id = target.container.id;
    const now = clock.now().getTime();
    const known = answered.get(id);
    if (known && now - known.at < settings.routeCacheMs) return go(target.projectId, known.upstream, now);

    const running = await runtime.locate(id, target.container.port);
    if (running) {
      let ready: ReadyContainer;
      try {
        ready = await runtime.waitUntilReady(running, { startupTimeoutMs: settings.probeTimeoutMs, probeIntervalMs: Math.min(250, settings.probeTimeoutMs) });
      } catch {
        return stillWaking; // the task runs but the app does not listen yet
      }
      answered.set(id, { upstream: running.upstream, at: now });
      wakeRequested.delete(id);
      if (ready.started) await recordWake(target.projectId, id, ready.started);
      return go(target.projectId, running.upstream, now);
    }

    answered.delete(id);
    const status = await runtime.status(id);
    if (status === 'missing') return { kind: 'failed', reason: 'this demo’s container no longer exists; deploy the project again' };
    const asked = wakeRequested.get(id);
    if (asked === undefined || now - asked >= settings.wakeRequestIntervalMs) {
      await runtime.requestWake(id); // refused: the page says why, and the next request asks again
      wakeRequested.set(id, now);
      // Waking counts as activity: the reaper must not put it back to sleep before anyone is served.
      await touch(target.projectId, now, true);
    }
    return stillWaking;
  }

  /** What the wake this gate asked for waited on; a lost record must not fail the request. */
  async function recordWake(projectId: string, containerId: string, started: NonNullable<ReadyContainer['started']>): Promise<void> {
    await deps.wakes
      ?.recordWake(projectId, { containerId, runId: started.runId, at: clock.now(), timings: started.timings })
      .catch((error: unknown) => console.error(`could not record the wake of ${projectId}: ${messageOf(error)}`));
  }

  async function go(projectId: string, upstream: string, now: number): Promise<Admission> {
    await touch(projectId, now, false);
    return { kind: 'go', upstream, release: () => undefined };
  }

  async function touch(projectId: string, now: number, always: boolean): Promise<void> {
    const last = activityWritten.get(projectId);
    if (!always && last !== undefined && now - last < settings.activityWriteIntervalMs) return;
    activityWritten.set(projectId, now);
    // A lost activity write only risks an early sleep; it must not fail the request.
    await activity.touch(projectId, new Date(now)).catch((error: unknown) => console.error(`could not record activity of ${projectId}: ${messageOf(error)}`));
  }

  return { admit };
}

export type AsyncWakeGate = ReturnType<typeof createAsyncWakeGate>;
