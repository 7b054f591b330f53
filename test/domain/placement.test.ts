import { describe, expect, it } from 'vitest';
import type { GpuPool } from '../../gateway/domain/gpu-pools.ts';
import { placeProject } from '../../gateway/domain/placement.ts';
import type { PlacementInput } from '../../gateway/domain/placement.ts';

const pool = (name: string, gpuModel: string, computeCapability: string, driverVersion: string, maxGpus = 1): GpuPool => ({
  name,
  gpuModel,
  computeCapability,
  driverVersion,
  maxGpus,
  instanceTypes: [],
});

const t4_550 = pool('local', 'Tesla T4', '7.5', '550.54.14');
const t4_535 = pool('local', 'Tesla T4', '7.5', '535.104.05');
const t4_580 = pool('t4', 'Tesla T4', '7.5', '580.65.06');
const v100_580 = pool('v100', 'Tesla V100-SXM2-16GB', '7.0', '580.65.06');
const a10g_x4 = pool('a10g', 'NVIDIA A10G', '8.6', '570.26', 4);
const k80 = pool('k80', 'Tesla K80', '3.7', '470.82.01');

const input = (cudaVersion: string | null, overrides: Partial<PlacementInput> = {}): PlacementInput => ({
  gpus: 1,
  cudaVersion,
  image: `nvidia/cuda:${cudaVersion ?? 'latest'}`,
  preferCpuFallback: false,
  ...overrides,
});

