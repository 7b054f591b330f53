import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../gateway/cli/main.ts';
import { BUSYBOX, staticSite } from '../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

/** A pool as an operator would configure one: a T4 on an older long-term driver. */
const T4_ON_535 = { name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '535.104.05', maxGpus: 1, instanceTypes: [] };

const cudaApp = (image: string) => ({ Dockerfile: `FROM ${image}\nCOPY index.html /www/\nEXPOSE 8000\n`, 'index.html': 'gpu\n' });
/** Builds offline: a CPU base image that asks for a GPU through its label. */
const labelledGpuApp = () => {
  const files = staticSite('asked for a GPU\n');
  return { ...files, Dockerfile: files.Dockerfile!.replace(`FROM ${BUSYBOX}\n`, `FROM ${BUSYBOX}\nLABEL portico.gpu=1\n`) };
};

describe('GPU placement', () => {
  const repos = repoTracker();
  let withPool: TestGateway;
  let noGpu: TestGateway;

  beforeAll(async () => {
    withPool = await startTestGateway({ gpuPools: [T4_ON_535] });
    noGpu = await startTestGateway({ gpuPools: [] });
  });

  afterAll(async () => {
    await withPool.cleanUp();
    await noGpu.cleanUp();
    await repos.removeAll();
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
