import type { GpuPool } from '../domain/gpu-pools.ts';
import type { GpuHolder } from '../services/scaler.ts';
import { Layout } from './layout.tsx';

/** A container holds its GPUs while it runs, is paused (memory kept) or is starting; asleep or crashed, it holds none. */
const HOLDING: ReadonlySet<GpuHolder['state']> = new Set(['running', 'paused', 'waking', 'starting']);

export interface PoolView {
  readonly pool: GpuPool;
  readonly inUse: number;
  /** Every GPU demo placed on this pool, holding or not, busiest first. */
  readonly demos: readonly GpuHolder[];
}

/** Groups GPU demos by configured pool; those placed on a pool no longer configured are returned apart. Pure. */
export function poolViews(pools: readonly GpuPool[], holders: readonly GpuHolder[]): { readonly pools: PoolView[]; readonly unknownPool: GpuHolder[] } {
  const names = new Set(pools.map((pool) => pool.name));
  const byHolding = (a: GpuHolder, b: GpuHolder) => Number(HOLDING.has(b.state)) - Number(HOLDING.has(a.state)) || a.projectId.localeCompare(b.projectId);
  return {
    pools: pools.map((pool) => {
      const demos = holders.filter((holder) => holder.pool === pool.name).sort(byHolding);
      return { pool, inUse: demos.filter((demo) => HOLDING.has(demo.state)).reduce((sum, demo) => sum + demo.gpus, 0), demos };
    }),
    unknownPool: holders.filter((holder) => holder.pool === null || !names.has(holder.pool)).sort(byHolding),
  };
}

/** `/gpus`: each pool's capacity and which project holds which of its GPUs. */
export function GpuPage({ pools, holders }: { readonly pools: readonly GpuPool[]; readonly holders: readonly GpuHolder[] }) {
  const view = poolViews(pools, holders);
  return (
    <Layout title="GPUs">
      <h1>GPUs</h1>
      {pools.length === 0 && (
        <p class="muted" id="no-gpu-pools">
          No GPU pool is configured and none was detected on this host (nvidia-smi): CUDA demos run only with gpu "prefer" or "off". Configure pools with PORTICO_GPU_POOLS.
        </p>
      )}
      {view.pools.map(({ pool, inUse, demos }) => (
        <section class="card" data-pool={pool.name}>
          <h2>
            {`${pool.name} `}
            <span class="muted">{`${pool.gpuModel} · compute ${pool.computeCapability} · driver ${pool.driverVersion}`}</span>
          </h2>
          <p class="gpu-use">{`${inUse} of ${pool.maxGpus} GPU(s) in use`}</p>
          <HolderTable demos={demos} />
        </section>
      ))}
      {view.unknownPool.length > 0 && (
        <section class="card" data-pool="">
          <h2>Not in a configured pool</h2>
          <p class="muted">Placed on a pool this gateway no longer has: redeploy them to place them again.</p>
          <HolderTable demos={view.unknownPool} />
        </section>
      )}
    </Layout>
  );
}

function HolderTable({ demos }: { readonly demos: readonly GpuHolder[] }) {
  if (demos.length === 0) return <p class="muted">No demo is placed here.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>project</th>
          <th>GPUs</th>
          <th>state</th>
        </tr>
      </thead>
      <tbody>
        {demos.map((demo) => (
          <tr data-project={demo.projectId}>
            <td>
              <a href={`/projects/${encodeURIComponent(demo.projectId)}`}>{demo.projectId}</a>
            </td>
            <td>{String(demo.gpus)}</td>
            <td class="state">{HOLDING.has(demo.state) ? `${demo.state}: holds ${demo.gpus}` : `${demo.state}: holds none`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
