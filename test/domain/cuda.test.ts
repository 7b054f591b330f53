import { describe, expect, it } from 'vitest';
import { cudaOfImage } from '../../gateway/domain/cuda.ts';

const gpu = (image: string, cudaVersion: string | null) => ({ image, expected: { gpu: true, cudaVersion } });
const cpu = (image: string) => ({ image, expected: { gpu: false, cudaVersion: null } });

describe('cudaOfImage', () => {
  it.each([
    gpu('nvidia/cuda:12.1.0-runtime-ubuntu22.04', '12.1'),
    gpu('nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04', '11.8'),
    gpu('nvidia/cuda:10.2-cudnn7-runtime', '10.2'),
    gpu('docker.io/nvidia/cuda:12.4.1-base-ubuntu22.04', '12.4'),
    gpu('index.docker.io/nvidia/cuda:11.3.1-runtime-ubuntu20.04', '11.3'),
    gpu('nvcr.io/nvidia/cuda:12.2.2-runtime-ubuntu22.04', '12.2'),
    gpu('registry.example.com:5000/nvidia/cuda:11.7.1-base-ubuntu20.04', '11.7'),
    gpu('harbor.example.com/dockerhub-proxy/nvidia/cuda:12.0.1-base-ubuntu22.04', '12.0'),
    gpu('nvidia/cuda:12.1.0-runtime-ubuntu22.04@sha256:' + 'b'.repeat(64), '12.1'),
    gpu('NVIDIA/CUDA:12.1.0-runtime-ubuntu22.04', '12.1'),
    gpu('nvidia/cudagl:11.4.2-runtime-ubuntu20.04', '11.4'),
    gpu('nvidia/cuda', null),
  ])('reads the CUDA of $image from its tag', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });

  it.each([
    gpu('nvcr.io/nvidia/pytorch:24.05-py3', '12.4'),
    gpu('nvcr.io/nvidia/pytorch:23.10-py3', '12.2'),
    gpu('nvcr.io/nvidia/tensorflow:23.03-tf2-py3', '12.1'),
    gpu('nvcr.io/nvidia/tritonserver:22.12-py3', '11.8'),
    gpu('nvcr.io/nvidia/nemo:24.07', '12.5'),
    gpu('nvcr.io/nvidia/cuda-dl-base:25.01-cuda12.8-devel-ubuntu24.04', '12.8'),
  ])('maps the NGC release of $image to its CUDA', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });

  it.each([gpu('nvcr.io/nvidia/pytorch:19.07-py3', null), gpu('nvcr.io/nvidia/pytorch:latest', null)])(
    'still treats an NGC image with an unknown release ($image) as GPU',
    ({ image, expected }) => {
      expect(cudaOfImage(image)).toEqual(expected);
    },
  );

  it.each([
    gpu('pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime', '12.1'),
    gpu('pytorch/pytorch:2.3.1-cuda11.8-cudnn8-devel', '11.8'),
    gpu('pytorch/pytorch:1.4-cuda10.1-cudnn7-runtime', '10.1'),
    gpu('docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime', '12.4'),
    gpu('runpod/pytorch:2.1.0-py3.10-cuda11.8.0-devel-ubuntu22.04', '11.8'),
    gpu('pytorch/pytorch:1.6.0-cuda10.1-cudnn7-runtime', '10.1'),
    gpu('pytorch/pytorch:0.4.1-cuda9-cudnn7-devel', '9.0'),
    gpu('pytorch/pytorch:nightly-devel-cuda10.0-cudnn7', '10.0'),
    gpu('anibali/pytorch:1.8.1-cuda11.1-ubuntu20.04', '11.1'),
    gpu('paddlepaddle/paddle:2.5.1-gpu-cuda11.7-cudnn8.4-trt8.4', '11.7'),
  ])('reads the CUDA that the tag of $image names', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });

  it.each([
    gpu('axolotlai/axolotl:main-py3.11-cu124-2.5.1', '12.4'),
    gpu('ghcr.io/acme/llm-server:0.4.0-cu121', '12.1'),
    gpu('lmsysorg/sglang:v0.4.6-cu118', '11.8'),
    gpu('acme/trainer:cu130', '13.0'),
    gpu('acme/legacy:torch1.4-cu92', '9.2'),
  ])('reads the CUDA of a PyTorch wheel name (cuXYZ) in the tag of $image', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });

  it.each([
    gpu('pytorch/pytorch', null),
    gpu('pytorch/pytorch:latest', null),
    gpu('pytorch/pytorch:2.1.0', null),
  ])('treats $image as GPU: every pytorch/pytorch image on Docker Hub is a CUDA build', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });

  it.each([
    gpu('tensorflow/serving:2.11.0-gpu', null),
    gpu('ghcr.io/ggml-org/llama.cpp:server-cuda', null),
    gpu('paddlepaddle/paddle:latest-gpu', null),
    gpu('mxnet/python:gpu', null),
    gpu('acme/llm:latest-cu12', null),
  ])('treats $image as GPU because its tag says gpu or cuda', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });

  it.each([
    gpu('tensorflow/tensorflow:1.12.0-gpu-py3', '9.0'),
    gpu('tensorflow/tensorflow:2.15.0-gpu', '12.2'),
    gpu('tensorflow/tensorflow:2.14.0-gpu-jupyter', '11.8'),
    gpu('tensorflow/tensorflow:2.13.0-gpu', '11.8'),
    gpu('tensorflow/tensorflow:2.12.0-gpu', '11.8'),
    gpu('tensorflow/tensorflow:2.11.0-gpu', '11.2'),
    gpu('tensorflow/tensorflow:1.15.5-gpu-py3', '10.0'),
    gpu('tensorflow/tensorflow:latest-gpu', null),
    gpu('tensorflow/tensorflow:3.0.0-gpu', null),
  ])('maps the TensorFlow release of $image to its CUDA', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });

  it.each([gpu('huggingface/transformers-pytorch-gpu:4.29.2', null), gpu('huggingface/transformers-gpu', null)])(
    'treats the Hugging Face GPU image $image as GPU',
    ({ image, expected }) => {
      expect(cudaOfImage(image)).toEqual(expected);
    },
  );

  it.each([
    cpu('python:3.11-slim'),
    cpu('node:20'),
    cpu('ubuntu'),
    cpu('ubuntu:22.04'),
    cpu('scratch'),
    cpu('pytorch/pytorch:2.1.0-cpu'),
    cpu('tensorflow/tensorflow:2.15.0'),
    cpu('tensorflow/tensorflow'),
    cpu('huggingface/transformers-pytorch-cpu:4.29.2'),
    cpu('ghcr.io/acme/cuda-tools:1.0'),
    cpu('library/python:3.12'),
    cpu('localhost:5000/acme/app:12.1'),
    cpu('rocm/pytorch:rocm6.1_ubuntu22.04_py3.10_pytorch_2.1.2'),
    cpu('continuumio/miniconda3:23.10.0-1'),
    cpu('tensorflow/serving:2.11.0'),
  ])('treats $image as CPU', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });

  it.each([
    gpu('vllm/vllm-openai:latest', null),
    gpu('vllm/vllm-openai:v0.6.6.post1', null),
    gpu('docker.io/vllm/vllm-openai:v0.9.0-cu128', '12.8'),
    cpu('vllm/vllm-openai:v0.8.5-cpu'),
    cpu('vllm/vllm-openai:rocm'),
    gpu('ghcr.io/huggingface/text-generation-inference:3.0.2', null),
    gpu('ghcr.io/huggingface/text-generation-inference:latest', null),
    cpu('ghcr.io/huggingface/text-generation-inference:2.0.4-rocm'),
    cpu('ghcr.io/huggingface/text-generation-inference:latest-intel-cpu'),
    cpu('ghcr.io/huggingface/text-generation-inference:2.0.1-gaudi'),
    gpu('ghcr.io/huggingface/text-embeddings-inference:1.5', null),
    cpu('ghcr.io/huggingface/text-embeddings-inference:cpu-1.5'),
    gpu('ollama/ollama', null),
    gpu('ollama/ollama:0.6.5', null),
    cpu('ollama/ollama:rocm'),
    gpu('ufoym/deepo:tensorflow', null),
    gpu('ufoym/deepo:pytorch-py36-cu100', '10.0'),
    cpu('ufoym/deepo:cpu'),
    cpu('ufoym/deepo:all-py36-cpu'),
    gpu('nvcr.io/nim/meta/llama3-8b-instruct:1.0.0', null),
  ])('knows $image, a serving image whose name does not say CUDA', ({ image, expected }) => {
    expect(cudaOfImage(image)).toEqual(expected);
  });
});
