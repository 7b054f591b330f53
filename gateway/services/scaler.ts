import { performance } from 'node:perf_hooks';
import { type GpuContention, type GpuHolder as GpuHolderOfPool, type PoolHolder, allocateGpus, planNewContainer } from '../domain/gpu-allocation.ts';
import type { GpuPool } from '../domain/gpu-pools.ts';
import type { ContainerRef } from '../domain/types.ts';
import { PorticoError, messageOf } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { ContainerRuntime, ContainerStatus } from '../ports/container-runtime.ts';
import type { DataPlane, RouteActivity } from '../ports/data-plane.ts';
import type { ProjectStore } from '../ports/project-store.ts';
import type { GpuReserver } from './gpu-reserver.ts';
import type { Metrics } from './metrics.ts';

/**
 * What a project's serving container is doing, as the API shows it. `crashed`: the app keeps
 * exiting on its own (the engine restarts it with backoff, then gives up); it is not woken by
 * requests, which get a page saying so, until it is redeployed or runs again.
 */
export type RuntimeState = 'running' | 'paused' | 'sleeping' | 'waking' | 'crashed';

export interface ScalerSettings {
  /** Idle time after which a running container is paused (frozen, instant to wake). */
  readonly pauseAfterMs: number;
  /** How long a woken container may take to answer HTTP again. */
  readonly wakeTimeoutMs: number;
  /** Probe interval while waking: short, because someone is waiting. */
  readonly wakeProbeIntervalMs: number;
  /** GPU pools and their sizes, so waking GPU demos never oversubscribe one. */
  readonly gpuPools: readonly GpuPool[];
  /** When a pool is full: wait for a GPU, or stop the least recently used idle holder. */
  readonly gpuContention: GpuContention;
  /** Called when a container runs again, before any request is let through (the proxy drops its stale connections). */
  readonly onResumed?: (upstream: string) => void;
  /**
   * A proxy engine that carries warm traffic itself (HAProxy): a running demo is routed through it
   * once Portico (the activator) has served it, its activity counts for pause and stop, and its
   * route is drained before the demo is paused or stopped.
   */
  readonly dataPlane?: DataPlane;
  /** How long a drain waits for requests the engine carries to end before giving up the pause. */
  readonly drainTimeoutMs?: number;
}

/** The outcome of a wake, as the scaler reports it: it writes no HTTP. */
export interface WakeResult {
  readonly ready: boolean;
  readonly upstream: string | null;
  readonly durationMs: number;
  /** True when this call found the container asleep or paused and brought it back. */
  readonly woke: boolean;
  readonly error: string | null;
  /** Set when it was not woken because it crashed; `error` then ends with its last log lines. */
  readonly crashed?: boolean;
}

export interface RuntimeSnapshot {
  readonly state: RuntimeState | null;
  readonly lastRequestAt: string | null;
  readonly coldStarts: number;
  /** The crashed container's last lines of output; null (or absent) unless `state` is `crashed`. */
  readonly lastLog?: string | null;
}

/** One serving container as the scaler tracks it. Keyed by container id: a redeploy is a new entry. */
interface Tracked {
  readonly projectId: string;
  readonly deploymentId: string;
  readonly containerId: string;
  /** GPUs the container holds while running or paused, and their pool (from the deployment's placement). */
  readonly gpus: number;
  readonly pool: string | null;
  upstream: string;
  /** The port the app was found on inside the container, when known: its address after a restart uses it. */
  port: number | undefined;
  state: RuntimeState;
  /** Last output of a crashed container, read when the crash is noticed. */
  lastLog: string | null;
  /** Requests (and WebSockets) under way; a container with any is never paused or stopped. */
  inFlight: number;
  /** When the last request started or ended; idle time counts from here. */
  lastActiveAt: Date;
  /** The wake in progress, shared by every request that arrives meanwhile (single flight). */
  waking: Promise<WakeResult> | null;
  /** Pause/stop/wake run one at a time per container. */
  queue: Promise<unknown>;
  /** The data plane routes this container's endpoint straight to it. */
  routed: boolean;
  /** Being paused or stopped: requests go through a wake (queued after it) rather than straight in. */
  draining: boolean;
}

