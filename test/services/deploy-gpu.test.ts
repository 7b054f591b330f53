import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDirSource } from '../../gateway/adapters/local/dir-source.ts';
import { createSqliteStore } from '../../gateway/adapters/local/sqlite-store.ts';
import type { GpuContention } from '../../gateway/domain/gpu-allocation.ts';
import type { Deployment, Project } from '../../gateway/domain/types.ts';
import { systemClock } from '../../gateway/ports/clock.ts';
import type { ImageBuilder, ImageFacts } from '../../gateway/ports/image-builder.ts';
import { createDeployPipeline } from '../../gateway/services/deploy-pipeline.ts';
import { createMetrics } from '../../gateway/services/metrics.ts';
import { createScaler } from '../../gateway/services/scaler.ts';
import { makeProject } from '../support/fixtures.ts';
import { NVIDIA_CUDA_12_1_RUNTIME, PYTHON_SLIM } from '../support/image-env.ts';
import { memoryRuntime } from '../support/memory-runtime.ts';

/**
 * The deploy pipeline and the scaler together, with what cannot run here replaced: GPU
 * containers run in the in-memory runtime, and the "built" image reports the configuration of
 * a real image (nvidia/cuda 12.1 runtime) although its Dockerfile names a CPU-looking base.
 * Store and source are real (SQLite, a directory).
 */
const T4 = { name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '550.54.14', maxGpus: 1, instanceTypes: [] };

