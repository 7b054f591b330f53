/** What a base image says about the GPU a container needs. */
export interface CudaInfo {
  readonly gpu: boolean;
  /** `major.minor`, e.g. `12.1`; null when the image is CUDA-based but its version is not known. */
  readonly cudaVersion: string | null;
}

/**
 * CUDA of NVIDIA's NGC framework containers (`nvcr.io/nvidia/pytorch:24.05-py3`), by
 * `YY.MM` release, from NVIDIA's Frameworks Support Matrix. Every framework container of
 * one release ships the same CUDA.
 */
const NGC_RELEASE_CUDA: Readonly<Record<string, string>> = {
  '22.01': '11.6', '22.02': '11.6', '22.03': '11.6', '22.04': '11.6',
  '22.05': '11.7', '22.06': '11.7', '22.07': '11.7', '22.08': '11.7',
  '22.09': '11.8', '22.10': '11.8', '22.11': '11.8', '22.12': '11.8',
  '23.01': '12.0', '23.02': '12.0', '23.03': '12.1', '23.04': '12.1',
  '23.05': '12.1', '23.06': '12.1', '23.07': '12.1', '23.08': '12.2',
  '23.09': '12.2', '23.10': '12.2', '23.11': '12.3', '23.12': '12.3',
  '24.01': '12.3', '24.02': '12.3', '24.03': '12.4', '24.04': '12.4',
  '24.05': '12.4', '24.06': '12.5', '24.07': '12.5', '24.08': '12.6',
  '24.09': '12.6', '24.10': '12.6', '24.11': '12.6', '24.12': '12.6',
};

/** CUDA that each TensorFlow release was built and tested against (tensorflow.org "Tested build configurations"). */
const TENSORFLOW_CUDA: Readonly<Record<string, string>> = {
  '1.5': '9.0', '1.6': '9.0', '1.7': '9.0', '1.8': '9.0', '1.9': '9.0', '1.10': '9.0', '1.11': '9.0', '1.12': '9.0',
  '1.13': '10.0', '1.14': '10.0', '1.15': '10.0', '2.0': '10.0',
  '2.1': '10.1', '2.2': '10.1', '2.3': '10.1', '2.4': '11.0',
  '2.5': '11.2', '2.6': '11.2', '2.7': '11.2', '2.8': '11.2', '2.9': '11.2', '2.10': '11.2', '2.11': '11.2',
  '2.12': '11.8', '2.13': '11.8', '2.14': '11.8', '2.15': '12.2',
  '2.16': '12.3', '2.17': '12.3', '2.18': '12.5', '2.19': '12.5',
};

/**
 * Serving images whose name says nothing of CUDA but whose default tags are CUDA builds, each with
 * the tags that are not (CPU, ROCm, Intel, Gaudi, Neuron builds).
 */
const GPU_SERVING_IMAGES: ReadonlyArray<readonly [RegExp, RegExp]> = [
  [/^vllm\/vllm-openai$/, /(?:^|[-_.])(?:cpu|rocm|xpu|tpu|neuron)(?:$|[-_.\d])/],
  [/^ghcr\.io\/huggingface\/text-generation-inference$/, /(?:^|[-_.])(?:cpu|rocm|intel|gaudi|xpu|neuron)(?:$|[-_.\d])/],
  [/^ghcr\.io\/huggingface\/text-embeddings-inference$/, /(?:^|[-_.])(?:cpu|hpu|rocm)(?:$|[-_.\d])/],
  [/^ollama\/ollama$/, /(?:^|[-_.])rocm(?:$|[-_.\d])/],
  [/^ufoym\/deepo$/, /(?:^|[-_.])cpu(?:$|[-_.\d])/],
];

const CPU: CudaInfo = { gpu: false, cudaVersion: null };
const gpuWith = (cudaVersion: string | null): CudaInfo => ({ gpu: true, cudaVersion });

/**
 * Whether an image reference (as written after `FROM`) is a CUDA image, and which CUDA.
 * Decided from the name and tag alone: nothing is pulled, so a Dockerfile can be judged
 * before anything is built.
 */
export function cudaOfImage(image: string): CudaInfo {
  const { registry, path, tag } = splitReference(image);
  const tagCuda = cudaInTag(tag);
  const tagWords = tag.split(/[-_.]/);

  if (path === 'nvidia/cuda' || path === 'nvidia/cudagl' || path.endsWith('/nvidia/cuda') || path.endsWith('/nvidia/cudagl')) {
    return gpuWith(leadingVersion(tag));
  }
  if (registry === 'nvcr.io') {
    const release = /^(\d{2}\.\d{2})(?!\d)/.exec(tag)?.[1];
    return gpuWith(tagCuda ?? (release ? (NGC_RELEASE_CUDA[release] ?? null) : null));
  }
  // Every pytorch/pytorch tag on Docker Hub, `latest` included, is a CUDA build; only some tags say which CUDA.
  if (path === 'pytorch/pytorch') return tagWords.includes('cpu') ? CPU : gpuWith(tagCuda);
  if (path === 'tensorflow/tensorflow') {
    if (!tagWords.includes('gpu')) return CPU;
    const release = /^(\d+\.\d+)/.exec(tag)?.[1];
    return gpuWith(release ? (TENSORFLOW_CUDA[release] ?? null) : null);
  }
  if (path.startsWith('huggingface/') && `${path}:${tag}`.includes('gpu')) return gpuWith(tagCuda);
  const serving = GPU_SERVING_IMAGES.find(([pattern]) => pattern.test(registry ? `${registry}/${path}` : path));
  if (serving) return serving[1].test(tag) ? CPU : gpuWith(tagCuda);
  // Anything else whose tag names its CUDA (anibali/pytorch:1.8.1-cuda11.1, …:cu121) or says gpu, cuda
  // or a bare CUDA major (tensorflow/serving:2.11.0-gpu, ghcr.io/ggml-org/llama.cpp:server-cuda, …:cu12).
  if (tagCuda) return gpuWith(tagCuda);
  return tagWords.some((word) => /^(?:gpu|cuda|cu1\d)$/.test(word)) ? gpuWith(null) : CPU;
}

/** `[registry/]path[:tag][@digest]`, lowercased, with Docker Hub's implicit parts removed. */
function splitReference(image: string): { registry: string | null; path: string; tag: string } {
  let rest = image.trim().toLowerCase().split('@')[0] ?? '';
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let registry: string | null = null;
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    registry = first;
    rest = rest.slice(slash + 1);
  }
  if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = null;
  if (registry === null && rest.startsWith('library/')) rest = rest.slice('library/'.length);
  return { registry, path: rest, tag };
}

/** `12.1.0-runtime-ubuntu22.04` → `12.1`. */
function leadingVersion(tag: string): string | null {
  const match = /^(\d+)\.(\d+)/.exec(tag);
  return match ? `${Number(match[1])}.${Number(match[2])}` : null;
}

/**
 * `2.1.0-cuda12.1-cudnn8-runtime` → `12.1`; a bare `cuda9` means `9.0`. PyTorch's wheel
 * names (`cu118`, `cu121`, `cu130`) give the major in all but the last digit.
 */
function cudaInTag(tag: string): string | null {
  const match = /(?:^|[-_.])cuda(\d{1,2})(?:\.(\d+))?(?!\d)/.exec(tag);
  if (match) return `${Number(match[1])}.${Number(match[2] ?? '0')}`;
  const wheel = /(?:^|[-_.])cu(\d{1,2})(\d)(?![\d.])/.exec(tag);
  return wheel && Number(wheel[1]) >= 9 ? `${Number(wheel[1])}.${Number(wheel[2])}` : null;
}
