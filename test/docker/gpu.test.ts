import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBuilder } from '../../gateway/adapters/local/docker-builder.ts';
import { main } from '../../gateway/cli/main.ts';
import { BUSYBOX, staticSite } from '../support/demo-app.ts';
import { makeContext, testDocker, uniqueProjectId } from '../support/docker.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

/** A pool as an operator would configure one: a T4 on an older long-term driver. */
const T4_ON_535 = { name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '535.104.05', maxGpus: 1, instanceTypes: [] };

const cudaApp = (image: string) => ({ Dockerfile: `FROM ${image}\nCOPY index.html /www/\nEXPOSE 8000\n`, 'index.html': 'gpu\n' });
/**
 * A base image whose name says nothing about CUDA but whose configuration carries it, as every
 * image built FROM nvidia/cuda does: built offline from busybox with that image's ENV.
 */
const cpuNamedCudaBase = (cuda: string) => ({
  tag: `portico-test/${uniqueProjectId('ml-base')}:latest`,
  env: [`CUDA_VERSION=${cuda}.0`, `NVIDIA_REQUIRE_CUDA="cuda>=${cuda} brand=tesla,driver>=470,driver<471"`, 'NVIDIA_VISIBLE_DEVICES=all', 'NVIDIA_DRIVER_CAPABILITIES=compute,utility'],
});
const CUDA_12_1_BASE = cpuNamedCudaBase('12.1');
const CUDA_12_8_BASE = cpuNamedCudaBase('12.8');
const onBase = (base: string, body: string) => {
  const files = staticSite(body);
  return { ...files, Dockerfile: files.Dockerfile!.replace(`FROM ${BUSYBOX}\n`, `FROM ${base}\n`) };
};

/** Builds offline: a CPU base image that asks for a GPU through its label. */
const labelledGpuApp = () => {
  const files = staticSite('asked for a GPU\n');
  return { ...files, Dockerfile: files.Dockerfile!.replace(`FROM ${BUSYBOX}\n`, `FROM ${BUSYBOX}\nLABEL portico.gpu=1\n`) };
};

