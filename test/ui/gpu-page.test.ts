import { afterEach, describe, expect, it } from 'vitest';
import type { GpuPool } from '../../gateway/domain/gpu-pools.ts';
import { systemClock } from '../../gateway/ports/clock.ts';
import type { ProjectStore } from '../../gateway/ports/project-store.ts';
import { createMetrics } from '../../gateway/services/metrics.ts';
import { type Scaler, createScaler } from '../../gateway/services/scaler.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { memoryRuntime } from '../support/memory-runtime.ts';
import { dashboardApp, get } from './dashboard-app.ts';

/**
 * There is no GPU on this machine, so the scaler behind the page runs over the in-memory runtime
 * stand-in (test/support/memory-runtime.ts); the store is real SQLite and the page is the real app.
 */
const T4: GpuPool = { name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '550.54.14', maxGpus: 1, instanceTypes: [] };
const A100: GpuPool = { name: 'a100', gpuModel: 'NVIDIA A100-SXM4-40GB', computeCapability: '8.0', driverVersion: '550.54.14', maxGpus: 4, instanceTypes: [] };

async function seed(store: ProjectStore, name: string, gpus: number, pool: string | null): Promise<void> {
  await store.createProject(makeProject({ id: name, source: { kind: 'github', owner: 'acme', repo: name }, currentDeploymentId: `d-${name}` }));
  await store.createDeployment(
    makeDeployment({ id: `d-${name}`, projectId: name, status: 'ready', container: { id: `c-${name}`, upstream: 'http://127.0.0.1:1' }, placement: { gpus, cudaVersion: gpus > 0 ? '12.4' : null, pool, reason: 'fits' } }),
  );
}

describe('the GPU page', () => {
  let close = async () => {};
  afterEach(() => close());

  async function setUp(pools: readonly GpuPool[]) {
    const runtime = memoryRuntime();
    let scaler!: Scaler;
    const made = await dashboardApp({}, (store) => {
      scaler = createScaler({ store, runtime, clock: systemClock }, createMetrics(), { pauseAfterMs: 60_000, wakeTimeoutMs: 1_000, wakeProbeIntervalMs: 5, gpuPools: pools, gpuContention: 'queue' });
      return { gpus: { pools, holders: () => scaler.gpuHolders() } };
    });
    close = made.close;
    return { ...made, runtime, scaler };
  }

  it('shows each pool with its capacity and which project holds its GPUs, counting only running, paused and waking demos', async () => {
    const { app, store, runtime } = await setUp([T4, A100]);
    await seed(store, 'gpt2', 1, 't4');
    await seed(store, 'sdxl', 1, 't4');
    await seed(store, 'old', 2, 'v100'); // placed on a pool the gateway no longer has
    await seed(store, 'cpu-only', 0, null);
    runtime.containers.set('c-gpt2', 'running');
    runtime.containers.set('c-sdxl', 'stopped');
    runtime.containers.set('c-old', 'paused');
    runtime.containers.set('c-cpu-only', 'running');

    const response = await get(app, '/gpus');
    expect(response.status).toBe(200);
    const html = await response.text();
    const section = (pool: string) => html.slice(html.indexOf(`data-pool="${pool}"`)).split('</section>')[0]!;

    expect(section('t4')).toContain('Tesla T4');
    expect(section('t4')).toContain('<p class="gpu-use">1 of 1 GPU(s) in use</p>');
    expect(section('t4')).toMatch(/<tr data-project="gpt2">.*<td class="state">running: holds 1<\/td>/);
    expect(section('t4')).toMatch(/<tr data-project="sdxl">.*<td class="state">sleeping: holds none<\/td>/);
    expect(section('t4').indexOf('gpt2')).toBeLessThan(section('t4').indexOf('sdxl')); // holders first
    expect(section('a100')).toContain('<p class="gpu-use">0 of 4 GPU(s) in use</p>');
    expect(section('a100')).toContain('No demo is placed here.');
    expect(section('')).toMatch(/<tr data-project="old">.*<td>2<\/td><td class="state">paused: holds 2<\/td>/);
    expect(html).not.toContain('cpu-only');
  });

  it('follows the runtime: a demo that went to sleep no longer holds its GPU', async () => {
    const { app, store, runtime, scaler } = await setUp([T4]);
    await seed(store, 'gpt2', 1, 't4');
    runtime.containers.set('c-gpt2', 'running');
    expect(await (await get(app, '/gpus')).text()).toContain('1 of 1 GPU(s) in use');

    await scaler.sleep('gpt2');
    const html = await (await get(app, '/gpus')).text();
    expect(html).toContain('0 of 1 GPU(s) in use');
    expect(html).toContain('<td class="state">sleeping: holds none</td>');
  });

  it('says when no GPU pool is configured or detected', async () => {
    const { app } = await setUp([]);
    const html = await (await get(app, '/gpus')).text();
    expect(html).toContain('id="no-gpu-pools"');
    expect(html).toContain('PORTICO_GPU_POOLS');
  });

  it('is linked from every page’s navigation', async () => {
    const { app } = await setUp([T4]);
    expect(await (await get(app, '/')).text()).toContain('<a href="/gpus">GPUs</a>');
  });
});