export interface Scaler extends GpuReserver {
  /** Makes the container serving this deployment answer: at once if running, else one shared wake. */
  ensureAwake(projectId: string, deploymentId: string, container: ContainerRef): Promise<WakeResult>;
  /**
   * A request for this container started: until `release` is called it is never paused or
   * stopped. Call before `ensureAwake`, so the reaper cannot slip in between. `upstream` is set
   * when the container is running with no wake under way: no need to wake it then.
   */
  begin(projectId: string, deploymentId: string, container: ContainerRef): Promise<{ readonly release: () => void; readonly upstream: string | null }>;
  /**
   * The synchronous fast path of `begin` + `ensureAwake`: for a container known to be running,
   * counts the request in and returns where to send it; otherwise undefined.
   */
  tryBegin(containerId: string): { readonly upstream: string; readonly release: () => void } | undefined;
  /**
   * Asks the engine again what this container is doing, e.g. after the proxy could not connect:
   * it may have crashed, or come back on a new port after the engine restarted.
   */
  recheck(containerId: string): Promise<void>;
  /** Folds what the data plane carried since last asked into activity and metrics (a no-op without one). */
  observe(): Promise<void>;
  /** Re-reads every container's state from the engine, pauses idle containers and stops those idle past their project's timeout. */
  reap(): Promise<{ readonly paused: string[]; readonly slept: string[] }>;
  pause(projectId: string): Promise<void>;
  sleep(projectId: string): Promise<void>;
  snapshot(projectId: string): RuntimeSnapshot;
  /** Every GPU demo's container and what it is doing, for the GPU page; only running, paused and waking ones hold their GPUs. Read-only. */
  gpuHolders(): Promise<GpuHolder[]>;
}

export interface GpuHolder {
  readonly projectId: string;
  readonly deploymentId: string;
  readonly pool: string | null;
  readonly gpus: number;
  /** `starting`: a new deployment's container, holding its GPUs before it serves. */
  readonly state: RuntimeState | 'starting';
}

/** How much of a crashed demo's output the API and its error page show. */
const CRASH_LOG_LINES = 20;
const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