describe('GPU placement', () => {
  const repos = repoTracker();
  let withPool: TestGateway;
  let noGpu: TestGateway;

  const { docker, where } = testDocker();

  beforeAll(async () => {
    withPool = await startTestGateway({ gpuPools: [T4_ON_535] });
    noGpu = await startTestGateway({ gpuPools: [] });
    for (const base of [CUDA_12_1_BASE, CUDA_12_8_BASE]) {
      const context = await makeContext({ Dockerfile: `FROM ${BUSYBOX}\n${base.env.map((pair) => `ENV ${pair}`).join('\n')}\n` });
      try {
        await createDockerBuilder({ docker, where }).build({ contextDir: context.dir, dockerfile: 'Dockerfile', tag: base.tag, labels: {}, buildArgs: {} }, () => undefined);
      } finally {
        await context.remove();
      }
    }
  });

  afterAll(async () => {
    await withPool.cleanUp();
    await noGpu.cleanUp();
    await repos.removeAll();
    for (const base of [CUDA_12_1_BASE, CUDA_12_8_BASE]) await docker.getImage(base.tag).remove({ force: true }).catch(() => undefined);
  });

  it('decides the GPU after the build from the image configuration: a CPU-named base carrying CUDA_VERSION goes to the GPU pool', async () => {
    const source = await repos.create(onBase(CUDA_12_1_BASE.tag, 'cuda inside\n'));
    const created = await withPool.api('POST', '/api/projects', { repo: source.url });
    const deployment = await withPool.waitForDeployment(created.body.deployment.id);
    const { text } = await withPool.raw('GET', `/api/deployments/${deployment.id}/logs`);
    // Before the build the name looked like CPU; the built image said CUDA 12.1, which the pool's 535 driver runs.
    expect(text).toContain('placement: CPU (CPU image)');
    expect(text).toMatch(/image configuration: CUDA_VERSION=12\.1\.0 → 1 GPU in pool t4 \(pool t4 \(Tesla T4, compute 7\.5, driver 535\.104\.05\) fits: .*corrected from the Dockerfile's guess of CPU/);
    expect(deployment.placement).toMatchObject({ gpus: 1, pool: 't4', cudaVersion: '12.1' });
    // So the engine was asked for the GPU, which this host cannot give.
    expect(deployment.phases.map((p: { name: string }) => p.name)).toEqual(['resolving', 'fetching', 'building', 'starting']);
    expect(deployment).toMatchObject({ status: 'failed', error: expect.stringContaining('no GPU runtime is available on this host') });
  });

  it('holds no GPU for a container the engine refused: the next GPU deployment on the one-GPU pool reaches the engine too', async () => {
    for (const body of ['first\n', 'second\n']) {
      const source = await repos.create(onBase(CUDA_12_1_BASE.tag, body));
      const created = await withPool.api('POST', '/api/projects', { repo: source.url });
      const deployment = await withPool.waitForDeployment(created.body.deployment.id);
      expect(deployment).toMatchObject({ status: 'failed', placement: { gpus: 1, pool: 't4' }, error: expect.stringContaining('no GPU runtime is available on this host') });
    }
    expect(await withPool.gateway.scaler.gpuHolders()).toEqual([]);
  });

  it('refuses, after the build and before starting, an image whose configuration needs a CUDA no pool runs', async () => {
    const source = await repos.create(onBase(CUDA_12_8_BASE.tag, 'too new\n'));
    const created = await withPool.api('POST', '/api/projects', { repo: source.url });
    const deployment = await withPool.waitForDeployment(created.body.deployment.id);
    expect(deployment.phases.map((p: { name: string }) => p.name)).toEqual(['resolving', 'fetching', 'building']);
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toContain("the built image's configuration has CUDA_VERSION=12.8.0");
    expect(deployment.error).toContain('570.26');
  });

  it('refuses a CUDA 12.8 image on a 535 driver before building, naming what it needs and what the pool has', async () => {
    const source = await repos.create(cudaApp('nvidia/cuda:12.8.0-runtime-ubuntu24.04'));
    const created = await withPool.api('POST', '/api/projects', { repo: source.url });
    const deployment = await withPool.waitForDeployment(created.body.deployment.id);
    expect(deployment.status).toBe('failed');
    expect(deployment.phases.map((p: { name: string }) => p.name)).toEqual(['resolving']);
    expect(deployment.error).toContain('CUDA 12.8');
    expect(deployment.error).toContain('570.26');
    expect(deployment.error).toContain('pool t4 (Tesla T4, compute 7.5, driver 535.104.05)');
  });

  it('shows the same refusal through the CLI, exiting 1', async () => {
    const source = await repos.create(cudaApp('nvidia/cuda:13.0.0-runtime-ubuntu24.04'));
    let stdout = '';
    const code = await main(['deploy', source.url, '--api', withPool.url], (t) => void (stdout += t), () => undefined);
    expect(code).toBe(1);
    expect(stdout).toMatch(/deployment failed after [\d.]+s: .*CUDA 13\.0/);
    expect(stdout).not.toContain('==> building');
  });

  it('refuses any CUDA image on a host with no GPU, saying so', async () => {
    const source = await repos.create(cudaApp('pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime'));
    const created = await noGpu.api('POST', '/api/projects', { repo: source.url });
    const deployment = await noGpu.waitForDeployment(created.body.deployment.id);
    expect(deployment).toMatchObject({ status: 'failed', error: expect.stringContaining('no GPU') });
  });

  it('runs a gpu "prefer" project on CPU when no pool fits, and says why', async () => {
    const source = await repos.create(labelledGpuApp());
    const created = await noGpu.api('POST', '/api/projects', { repo: source.url, gpu: 'prefer' });
    expect((await noGpu.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
    const project = (await noGpu.api('GET', `/api/projects/${created.body.id}`)).body;
    expect(project.gpu).toBe('prefer');
    expect(project.placement).toMatchObject({ gpus: 0, pool: null, reason: expect.stringMatching(/falls back to CPU/) });
    expect(await noGpu.endpoint(created.body.id)).toMatchObject({ status: 200, text: 'asked for a GPU\n' });
  });

  it('places a GPU project in the pool and asks the engine for the GPU, which this host cannot give', async () => {
    const source = await repos.create(labelledGpuApp());
    const created = await withPool.api('POST', '/api/projects', { repo: source.url });
    const deployment = await withPool.waitForDeployment(created.body.deployment.id);
    expect(deployment.placement).toMatchObject({ gpus: 1, pool: 't4' });
    expect(deployment.phases.map((p: { name: string }) => p.name)).toEqual(['resolving', 'fetching', 'building', 'starting']);
    expect(deployment).toMatchObject({ status: 'failed', error: expect.stringContaining('no GPU runtime is available on this host') });
  });
});
