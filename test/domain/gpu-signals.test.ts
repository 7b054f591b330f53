import { describe, expect, it } from 'vitest';
import { analyseDockerfile } from '../../gateway/domain/dockerfile.ts';

const df = (...lines: string[]): string => lines.join('\n');

function verdict(text: string) {
  const result = analyseDockerfile(text);
  if (!result.ok) throw new Error(result.error);
  const { gpu, cudaVersion, gpuReason } = result.analysis;
  return { gpu, cudaVersion, reason: gpuReason };
}

describe('the GPU verdict before the build', () => {
  it('names a CUDA base image as the reason', () => {
    expect(verdict(df('FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04'))).toEqual({
      gpu: true,
      cudaVersion: '12.4',
      reason: 'base image nvidia/cuda:12.4.1-runtime-ubuntu22.04 is a CUDA image',
    });
  });

  it.each([
    ['RUN pip install torch --index-url https://download.pytorch.org/whl/cu121', '12.1', "PyTorch's cu121 wheel index"],
    ['RUN pip install --extra-index-url https://download.pytorch.org/whl/cu118 torch torchvision', '11.8', "PyTorch's cu118 wheel index"],
    ['RUN pip install torch==2.0.0+cu117 torchvision==0.15.1+cu117', '11.7', 'torch==2.0.0+cu117'],
    ['RUN pip install -f https://download.pytorch.org/whl/cu102/torch_stable.html torch', '10.2', "PyTorch's cu102 wheel index"],
    ['RUN pip install "nvidia-cublas-cu12>=12.4,<13" "nvidia-cudnn-cu12>=9,<10" faster-whisper', null, 'nvidia-cublas-cu12'],
    ['RUN pip install onnxruntime-gpu>=1.10.0', null, 'onnxruntime-gpu'],
    ['RUN pip install cupy-cuda12x', null, 'cupy-cuda12x'],
    ['RUN pip install "jax[cuda12]"', null, 'jax[cuda12]'],
    ['RUN conda install -y pytorch pytorch-cuda=12.1 -c pytorch -c nvidia', '12.1', 'pytorch-cuda=12.1'],
    ['RUN CMAKE_ARGS="-DGGML_CUDA=on" pip install llama-cpp-python', null, 'llama.cpp with CUDA'],
  ])('finds a GPU need on a CPU base in %s', (run, cudaVersion, named) => {
    const result = verdict(df('FROM python:3.11-slim', run, 'CMD ["python", "app.py"]'));
    expect(result).toMatchObject({ gpu: true, cudaVersion });
    expect(result.reason).toContain(named);
    expect(result.reason).toContain('(line 2)');
  });

  it.each([
    ['ENV CUDA_VERSION=12.1.0', '12.1'],
    ['ENV NVIDIA_REQUIRE_CUDA="cuda>=11.8"', '11.8'],
    ['ENV CUDA_HOME=/usr/local/cuda', null],
    ['ENV NVIDIA_VISIBLE_DEVICES=all', null],
    ['ARG TORCH_CUDA_ARCH_LIST="8.0;8.6+PTX"', null],
    ['ENV CUDA_VISIBLE_DEVICES=0', null],
  ])('finds a GPU need in %s', (line, cudaVersion) => {
    expect(verdict(df('FROM ubuntu:22.04', line))).toMatchObject({ gpu: true, cudaVersion });
  });

  it.each([
    'ENV NVIDIA_VISIBLE_DEVICES=void',
    'ENV CUDA_VISIBLE_DEVICES=-1',
    'RUN pip install torch transformers',
    'RUN pip install torch --index-url https://download.pytorch.org/whl/cpu',
    'RUN pip install gradio',
  ])('finds no GPU need in %s', (line) => {
    expect(verdict(df('FROM python:3.11-slim', line))).toMatchObject({ gpu: false, cudaVersion: null });
  });

  it('says why it found no GPU need, and notes CPU wheels', () => {
    expect(verdict(df('FROM python:3.10-slim', 'RUN pip install torch==2.0.0 --extra-index-url https://download.pytorch.org/whl/cpu')).reason).toBe(
      "no CUDA base image, CUDA wheels or GPU settings (base image python:3.10-slim); it installs PyTorch's CPU wheels",
    );
  });

  it('takes the CUDA version from the wheels when the CUDA base image does not say it', () => {
    expect(verdict(df('FROM pytorch/pytorch:latest', 'RUN pip install torch --extra-index-url https://download.pytorch.org/whl/cu126'))).toEqual({
      gpu: true,
      cudaVersion: '12.6',
      reason: "base image pytorch/pytorch:latest is a CUDA image; CUDA 12.6 from RUN installs from PyTorch's cu126 wheel index (line 2)",
    });
  });

  it('reads the stages the final stage is built FROM, not the others', () => {
    expect(verdict(df('FROM python:3.11 AS base', 'RUN pip install onnxruntime-gpu', 'FROM base', 'CMD ["python", "app.py"]')).gpu).toBe(true);
    expect(verdict(df('FROM python:3.11 AS build', 'RUN pip install onnxruntime-gpu', 'FROM python:3.11-slim', 'COPY --from=build /x /x')).gpu).toBe(false);
  });

  it('knows GPU serving images whose name does not say CUDA', () => {
    expect(verdict(df('FROM vllm/vllm-openai:v0.6.6.post1'))).toMatchObject({ gpu: true, reason: 'base image vllm/vllm-openai:v0.6.6.post1 is a CUDA image' });
    expect(verdict(df('FROM ghcr.io/huggingface/text-generation-inference:3.0.2')).gpu).toBe(true);
    expect(verdict(df('FROM ufoym/deepo:tensorflow')).gpu).toBe(true);
  });
});