/** Builds nothing: reports the image configuration each project's image would have. */
function reportingBuilder(factsOf: (tag: string) => Readonly<Record<string, string>>): ImageBuilder {
  return {
    async build(request, onLog) {
      onLog('Step 1/1 : FROM acme/ml-base:latest\n');
      const facts: ImageFacts = { env: factsOf(request.tag), exposedPorts: [8000], entrypoint: [], cmd: [], labels: {} };
      return { imageId: `sha256:${request.tag}`, tag: request.tag, facts };
    },
    removeProjectImages: async () => undefined,
    pruneProjectImages: async () => ({ removed: [] }),
  };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setUp(contention: GpuContention, cpuProjects: readonly string[] = []) {
  const work = await mkdtemp(join(tmpdir(), 'portico-deploy-gpu-'));
  dirs.push(work);
  const store = createSqliteStore(':memory:');
  const runtime = memoryRuntime();
  const ports = { store, runtime, clock: systemClock, source: createDirSource({ maxSourceBytes: 1_000_000 }), builder: reportingBuilder((tag) => (cpuProjects.some((id) => tag.startsWith(`portico/${id}:`)) ? PYTHON_SLIM : NVIDIA_CUDA_12_1_RUNTIME)) };
  const scaler = createScaler(ports, createMetrics(), { pauseAfterMs: 60_000, wakeTimeoutMs: 2_000, wakeProbeIntervalMs: 5, gpuPools: [T4], gpuContention: contention });
  const pipeline = createDeployPipeline(ports, {
    workDir: join(work, 'work'),
    startupTimeoutMs: 2_000,
    containerMemoryBytes: 256 * 1024 * 1024,
    containerNanoCpus: 1e9,
    gpuPools: [T4],
    gpuReserver: scaler,
  });

  async function project(id: string): Promise<Project> {
    const dir = join(work, id);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeFile(join(dir, 'Dockerfile'), 'FROM acme/ml-base:latest\nEXPOSE 8000\n');
    const created = makeProject({ id, source: { kind: 'dir', path: dir, owner: 'acme', repo: id } });
    await store.createProject(created);
    return created;
  }

  /** Queues a deployment (the run starts at once, and reaches its container after real I/O). */
  async function enqueue(id: string): Promise<Deployment> {
    return pipeline.enqueue((await store.getProject(id)) ?? (await project(id)));
  }
  /** Deploys and waits for the outcome. */
  async function deploy(id: string, beforeStart: (queued: Deployment) => void = () => undefined): Promise<Deployment> {
    const queued = await enqueue(id);
    beforeStart(queued);
    await pipeline.idle();
    return (await store.getDeployment(queued.id))!;
  }
  const log = async (deployment: Deployment) => (await store.readLog(deployment.id)).text;
  return { store, runtime, scaler, pipeline, enqueue, deploy, log };
}

describe('deploying onto a GPU pool', () => {
  it('places a CPU-named image on the GPU pool from its configuration, and logs why', async () => {
    const { deploy, runtime, log } = await setUp('queue');
    const deployment = await deploy('a');
    expect(deployment).toMatchObject({ status: 'ready', placement: { gpus: 1, pool: 't4', cudaVersion: '12.1' } });
    expect(runtime.started.map((request) => ({ gpus: request.gpus, pool: request.pool }))).toEqual([{ gpus: 1, pool: 't4' }]);
    const text = await log(deployment);
    expect(text).toContain('placement: CPU (CPU image)');
    expect(text).toMatch(/image configuration: CUDA_VERSION=12\.1\.0 → 1 GPU in pool t4 \(pool t4 \(Tesla T4.*corrected from the Dockerfile's guess of CPU/);
  });

  it("refuses a second project's container under queue, before it starts, naming the holder and the setting", async () => {
    const { deploy, runtime } = await setUp('queue');
    await deploy('a');
    const refused = await deploy('b');
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatch(/^No free GPU for the new container: pool t4 has 0 of 1 GPU free and this deployment needs 1; held by project a \(1 GPU, running, idle \d+ s\)\. Set PORTICO_GPU_CONTENTION=evict/);
    expect(refused.phases.map((phase) => phase.name)).not.toContain('starting');
    expect(runtime.started.map((request) => request.projectId)).toEqual(['a']);
  });

  it('stops the least recently used idle GPU demo of another project under evict, then starts', async () => {
    const { deploy, runtime, log } = await setUp('evict');
    const first = await deploy('a');
    const second = await deploy('b');
    expect(second.status).toBe('ready');
    expect(runtime.calls).toEqual([`start c-${first.id}`, `stop c-${first.id}`, `start c-${second.id}`]);
    expect(await log(second)).toContain('stopping the least recently used idle GPU demo(s) of pool t4 to make room (PORTICO_GPU_CONTENTION=evict): a (idle');
  });

  it('never stops a demo that is serving a request, and fails saying so', async () => {
    const { deploy, scaler, runtime } = await setUp('evict');
    const first = await deploy('a');
    const { release } = await scaler.begin('a', first.id, first.container!);
    const refused = await deploy('b');
    release();
    expect(refused).toMatchObject({ status: 'failed', error: expect.stringContaining('project a (1 GPU, running, serving requests)') });
    expect(runtime.calls).toEqual([`start c-${first.id}`]);
  });

  it("redeploys on a full one-GPU pool: the serving container hands its GPU over, then is removed", async () => {
    const { deploy, runtime, log, store } = await setUp('queue');
    const first = await deploy('a');
    const second = await deploy('a');
    expect(second.status).toBe('ready');
    expect(runtime.calls).toEqual([`start c-${first.id}`, `stop c-${first.id}`, `start c-${second.id}`, `remove c-${first.id}`]);
    expect(await log(second)).toContain('the serving container hands its GPU over');
    expect((await store.getProject('a'))?.currentDeploymentId).toBe(second.id);
  });

  it('keeps the old deployment serving when the new one fails after the hand-over: it wakes on the next request', async () => {
    const { deploy, runtime, store, scaler } = await setUp('queue');
    const first = await deploy('a');
    const failed = await deploy('a', (queued) => runtime.neverReady.add(`c-${queued.id}`));
    expect(failed.status).toBe('failed');
    expect((await store.getProject('a'))?.currentDeploymentId).toBe(first.id);
    expect(runtime.containers.get(`c-${first.id}`)).toBe('stopped');
    expect(runtime.containers.has(`c-${failed.id}`)).toBe(false);
    expect(await scaler.ensureAwake('a', first.id, first.container!)).toMatchObject({ ready: true, woke: true });
    expect(runtime.calls.at(-1)).toBe(`resume c-${first.id}`);
  });

  it('starts CPU projects whatever the pool holds', async () => {
    const { deploy } = await setUp('queue', ['cpu']);
    await deploy('a');
    expect(await deploy('cpu')).toMatchObject({ status: 'ready', placement: { gpus: 0, pool: null } });
  });

  it('never oversubscribes the pool when two projects deploy at once', async () => {
    const { enqueue, pipeline, store, runtime } = await setUp('queue');
    const queued = await Promise.all([enqueue('a'), enqueue('b')]);
    await pipeline.idle();
    const outcomes = await Promise.all(queued.map(async (deployment) => (await store.getDeployment(deployment.id))!));
    expect(outcomes.map((deployment) => deployment.status).sort()).toEqual(['failed', 'ready']);
    expect(outcomes.find((deployment) => deployment.status === 'failed')?.error).toMatch(/this deployment needs 1; held by project [ab] \(1 GPU, (starting|running)/);
    expect(runtime.started).toHaveLength(1);
  });
});
