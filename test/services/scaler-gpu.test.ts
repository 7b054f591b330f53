import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../gateway/adapters/local/sqlite-store.ts';
import type { GpuContention } from '../../gateway/domain/gpu-allocation.ts';
import type { ContainerRef } from '../../gateway/domain/types.ts';
import { systemClock } from '../../gateway/ports/clock.ts';
import type { ContainerRuntime, ContainerStatus } from '../../gateway/ports/container-runtime.ts';
import { createMetrics } from '../../gateway/services/metrics.ts';
import { createScaler } from '../../gateway/services/scaler.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';

/**
 * GPU containers cannot run on this machine (no GPU), so the runtime here is an in-memory
 * stand-in that records what the scaler asks of it. The store is real SQLite.
 */
function fakeGpuRuntime(initial: Record<string, ContainerStatus>) {
  const status = new Map(Object.entries(initial));
  const calls: string[] = [];
  const ref = (id: string): ContainerRef => ({ id, upstream: `http://127.0.0.1:1/${id}` });
  const runtime: ContainerRuntime = {
    ping: async () => undefined,
    start: async () => {
      throw new Error('not used');
    },
    waitUntilReady: async (container) => ({ container, port: 1 }),
    locate: async (id) => (status.get(id) === 'running' ? ref(id) : null),
    pause: async (id) => void (calls.push(`pause ${id}`), status.set(id, 'paused')),
    stop: async (id) => void (calls.push(`stop ${id}`), status.set(id, 'stopped')),
    resume: async (id) => (calls.push(`resume ${id}`), status.set(id, 'running'), ref(id)),
    status: async (id) => status.get(id) ?? 'missing',
    logs: async () => '',
    remove: async (id) => void status.delete(id),
    removeProjectContainers: async () => undefined,
  };
  return { runtime, calls };
}

const T4 = { name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '550.54.14', maxGpus: 1, instanceTypes: [] };

async function setUp(contention: GpuContention, wakeTimeoutMs = 5_000) {
  const store = createSqliteStore(':memory:');
  const { runtime, calls } = fakeGpuRuntime({ 'c-a': 'running', 'c-b': 'stopped' });
  for (const name of ['a', 'b']) {
    const project = makeProject({ id: name, source: { kind: 'github', owner: 'acme', repo: name }, currentDeploymentId: `d-${name}` });
    const deployment = makeDeployment({
      id: `d-${name}`,
      projectId: name,
      status: 'ready',
      container: { id: `c-${name}`, upstream: `http://127.0.0.1:1/c-${name}` },
      placement: { gpus: 1, cudaVersion: '12.4', pool: 't4', reason: 'fits' },
    });
    await store.createProject(project);
    await store.createDeployment(deployment);
  }
  const scaler = createScaler({ store, runtime, clock: systemClock }, createMetrics(), { pauseAfterMs: 60_000, wakeTimeoutMs, wakeProbeIntervalMs: 5, gpuPools: [T4], gpuContention: contention });
  const wakeB = async () => {
    const { release } = await scaler.begin('b', 'd-b', { id: 'c-b', upstream: 'x' });
    const result = await scaler.ensureAwake('b', 'd-b', { id: 'c-b', upstream: 'x' });
    release();
    return result;
  };
  return { scaler, calls, wakeB };
}

describe('waking a GPU demo into a full pool', () => {
  it('stops the least recently used idle GPU demo first under evict', async () => {
    const { calls, wakeB } = await setUp('evict');
    expect(await wakeB()).toMatchObject({ ready: true });
    expect(calls).toEqual(['stop c-a', 'resume c-b']);
  });

  it('waits for the holder to sleep under queue, then wakes', async () => {
    const { scaler, calls, wakeB } = await setUp('queue');
    const waking = wakeB();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toEqual([]);
    await scaler.sleep('a');
    expect(await waking).toMatchObject({ ready: true });
    expect(calls).toEqual(['stop c-a', 'resume c-b']);
  });

  it('never evicts a demo that is serving a request, and says why it cannot wake', async () => {
    const { scaler, calls, wakeB } = await setUp('evict', 300);
    const { release: releaseA } = await scaler.begin('a', 'd-a', { id: 'c-a', upstream: 'x' });
    const result = await wakeB();
    releaseA();
    expect(result).toMatchObject({ ready: false, error: expect.stringContaining('no free GPU to wake on: pool t4 has 0 of 1 GPU(s) free') });
    expect(calls).toEqual([]);
  });
});