export function createScaler(ports: { store: ProjectStore; runtime: ContainerRuntime; clock: Clock }, metrics: Metrics, settings: ScalerSettings): Scaler {
  const { store, runtime, clock } = ports;
  const tracked = new Map<string, Tracked>();
  const lastRequestAt = new Map<string, Date>();
  /** GPUs held by new deployments' containers that are starting, by deployment id. */
  const reservations = new Map<string, { readonly projectId: string; readonly pool: string; readonly gpus: number }>();
  /** Reservations are decided one at a time, so two deployments never count the same free GPU. */
  let reserving: Promise<unknown> = Promise.resolve();
  const dataPlane = settings.dataPlane;
  /** The data plane's counters per label as last read, to tell what is new. */
  const carried = new Map<string, RouteActivity>();

  /** Learns what the engine says about a container the first time it is needed. */
  async function track(projectId: string, deploymentId: string, container: ContainerRef): Promise<Tracked> {
    const known = tracked.get(container.id);
    if (known) return known;
    const status = await runtime.status(container.id);
    const placement = (await store.getDeployment(deploymentId))?.placement;
    const again = tracked.get(container.id); // another request may have tracked it meanwhile
    if (again) return again;
    const entry: Tracked = {
      projectId,
      deploymentId,
      containerId: container.id,
      gpus: placement?.gpus ?? 0,
      pool: placement?.pool ?? null,
      upstream: container.upstream,
      port: container.port,
      state: stateOf(status),
      lastLog: status === 'crashed' ? await runtime.logs(container.id, { tail: CRASH_LOG_LINES }).catch(messageOf) : null,
      inFlight: 0,
      lastActiveAt: clock.now(),
      waking: null,
      queue: Promise.resolve(),
      routed: false,
      draining: false,
    };
    for (const [id, other] of tracked) if (other.projectId === projectId) tracked.delete(id); // a replaced deployment's container (its route went with the switch)
    tracked.set(container.id, entry);
    return entry;
  }

  function serially<T>(entry: Tracked, operation: () => Promise<T>): Promise<T> {
    const next = entry.queue.then(operation, operation);
    entry.queue = next.catch(() => undefined);
    return next;
  }

  async function wake(entry: Tracked): Promise<WakeResult> {
    const started = performance.now(); // a duration, measured for real even when tests step the clock
    const from = entry.state;
    entry.state = 'waking';
    try {
      if (from === 'sleeping' && entry.gpus > 0 && entry.pool) await acquireGpus(entry, entry.pool);
      const resumed = await runtime.resume(entry.containerId, entry.port);
      settings.onResumed?.(resumed.upstream);
      // A paused process resumes where it was; a stopped one has to boot and listen again (where it listens may be found anew).
      const ref =
        from !== 'paused'
          ? (await runtime.waitUntilReady(resumed, { startupTimeoutMs: settings.wakeTimeoutMs, probeIntervalMs: settings.wakeProbeIntervalMs })).container
          : resumed;
      entry.port = ref.port ?? entry.port;
      if (ref.upstream !== entry.upstream) {
        entry.upstream = ref.upstream;
        await store.updateDeployment(entry.deploymentId, { container: ref });
      }
      entry.state = 'running';
      entry.lastActiveAt = clock.now();
      const durationMs = performance.now() - started;
      metrics.wake(entry.projectId, durationMs, from !== 'paused');
      return { ready: true, upstream: ref.upstream, durationMs, woke: true, error: null };
    } catch (error) {
      const status = await runtime.status(entry.containerId).catch(() => 'missing' as const);
      entry.state = stateOf(status);
      return { ready: false, upstream: null, durationMs: performance.now() - started, woke: false, error: messageOf(error) };
    }
  }

  /** Waits for (or, under `evict`, makes) room in the pool before a stopped GPU container starts. */
  async function acquireGpus(entry: Tracked, pool: string): Promise<void> {
    const capacity = settings.gpuPools.find((candidate) => candidate.name === pool)?.maxGpus ?? 0;
    const deadline = performance.now() + settings.wakeTimeoutMs;
    await trackAll(); // every holder, even never requested
    for (;;) {
      // A redeploy that took this demo's GPU over is serving now: this container is being retired.
      if (tracked.get(entry.containerId) !== entry) throw new PorticoError('start_failed', 'a newer deployment of this demo replaced the container while it waited for a GPU');
      const holders = [...tracked.values()]
        .filter((other) => other !== entry && other.gpus > 0 && other.state !== 'sleeping' && other.state !== 'crashed')
        .map((other): GpuHolderOfPool => ({ containerId: other.containerId, pool: other.pool ?? '', gpus: other.gpus, lastActiveAt: other.lastActiveAt.getTime(), busy: other.inFlight > 0 || other.waking !== null }))
        .concat(startingHolders());
      const decision = allocateGpus({ pool, gpus: entry.gpus }, holders, capacity, settings.gpuContention);
      if (decision.kind === 'fits') return;
      if (decision.kind === 'evict') {
        for (const id of decision.containerIds) {
          const victim = tracked.get(id);
          if (victim) await toSleep(victim, 'sleeping', () => true);
        }
        continue;
      }
      if (performance.now() > deadline) throw new PorticoError('start_failed', `no free GPU to wake on: ${decision.reason}`);
      await clock.sleep(settings.wakeProbeIntervalMs * 10);
    }
  }

  /** New deployments' containers holding GPUs while they start: never evicted. */
  function startingHolders(): PoolHolder[] {
    return [...reservations].map(([deploymentId, held]) => ({ containerId: `starting ${deploymentId}`, projectId: held.projectId, pool: held.pool, gpus: held.gpus, lastActiveAt: clock.now().getTime(), busy: true, state: 'starting' }));
  }

  /** Every container that holds GPUs now, as the new-container plan sees them. */
  function poolHolders(): PoolHolder[] {
    return [...tracked.values()]
      .filter((entry) => entry.gpus > 0 && entry.pool !== null && entry.state !== 'sleeping' && entry.state !== 'crashed')
      .map((entry): PoolHolder => ({
        containerId: entry.containerId,
        projectId: entry.projectId,
        pool: entry.pool ?? '',
        gpus: entry.gpus,
        lastActiveAt: entry.lastActiveAt.getTime(),
        busy: entry.inFlight > 0 || entry.waking !== null,
        state: entry.state,
      }))
      .concat(startingHolders());
  }

  async function reserve(request: Parameters<Scaler['reserveGpus']>[0], note: Parameters<Scaler['reserveGpus']>[1]) {
    const capacity = settings.gpuPools.find((candidate) => candidate.name === request.pool)?.maxGpus ?? 0;
    for (let attempt = 0; ; attempt++) {
      await trackAll(); // every holder, even never requested
      const plan = planNewContainer(request, poolHolders(), capacity, settings.gpuContention, clock.now().getTime());
      if (plan.kind === 'refuse') throw new PorticoError('placement_failed', plan.reason);
      if (plan.kind === 'make-room') {
        await note(`${plan.note}\n`);
        const own = (id: string) => tracked.get(id)?.projectId === request.projectId;
        const stopped = await Promise.all(
          plan.stop.map((id) => {
            const victim = tracked.get(id);
            // The own serving container is replaced anyway: it is stopped even mid-request. Others only when still idle.
            return victim ? toSleep(victim, 'sleeping', () => true, { evenIfBusy: own(id) }) : Promise.resolve(true);
          }),
        );
        // Plan again rather than take the room: a request may have arrived at a victim, or a wake
        // claimed what was freed. The GPUs are taken only by a plan that fits, with no wait in between.
        if (attempt < 3) continue;
        const busy = stopped.includes(false) ? 'kept serving requests' : 'were taken again while they stopped';
        throw new PorticoError('placement_failed', `No free GPU for the new container: the GPUs freed in pool ${request.pool} ${busy}; deploy again`);
      }
      reservations.set(request.deploymentId, { projectId: request.projectId, pool: request.pool, gpus: request.gpus });
      return { release: () => void reservations.delete(request.deploymentId) };
    }
  }

  async function toSleep(entry: Tracked, target: 'paused' | 'sleeping', stillWanted: () => boolean, options: { readonly evenIfBusy?: boolean } = {}): Promise<boolean> {
    return serially(entry, async () => {
      if (!stillWanted() || (!options.evenIfBusy && (entry.inFlight > 0 || entry.waking))) return false;
      entry.draining = true;
      try {
        // New requests reach Portico from here on (and wait for the wake queued behind this);
        // those the engine already carries end first. Still busy: no pause this time.
        if (dataPlane && (entry.routed || entry.state === 'running')) {
          entry.routed = false;
          const drained = await dataPlane.drain(entry.projectId, settings.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
          if (!drained && !options.evenIfBusy) return false;
        }
        if (entry.inFlight > 0 && !options.evenIfBusy) return false; // arrived through Portico while draining
        if (target === 'paused') await runtime.pause(entry.containerId);
        else await runtime.stop(entry.containerId);
        entry.state = target;
        return true;
      } finally {
        entry.draining = false;
      }
    });
  }

  /**
   * Brings the entry in line with the engine: one inspect for a demo that is not running (most,
   * when idle), a second for the address of one that is; a changed address (the engine restarted
   * it) is stored so every route follows.
   */
  async function refresh(entry: Tracked): Promise<void> {
    if (entry.waking) return;
    await serially(entry, async () => {
      if (entry.waking) return;
      const status = await runtime.status(entry.containerId);
      if (status === 'running') {
        const found = await runtime.locate(entry.containerId, entry.port);
        if (!found) return; // running without an address yet: keep what is known
        entry.state = 'running';
        entry.lastLog = null;
        if (found.upstream !== entry.upstream) {
          entry.upstream = found.upstream;
          await store.updateDeployment(entry.deploymentId, { container: found });
          if (entry.routed) {
            entry.routed = false;
            publish(entry);
          }
        }
        return;
      }
      if (status === 'crashed' && entry.state !== 'crashed') entry.lastLog = await runtime.logs(entry.containerId, { tail: CRASH_LOG_LINES }).catch(messageOf);
      entry.state = stateOf(status);
      if (dataPlane && entry.routed) {
        // Not running behind Portico's back: its address may go to another container; the wake routes it anew.
        entry.routed = false;
        await dataPlane.unroute(entry.projectId);
      }
    });
  }

  function crashedResult(entry: Tracked): WakeResult {
    const error = `the demo crashed: it kept exiting with an error and was restarted with backoff until the engine gave up. Redeploy it once fixed. Its last output:\n${entry.lastLog ?? '(none)'}`;
    return { ready: false, upstream: null, durationMs: 0, woke: false, error, crashed: true };
  }

  function isAwake(entry: Tracked): boolean {
    return entry.state === 'running' && !entry.waking && !entry.draining;
  }

  /** Routes an awake demo through the data plane, once: later requests skip Portico. */
  function publish(entry: Tracked): void {
    if (!dataPlane || entry.routed || !isAwake(entry)) return;
    entry.routed = true;
    dataPlane.route(entry.projectId, entry.upstream).catch((error: unknown) => {
      entry.routed = false;
      console.error(`could not route ${entry.projectId} through the data plane: ${messageOf(error)}`);
    });
  }

  /** New traffic the data plane carried counts as activity, and into the project's metrics; one reading at a time. */
  let observing: Promise<void> | null = null;
  function observe(): Promise<void> {
    observing ??= readActivity().finally(() => {
      observing = null;
    });
    return observing;
  }

  async function readActivity(): Promise<void> {
    if (!dataPlane) return;
    const activity = await dataPlane.activity();
    const now = clock.now();
    for (const [label, seen] of activity) {
      const before = carried.get(label) ?? { inFlight: 0, requests: 0, errors: 0, bytesIn: 0, bytesOut: 0 };
      carried.set(label, seen);
      const restarted = seen.requests < before.requests; // the engine restarted or the entry expired: counting from zero
      const base = restarted ? { inFlight: 0, requests: 0, errors: 0, bytesIn: 0, bytesOut: 0 } : before;
      const requests = seen.requests - base.requests;
      if (requests > 0) metrics.carried(label, { requests, errors: seen.errors - base.errors, bytesIn: seen.bytesIn - base.bytesIn, bytesOut: seen.bytesOut - base.bytesOut });
      if (requests === 0 && seen.inFlight === 0) continue;
      lastRequestAt.set(label, now);
      for (const entry of tracked.values()) if (entry.projectId === label) entry.lastActiveAt = now;
    }
  }

  /** Counts a request in; the returned function counts it out (once). */
  function count(entry: Tracked): () => void {
    const now = clock.now();
    entry.inFlight += 1;
    entry.lastActiveAt = now;
    lastRequestAt.set(entry.projectId, now);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      entry.inFlight -= 1;
      entry.lastActiveAt = clock.now();
    };
  }

  async function currentEntry(projectId: string): Promise<Tracked | null> {
    const project = await store.getProject(projectId);
    const deployment = project?.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
    if (!deployment?.container) return null;
    return track(projectId, deployment.id, deployment.container);
  }

  /** Tracks every project's serving container, so views over all of them (GPU holders) see the ones never requested too. */
  async function trackAll(): Promise<void> {
    for (const project of await store.listProjects()) await currentEntry(project.id).catch(() => null);
  }

  return {
    async ensureAwake(projectId, deploymentId, container) {
      const entry = await track(projectId, deploymentId, container);
      if (entry.state === 'crashed') {
        // It may have come back (the engine's own restart): look again rather than restart a crash loop.
        await refresh(entry);
        if (entry.state === 'crashed') return crashedResult(entry);
      }
      if (isAwake(entry)) {
        publish(entry);
        return { ready: true, upstream: entry.upstream, durationMs: 0, woke: false, error: null };
      }
      entry.waking ??= serially(entry, () => (entry.state === 'running' ? Promise.resolve({ ready: true, upstream: entry.upstream, durationMs: 0, woke: false, error: null }) : wake(entry))).finally(() => {
        entry.waking = null;
        publish(entry);
      });
      return entry.waking;
    },

    tryBegin(containerId) {
      const entry = tracked.get(containerId);
      if (!entry || !isAwake(entry)) return undefined;
      if (!entry.routed) publish(entry);
      return { upstream: entry.upstream, release: count(entry) };
    },

    async begin(projectId, deploymentId, container) {
      const entry = await track(projectId, deploymentId, container);
      const awake = isAwake(entry);
      if (awake) publish(entry);
      return { release: count(entry), upstream: awake ? entry.upstream : null };
    },

    observe,

    async recheck(containerId) {
      const entry = tracked.get(containerId);
      if (entry) await refresh(entry);
    },

    async reap() {
      const paused: string[] = [];
      const slept: string[] = [];
      await observe().catch((error: unknown) => console.error(`could not read the data plane's activity: ${messageOf(error)}`));
      for (const project of await store.listProjects()) {
        const entry = await currentEntry(project.id).catch(() => null);
        if (entry) await refresh(entry).catch((error: unknown) => console.error(`could not check ${project.id}: ${messageOf(error)}`));
        if (!entry || entry.inFlight > 0 || entry.waking || entry.state === 'crashed') continue;
        const idleFor = () => clock.now().getTime() - entry.lastActiveAt.getTime();
        const idleTimeoutMs = project.idleTimeoutSeconds * 1000;
        try {
          if (entry.state !== 'sleeping' && idleFor() >= idleTimeoutMs) {
            if (await toSleep(entry, 'sleeping', () => idleFor() >= idleTimeoutMs)) slept.push(project.id);
          } else if (entry.state === 'running' && idleFor() >= settings.pauseAfterMs) {
            if (await toSleep(entry, 'paused', () => entry.state === 'running' && idleFor() >= settings.pauseAfterMs)) paused.push(project.id);
          }
        } catch (error) {
          console.error(`could not scale down ${project.id}: ${messageOf(error)}`);
        }
      }
      return { paused, slept };
    },

    async pause(projectId) {
      const entry = await currentEntry(projectId);
      if (entry && entry.state === 'running') await toSleep(entry, 'paused', () => true);
    },

    async sleep(projectId) {
      const entry = await currentEntry(projectId);
      if (entry && entry.state !== 'sleeping') await toSleep(entry, 'sleeping', () => true);
    },

    async gpuHolders() {
      await trackAll(); // even those never requested since start
      const starting = [...reservations].map(([deploymentId, { projectId, pool, gpus }]) => ({ projectId, deploymentId, pool, gpus, state: 'starting' as const }));
      return [...tracked.values()]
        .filter((entry) => entry.gpus > 0)
        .map(({ projectId, deploymentId, pool, gpus, state }): GpuHolder => ({ projectId, deploymentId, pool, gpus, state }))
        .concat(starting);
    },

    reserveGpus(request, note) {
      const next = reserving.then(() => reserve(request, note));
      reserving = next.catch(() => undefined);
      return next;
    },

    snapshot(projectId) {
      const entry = [...tracked.values()].find((candidate) => candidate.projectId === projectId);
      return {
        state: entry?.state ?? null,
        lastRequestAt: lastRequestAt.get(projectId)?.toISOString() ?? null,
        coldStarts: metrics.snapshot(projectId).coldStarts,
        lastLog: entry?.state === 'crashed' ? entry.lastLog : null,
      };
    },
  };
}

function stateOf(status: ContainerStatus): RuntimeState {
  if (status === 'running' || status === 'paused' || status === 'crashed') return status;
  return 'sleeping'; // stopped, or missing (a wake then says it is gone)
}
