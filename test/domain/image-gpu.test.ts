import { describe, expect, it } from 'vitest';
import type { GpuPool } from '../../gateway/domain/gpu-pools.ts';
import { cudaOfImageEnv, placeFromImage } from '../../gateway/domain/image-gpu.ts';
import type { GpuSetting } from '../../gateway/domain/types.ts';
import {
  NGC_PYTORCH_23_10,
  NVIDIA_CUDA_11_8_RUNTIME,
  NVIDIA_CUDA_12_1_RUNTIME,
  NVIDIA_CUDA_12_4_RUNTIME,
  PYTHON_SLIM,
  PYTORCH_RUNTIME,
  VLLM_OPENAI,
} from '../support/image-env.ts';

const pool = (name: string, gpuModel: string, computeCapability: string, driverVersion: string, maxGpus = 1): GpuPool => ({
  name,
  gpuModel,
  computeCapability,
  driverVersion,
  maxGpus,
  instanceTypes: [],
});
const T4_550 = pool('t4', 'Tesla T4', '7.5', '550.54.14');
const T4_535 = pool('t4', 'Tesla T4', '7.5', '535.104.05');
const V100_580 = pool('v100', 'Tesla V100', '7.0', '580.65.06');
const A10G_PAIR = pool('a10g', 'NVIDIA A10G', '8.6', '550.54.14', 2);

/** What the Dockerfile analysis guessed before the build. */
const guess = (baseImage: string, gpu: boolean, cudaVersion: string | null = null, gpuLabel: number | 'off' | null = null) => ({ baseImage, gpu, cudaVersion, gpuLabel });
const facts = (env: Readonly<Record<string, string>>, labels: Record<string, string> = {}) => ({ env, labels });

describe('cudaOfImageEnv: CUDA as the built image configuration says', () => {
  it.each([
    ['nvidia/cuda:11.8.0-runtime-ubuntu22.04', NVIDIA_CUDA_11_8_RUNTIME, '11.8', 'CUDA_VERSION=11.8.0'],
    ['nvidia/cuda:12.1.0-runtime-ubuntu22.04', NVIDIA_CUDA_12_1_RUNTIME, '12.1', 'CUDA_VERSION=12.1.0'],
    ['nvidia/cuda:12.4.1-runtime-ubuntu22.04', NVIDIA_CUDA_12_4_RUNTIME, '12.4', 'CUDA_VERSION=12.4.1'],
    ['vllm/vllm-openai', VLLM_OPENAI, '12.4', 'CUDA_VERSION=12.4.1'],
    ['nvcr.io/nvidia/pytorch:23.10-py3, whose NVIDIA_REQUIRE_CUDA is only cuda>=9.0', NGC_PYTORCH_23_10, '12.2', 'CUDA_VERSION=12.2.2.009'],
  ])('reads %s', (_image, env, cudaVersion, evidence) => {
    expect(cudaOfImageEnv(env)).toEqual({ gpu: true, cudaVersion, evidence });
  });

  it('falls back to the cuda>=X.Y of NVIDIA_REQUIRE_CUDA when CUDA_VERSION is gone', () => {
    const { CUDA_VERSION: _dropped, ...env } = NVIDIA_CUDA_12_1_RUNTIME;
    expect(cudaOfImageEnv(env)).toEqual({ gpu: true, cudaVersion: '12.1', evidence: 'NVIDIA_REQUIRE_CUDA=cuda>=12.1' });
  });

  it('calls pytorch/pytorch (NVIDIA_VISIBLE_DEVICES, no CUDA variable) a GPU image of unknown CUDA', () => {
    expect(cudaOfImageEnv(PYTORCH_RUNTIME)).toEqual({ gpu: true, cudaVersion: null, evidence: 'NVIDIA_VISIBLE_DEVICES=all' });
  });

  it('calls python:3.11-slim a CPU image, and so an image that asks the NVIDIA runtime for no device', () => {
    expect(cudaOfImageEnv(PYTHON_SLIM)).toEqual({ gpu: false, cudaVersion: null, evidence: null });
    expect(cudaOfImageEnv({ ...PYTHON_SLIM, NVIDIA_VISIBLE_DEVICES: 'void' }).gpu).toBe(false);
  });

  it('ignores a CUDA_VERSION that is not a version', () => {
    expect(cudaOfImageEnv({ CUDA_VERSION: 'cpu' }).gpu).toBe(false);
  });
});

