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