describe('placeProject', () => {
  it('places a CPU image on no pool', () => {
    expect(placeProject(input(null, { gpus: 0, image: 'python:3.11-slim' }), [t4_550])).toEqual({ ok: true, pool: null, gpus: 0, reason: 'CPU image' });
  });

  it('places a CPU image even where there is no GPU at all', () => {
    expect(placeProject(input(null, { gpus: 0 }), [])).toMatchObject({ ok: true, pool: null, gpus: 0 });
  });

  it('runs CUDA 12.4 on driver 550.54.14', () => {
    const result = placeProject(input('12.4'), [t4_550]);
    expect(result).toEqual({ ok: true, pool: t4_550, gpus: 1, reason: expect.stringContaining('pool local (Tesla T4, compute 7.5, driver 550.54.14) fits') });
  });

  it('refuses CUDA 12.8 on a 535 driver, saying which driver it needs', () => {
    const result = placeProject(input('12.8', { image: 'nvidia/cuda:12.8.0-runtime-ubuntu24.04' }), [t4_535]);
    expect(result.ok).toBe(false);
    expect(result.reason).toContain('nvidia/cuda:12.8.0-runtime-ubuntu24.04 (CUDA 12.8, driver 570.26 or newer, 1 GPU)');
    expect(result.reason).toContain('pool local (Tesla T4, compute 7.5, driver 535.104.05): driver 535.104.05 is older than 570.26 that CUDA 12.8 needs');
    expect(result.reason).toMatch(/Use a base image with an older CUDA, upgrade the host driver to 570\.26 or newer, or set the project's gpu to off to run it on CPU\.$/);
  });

  it('runs CUDA 13.0 on a T4 (compute 7.5) with driver 580.65.06', () => {
    expect(placeProject(input('13.0'), [t4_580])).toMatchObject({ ok: true, pool: t4_580, gpus: 1 });
  });

  it('refuses CUDA 13.0 on a V100 for its architecture, though the driver is new enough', () => {
    const result = placeProject(input('13.0'), [v100_580]);
    expect(result.ok).toBe(false);
    expect(result.reason).toContain(
      'pool v100 (Tesla V100-SXM2-16GB, compute 7.0, driver 580.65.06): CUDA 13.0 no longer supports compute capability 7.0 (it needs 7.5 or newer, e.g. T4, A100',
    );
    expect(result.reason).not.toContain('driver 580.65.06 is older');
    expect(result.reason).toMatch(/Use a base image with an older CUDA, or set the project's gpu to off to run it on CPU\.$/);
  });

  it('refuses CUDA 12 on a Kepler K80', () => {
    const result = placeProject(input('12.1'), [k80]);
    expect(result.reason).toContain('CUDA 12.1 no longer supports compute capability 3.7 (it needs 5.0 or newer');
  });

  it('takes the first pool that fits, skipping the ones that do not', () => {
    expect(placeProject(input('13.0'), [v100_580, t4_535, t4_580])).toMatchObject({ ok: true, pool: t4_580 });
  });

  it('prefers the earlier pool when several fit', () => {
    expect(placeProject(input('12.1'), [a10g_x4, t4_580])).toMatchObject({ ok: true, pool: a10g_x4 });
  });

  it('needs a pool with enough GPUs', () => {
    expect(placeProject(input('12.4', { gpus: 4 }), [t4_580, a10g_x4])).toMatchObject({ ok: true, pool: a10g_x4, gpus: 4 });
    const result = placeProject(input('12.4', { gpus: 8 }), [t4_580, a10g_x4]);
    expect(result.ok).toBe(false);
    expect(result.reason).toContain('pool t4 (Tesla T4, compute 7.5, driver 580.65.06): it gives at most 1 GPU to a project where 8 were asked');
    expect(result.reason).toContain('pool a10g (NVIDIA A10G, compute 8.6, driver 570.26): it gives at most 4 GPUs to a project where 8 were asked');
    expect(result.reason).toMatch(/Ask for fewer GPUs, or set the project's gpu to off to run it on CPU\.$/);
  });

  it('accepts any driver and architecture when the CUDA version is unknown, and says so', () => {
    const result = placeProject(input(null, { image: 'pytorch/pytorch:latest' }), [k80]);
    expect(result).toMatchObject({ ok: true, pool: k80, gpus: 1 });
    expect(result.reason).toContain("the image's CUDA version is unknown, so any driver is accepted");
  });

  it('still counts GPUs when the CUDA version is unknown', () => {
    const result = placeProject(input(null, { gpus: 2, image: 'pytorch/pytorch:latest' }), [t4_550]);
    expect(result.ok).toBe(false);
    expect(result.reason).toContain('No GPU pool fits pytorch/pytorch:latest (CUDA version unknown, 2 GPUs)');
  });

  it('names every pool and every reason it does not fit', () => {
    const result = placeProject(input('13.0', { gpus: 2 }), [k80, t4_535]);
    expect(result.ok).toBe(false);
    expect(result.reason).toContain(
      'pool k80 (Tesla K80, compute 3.7, driver 470.82.01): driver 470.82.01 is older than 580.65.06 that CUDA 13.0 needs and CUDA 13.0 no longer supports compute capability 3.7',
    );
    expect(result.reason).toContain('H200) and it gives at most 1 GPU to a project where 2 were asked; pool local');
    expect(result.reason).toContain('pool local (Tesla T4, compute 7.5, driver 535.104.05): driver 535.104.05 is older than 580.65.06');
  });

  it('says the host has no GPU when there are no pools', () => {
    const result = placeProject(input('12.1'), []);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^This host has no GPU \(no pool configured or detected\)\. /);
    expect(result.reason).toContain("set the project's gpu to off to run it on CPU");
  });

  it('falls back to CPU when asked to, saying why', () => {
    expect(placeProject(input('12.8', { preferCpuFallback: true }), [t4_535])).toEqual({
      ok: true,
      pool: null,
      gpus: 0,
      reason: expect.stringMatching(/^falls back to CPU because no GPU pool fits .*driver 535\.104\.05 is older than 570\.26 that CUDA 12\.8 needs/),
    });
  });

  it('falls back to CPU on a host with no GPU when asked to', () => {
    expect(placeProject(input('12.1', { preferCpuFallback: true }), [])).toEqual({
      ok: true,
      pool: null,
      gpus: 0,
      reason: 'falls back to CPU because this host has no GPU (no pool configured or detected)',
    });
  });

  it('does not fall back when a pool fits', () => {
    expect(placeProject(input('12.4', { preferCpuFallback: true }), [t4_550])).toMatchObject({ ok: true, pool: t4_550, gpus: 1 });
  });

  it.each([
    ['10.1', '418.39', true],
    ['10.1', '410.48', false],
    ['11.8', '520.61.05', true],
    ['11.8', '515.105.01', false],
    ['12.2', '535.104.05', true],
    ['12.6', '560.28.03', true],
    ['12.6', '555.42.06', false],
    ['13.1', '580.95.05', false],
  ] as const)('for CUDA %s on driver %s says fits: %s', (cuda, driver, fits) => {
    expect(placeProject(input(cuda), [pool('p', 'NVIDIA A100-SXM4-40GB', '8.0', driver)]).ok).toBe(fits);
  });
});