describe('placeFromImage: the placement decided again after the build', () => {
  const auto = (env: Readonly<Record<string, string>>, analysis = guess('python:3.11-slim', false), pools = [T4_550], setting: GpuSetting = 'auto') =>
    placeFromImage({ setting, analysis, facts: facts(env), pools });

  it('puts a CPU-named base whose configuration carries CUDA_VERSION on the GPU pool, and says the guess was corrected', () => {
    const decided = auto({ ...PYTHON_SLIM, CUDA_VERSION: '12.1.0' }, guess('acme/ml-base:latest', false));
    expect(decided).toMatchObject({ ok: true, corrected: 'to-gpu', placement: { gpus: 1, pool: 't4', cudaVersion: '12.1' } });
    if (!decided.ok) throw new Error('unreachable');
    expect(decided.summary).toMatch(/^image configuration: CUDA_VERSION=12\.1\.0 → 1 GPU in pool t4 \(pool t4 \(Tesla T4, compute 7\.5, driver 550\.54\.14\) fits/);
    expect(decided.placement.reason).toContain("corrected from the Dockerfile's guess of CPU: acme/ml-base:latest does not name CUDA, but the image is built on CUDA 12.1");
  });

  it('refuses vllm/vllm-openai (CUDA 12.4 inside) on a 535 driver, naming the variable and the driver it needs', () => {
    const decided = auto(VLLM_OPENAI, guess('vllm/vllm-openai:v0.6.0', false), [T4_535]);
    expect(decided.ok).toBe(false);
    if (decided.ok) throw new Error('unreachable');
    expect(decided.reason).toContain("the built image's configuration has CUDA_VERSION=12.4.1");
    expect(decided.reason).toContain('CUDA 12.4');
    expect(decided.reason).toContain('550.54.14');
    expect(decided.summary).toBe('image configuration: CUDA_VERSION=12.4.1 → no placement');
  });

  it('refuses CUDA 13 on a Volta pool for its architecture, whatever the driver', () => {
    const decided = auto({ CUDA_VERSION: '13.0.0' }, guess('nvidia/cuda:13.0.0-runtime-ubuntu24.04', true, '13.0'), [V100_580]);
    expect(decided).toMatchObject({ ok: false, reason: expect.stringContaining('compute capability 7.0') });
  });

  it('places the NGC container by its CUDA_VERSION, not by the cuda>=9.0 floor', () => {
    expect(auto(NGC_PYTORCH_23_10, guess('nvcr.io/nvidia/pytorch:23.10-py3', true, '12.2'), [T4_535])).toMatchObject({
      ok: true,
      corrected: null,
      placement: { gpus: 1, cudaVersion: '12.2', pool: 't4' },
    });
  });

  it('keeps the CUDA the Dockerfile named when the image says GPU but not which CUDA (pytorch/pytorch)', () => {
    const decided = auto(PYTORCH_RUNTIME, guess('pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', true, '12.1'));
    expect(decided).toMatchObject({ ok: true, corrected: null, placement: { gpus: 1, cudaVersion: '12.1' } });
    if (decided.ok) expect(decided.summary).toMatch(/^image configuration: NVIDIA_VISIBLE_DEVICES=all \(CUDA 12\.1 from the Dockerfile\) → 1 GPU in pool t4/);
  });

  it('corrects a GPU guess made from the base image name alone to CPU when the image carries no CUDA', () => {
    const decided = auto(PYTHON_SLIM, guess('acme/tool:gpu', true, null));
    expect(decided).toMatchObject({ ok: true, corrected: 'to-cpu', placement: { gpus: 0, pool: null, cudaVersion: null } });
    if (!decided.ok) throw new Error('unreachable');
    expect(decided.summary).toMatch(/^image configuration: no CUDA_VERSION, NVIDIA_REQUIRE_CUDA or NVIDIA_VISIBLE_DEVICES → CPU \(/);
    expect(decided.placement.reason).toContain("corrected from the Dockerfile's guess of GPU: acme/tool:gpu looks like a CUDA image by its name");
  });

  it("keeps a GPU guess that came from the Dockerfile's own steps (CUDA wheels leave no variable in the image)", () => {
    expect(auto(PYTHON_SLIM, guess('python:3.11-slim', true, '12.1'))).toMatchObject({ ok: true, corrected: null, placement: { gpus: 1, cudaVersion: '12.1' } });
  });

  it('lets the project setting win: off stays on CPU, a number asks for that many', () => {
    expect(auto(NVIDIA_CUDA_12_1_RUNTIME, undefined, [T4_550], 'off')).toMatchObject({ ok: true, corrected: null, placement: { gpus: 0, pool: null } });
    expect(auto(NVIDIA_CUDA_12_1_RUNTIME, undefined, [A10G_PAIR], 2)).toMatchObject({ ok: true, placement: { gpus: 2, pool: 'a10g' } });
  });

  it('lets LABEL portico.gpu win, from the Dockerfile or inherited from a base image', () => {
    expect(auto(NVIDIA_CUDA_12_1_RUNTIME, guess('acme/base', false, null, 'off'))).toMatchObject({ ok: true, corrected: null, placement: { gpus: 0 } });
    const inherited = placeFromImage({ setting: 'auto', analysis: guess('acme/base', false), facts: facts(NVIDIA_CUDA_12_1_RUNTIME, { 'portico.gpu': '2' }), pools: [A10G_PAIR] });
    expect(inherited).toMatchObject({ ok: true, placement: { gpus: 2, pool: 'a10g' } });
  });

  it('falls back to CPU under prefer when no pool fits the CUDA the image revealed, and fails under auto', () => {
    expect(auto(NVIDIA_CUDA_12_4_RUNTIME, undefined, [], 'prefer')).toMatchObject({ ok: true, placement: { gpus: 0, reason: expect.stringMatching(/falls back to CPU/) } });
    expect(auto(NVIDIA_CUDA_12_4_RUNTIME, undefined, [])).toMatchObject({ ok: false, reason: expect.stringContaining('no GPU') });
  });

  it('leaves a CPU image on CPU without a correction', () => {
    expect(auto(PYTHON_SLIM)).toMatchObject({ ok: true, corrected: null, placement: { gpus: 0, reason: 'CPU image' } });
  });
});
