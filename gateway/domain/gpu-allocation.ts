/** A container that holds GPUs of a pool while it runs or is paused (a stopped one holds none). */
export interface GpuHolder {
  readonly containerId: string;
  readonly pool: string;
  readonly gpus: number;
  /** When it last served a request, for least-recently-used eviction. */
  readonly lastActiveAt: number;
  /** A request or wake is under way: never evicted. */
  readonly busy: boolean;
}

export type GpuContention = 'queue' | 'evict';

export type GpuDecision =
  | { readonly kind: 'fits' }
  /** Stop these idle holders (least recently used first), then it fits. */
  | { readonly kind: 'evict'; readonly containerIds: readonly string[] }
  /** Not enough GPUs free (or evictable): wait for a holder to go to sleep. */
  | { readonly kind: 'wait'; readonly reason: string };

/**
 * Whether `gpus` more GPUs of `pool` can be used now, so concurrent GPU projects never
 * oversubscribe a pool. Pure: the scaler acts on the decision.
 */
export function allocateGpus(
  request: { readonly pool: string; readonly gpus: number },
  holders: readonly GpuHolder[],
  capacity: number,
  contention: GpuContention,
): GpuDecision {
  const inPool = holders.filter((holder) => holder.pool === request.pool);
  const used = inPool.reduce((sum, holder) => sum + holder.gpus, 0);
  let free = capacity - used;
  if (free >= request.gpus) return { kind: 'fits' };
  const holdersText = inPool.map((h) => `${h.containerId.slice(0, 12)} (${h.gpus}${h.busy ? ', busy' : ''})`).join(', ');
  const waitReason = `pool ${request.pool} has ${Math.max(free, 0)} of ${capacity} GPU(s) free and needs ${request.gpus}; held by ${holdersText || 'nobody'}`;
  if (contention === 'queue') return { kind: 'wait', reason: waitReason };

  const evict: string[] = [];
  for (const holder of [...inPool].filter((h) => !h.busy).sort((a, b) => a.lastActiveAt - b.lastActiveAt)) {
    if (free >= request.gpus) break;
    evict.push(holder.containerId);
    free += holder.gpus;
  }
  return free >= request.gpus ? { kind: 'evict', containerIds: evict } : { kind: 'wait', reason: waitReason };
}

/** A container holding GPUs when a new deployment's container is about to start. */
export interface PoolHolder extends GpuHolder {
  readonly projectId: string;
  /** What it is doing (running, paused, waking, starting), for messages. */
  readonly state: string;
}

export type NewContainerPlan =
  | { readonly kind: 'fits' }
  /**
   * Stop these containers first, then it fits. `handOver`: one of them is the project's own
   * serving container, whose GPUs the new one takes (the demo is down until the new one answers).
   */
  | { readonly kind: 'make-room'; readonly stop: readonly string[]; readonly handOver: boolean; readonly note: string }
  | { readonly kind: 'refuse'; readonly reason: string };

/**
 * Whether a new deployment's container may take `gpus` GPUs of `pool` now, so that a deploy
 * never oversubscribes a pool. In order:
 * 1. enough GPUs are free: it starts beside the serving container (no downtime);
 * 2. otherwise the project's own serving container hands its GPUs over: a redeploy on a
 *    one-GPU host must work, and it disturbs no other project (it is stopped, not removed, so a
 *    failed deployment leaves it to wake on the next request);
 * 3. otherwise, under `evict`, other projects' least recently used idle demos are stopped (they
 *    wake on their next request), and the own container too if still needed;
 * 4. otherwise (`queue`, or every holder busy) it is refused, naming who holds the pool and
 *    the setting that changes it. A deployment does not wait: holders sleep only after their
 *    idle timeout, far longer than anyone watches a deploy.
 */
export function planNewContainer(
  request: { readonly projectId: string; readonly pool: string; readonly gpus: number },
  holders: readonly PoolHolder[],
  capacity: number,
  contention: GpuContention,
  now: number,
): NewContainerPlan {
  const inPool = holders.filter((holder) => holder.pool === request.pool);
  const free = capacity - inPool.reduce((sum, holder) => sum + holder.gpus, 0);
  if (free >= request.gpus) return { kind: 'fits' };

  const own = inPool.filter((holder) => holder.projectId === request.projectId);
  const ownGpus = own.reduce((sum, holder) => sum + holder.gpus, 0);
  const handOverNote = `pool ${request.pool} has no room for the old and the new container at once: the serving container hands its GPU over and the demo is down until the new one answers`;
  if (own.length > 0 && free + ownGpus >= request.gpus) return { kind: 'make-room', stop: own.map((h) => h.containerId), handOver: true, note: handOverNote };

  const others = inPool.filter((holder) => holder.projectId !== request.projectId);
  if (contention === 'evict') {
    let room = free;
    const evicted: PoolHolder[] = [];
    for (const holder of others.filter((h) => !h.busy).sort((a, b) => a.lastActiveAt - b.lastActiveAt)) {
      if (room >= request.gpus || room + ownGpus >= request.gpus) break;
      evicted.push(holder);
      room += holder.gpus;
    }
    const names = evicted.map((h) => `${h.projectId} (idle ${idleFor(now - h.lastActiveAt)})`).join(', ');
    if (room >= request.gpus) return { kind: 'make-room', stop: evicted.map((h) => h.containerId), handOver: false, note: `stopping the least recently used idle GPU demo(s) of pool ${request.pool} to make room (PORTICO_GPU_CONTENTION=evict): ${names}; they wake on their next request` };
    if (room + ownGpus >= request.gpus) {
      return { kind: 'make-room', stop: [...evicted, ...own].map((h) => h.containerId), handOver: true, note: `${handOverNote}; also stopping idle GPU demo(s) (PORTICO_GPU_CONTENTION=evict): ${names}` };
    }
  }

  const activity = (h: PoolHolder) => (h.state === 'starting' ? '' : h.busy ? ', serving requests' : `, idle ${idleFor(now - h.lastActiveAt)}`);
  const held = inPool.map((h) => `${h.projectId === request.projectId ? 'this project' : `project ${h.projectId}`} (${h.gpus} GPU${h.gpus === 1 ? '' : 's'}, ${h.state}${activity(h)})`);
  const situation = `pool ${request.pool} has ${Math.max(free, 0)} of ${capacity} GPU${capacity === 1 ? '' : 's'} free and this deployment needs ${request.gpus}; held by ${held.join(', ') || 'nobody'}`;
  const advice =
    contention === 'queue'
      ? 'Set PORTICO_GPU_CONTENTION=evict to let a deployment stop the least recently used idle GPU demo, or deploy again once a holder has gone to sleep after its idle timeout'
      : request.gpus > capacity
        ? `The pool has only ${capacity}; ask for fewer GPUs`
        : 'The holders are serving requests or starting right now, and those are never stopped; deploy again once one is idle';
  return { kind: 'refuse', reason: `No free GPU for the new container: ${situation}. ${advice}.` };
}

/** `42 s`, `3 min`, `2 h`. */
function idleFor(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
