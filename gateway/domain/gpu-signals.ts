import { cudaOfImage } from './cuda.ts';

/** What a Dockerfile's final stage says about the GPU, and why, for people to read. */
export interface GpuVerdict {
  readonly gpu: boolean;
  /** `major.minor`; null when no GPU is needed or its CUDA is not known before the build. */
  readonly cudaVersion: string | null;
  readonly reason: string;
}

/** What the final stage (and the stages it is built FROM) contains. */
export interface StageText {
  readonly baseImage: string;
  /** RUN commands, as written, with their line. */
  readonly runs: ReadonlyArray<{ readonly text: string; readonly line: number }>;
  /** ENV and ARG values by name, with the line that set them. */
  readonly variables: ReadonlyMap<string, { readonly value: string; readonly line: number; readonly keyword: 'ENV' | 'ARG' }>;
}

interface Signal {
  readonly cudaVersion: string | null;
  readonly reason: string;
}

/** `cu121` → `12.1`, `cu118` → `11.8`, `cu102` → `10.2`, `cu92` → `9.2`. */
function wheelCuda(tag: string): string | null {
  const match = /^cu(\d{2,3})$/.exec(tag);
  if (!match) return null;
  const digits = match[1]!;
  const major = Number(digits.slice(0, -1));
  return major >= 9 ? `${major}.${digits.slice(-1)}` : null;
}

/** Python packages that exist only to run on an NVIDIA GPU. */
const CUDA_PACKAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?:^|[\s"'])(nvidia-[a-z0-9-]+-cu1[0-9])(?=[\s"'=<>~!;[]|$)/, '$1'],
  [/(?:^|[\s"'])(onnxruntime-gpu)\b/, '$1'],
  [/(?:^|[\s"'])(cupy-cuda[0-9x]+)\b/, '$1'],
  [/(?:^|[\s"'])(jax\[cuda[0-9]*[^\]]*\])/, '$1'],
  [/(?:^|[\s"'])(tensorflow\[and-cuda\])/, '$1'],
  [/(?:^|[\s"'])(faiss-gpu[a-z0-9-]*)\b/, '$1'],
  [/(?:^|[\s"'])(paddlepaddle-gpu)\b/, '$1'],
  [/(?:^|[\s"'])(flash[-_]attn)\b/, '$1'],
];

function signalInRun(text: string, line: number): Signal | 'cpu' | null {
  const index = /download\.pytorch\.org\/whl\/(cu\d{2,3}|cpu|rocm[\d.]*)\b/.exec(text);
  if (index) {
    if (index[1] === 'cpu' || index[1]!.startsWith('rocm')) return 'cpu';
    return { cudaVersion: wheelCuda(index[1]!), reason: `RUN installs from PyTorch's ${index[1]} wheel index (line ${line})` };
  }
  const local = /\b(torch|torchvision|torchaudio|tensorflow|jaxlib)==[\w.]+\+(cu\d{2,3})\b/.exec(text);
  if (local) return { cudaVersion: wheelCuda(local[2]!), reason: `RUN installs ${local[0]} (line ${line})` };
  for (const [pattern, name] of CUDA_PACKAGES) {
    const match = pattern.exec(text);
    if (match) return { cudaVersion: null, reason: `RUN installs ${name.replace('$1', match[1]!)}, a CUDA-only package (line ${line})` };
  }
  const conda = /\b(cudatoolkit|pytorch-cuda|cuda-version)[=:](\d{1,2}\.\d{1,2})\b/.exec(text);
  if (conda) return { cudaVersion: leadingCuda(conda[2]!), reason: `RUN installs ${conda[0]} (line ${line})` };
  if (/-DGGML_CUDA=(?:on|ON|1)|-DLLAMA_CUBLAS=(?:on|ON|1)|GGML_CUDA=1/.test(text)) {
    return { cudaVersion: null, reason: `RUN builds llama.cpp with CUDA (line ${line})` };
  }
  return null;
}

/** `12.1.0` → `12.1`; `cuda>=11.8 brand=…` → `11.8`. */
function leadingCuda(text: string): string | null {
  const match = /(\d{1,2})\.(\d{1,2})/.exec(text);
  return match ? `${Number(match[1])}.${Number(match[2])}` : null;
}

function signalInVariables(variables: StageText['variables']): Signal | null {
  const at = (name: string) => variables.get(name);
  const cudaVersion = at('CUDA_VERSION');
  if (cudaVersion && leadingCuda(cudaVersion.value)) {
    return { cudaVersion: leadingCuda(cudaVersion.value), reason: `${cudaVersion.keyword} CUDA_VERSION=${cudaVersion.value} (line ${cudaVersion.line})` };
  }
  const require = at('NVIDIA_REQUIRE_CUDA');
  if (require) return { cudaVersion: leadingCuda(require.value), reason: `${require.keyword} NVIDIA_REQUIRE_CUDA=${require.value} (line ${require.line})` };
  for (const name of ['CUDA_HOME', 'CUDA_PATH', 'TORCH_CUDA_ARCH_LIST', 'CUDA_ARCH_LIST', 'CUDA_VISIBLE_DEVICES']) {
    const variable = at(name);
    if (variable && !['', '-1'].includes(variable.value.trim())) return { cudaVersion: null, reason: `${variable.keyword} ${name}=${variable.value} (line ${variable.line})` };
  }
  const devices = at('NVIDIA_VISIBLE_DEVICES');
  if (devices && !['', 'void', 'none'].includes(devices.value.trim().toLowerCase())) {
    return { cudaVersion: null, reason: `${devices.keyword} NVIDIA_VISIBLE_DEVICES=${devices.value} (line ${devices.line})` };
  }
  return null;
}

/**
 * The GPU verdict before the build: the base image's name and tag (CUDA images, CUDA builds of
 * framework and serving images), then what the stage itself adds (CUDA wheels, `nvidia-*-cu12`
 * packages, CUDA variables). A plain `pip install torch` is not a GPU need: the same wheel runs on CPU.
 */
export function gpuVerdict(stage: StageText): GpuVerdict {
  const base = cudaOfImage(stage.baseImage);
  const fromRuns = stage.runs.map(({ text, line }) => signalInRun(text, line));
  const wheel = fromRuns.find((signal): signal is Signal => signal !== null && signal !== 'cpu');
  const variables = signalInVariables(stage.variables);
  if (base.gpu) {
    const version = base.cudaVersion ?? wheel?.cudaVersion ?? variables?.cudaVersion ?? null;
    const from = base.cudaVersion === null && version !== null ? `; CUDA ${version} from ${(wheel?.cudaVersion ? wheel : variables)!.reason}` : '';
    return { gpu: true, cudaVersion: version, reason: `base image ${stage.baseImage} is a CUDA image${from}` };
  }
  const signal = wheel ?? variables;
  if (signal) return { gpu: true, cudaVersion: signal.cudaVersion, reason: signal.reason };
  const cpuWheel = fromRuns.includes('cpu') ? "; it installs PyTorch's CPU wheels" : '';
  return { gpu: false, cudaVersion: null, reason: `no CUDA base image, CUDA wheels or GPU settings (base image ${stage.baseImage})${cpuWheel}` };
}
