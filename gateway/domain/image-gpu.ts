import { cudaOfImage } from './cuda.ts';
import type { DockerfileAnalysis } from './dockerfile.ts';
import { placeDeployment } from './gpu.ts';
import type { GpuPool } from './gpu-pools.ts';
import type { GpuSetting, Placement } from './types.ts';

/** What the built image's own configuration says about CUDA. */
export interface ImageCuda {
  readonly gpu: boolean;
  /** `major.minor`; null when the image is a GPU image whose configuration names no CUDA version. */
  readonly cudaVersion: string | null;
  /** The variable that said so, as `NAME=value`; null when nothing in the configuration points to a GPU. */
  readonly evidence: string | null;
}

const CPU_IMAGE: ImageCuda = { gpu: false, cudaVersion: null, evidence: null };

/**
 * Reads CUDA from an image's environment, which every image inherits from its bases:
 * `CUDA_VERSION` (every nvidia/cuda image, NGC containers, and everything built FROM them) wins;
 * then the `cuda>=X.Y` of `NVIDIA_REQUIRE_CUDA` (which NGC sets to an old floor such as
 * `cuda>=9.0`, so it only counts when `CUDA_VERSION` is missing); then `NVIDIA_VISIBLE_DEVICES`
 * (pytorch/pytorch sets it without any CUDA variable) says "GPU, version unknown".
 */
export function cudaOfImageEnv(env: Readonly<Record<string, string>>): ImageCuda {
  const cudaVersion = env.CUDA_VERSION?.trim() ?? '';
  const fromCudaVersion = /^(\d{1,2})\.(\d{1,2})(?:[.\-+]|$)/.exec(cudaVersion);
  if (fromCudaVersion) return { gpu: true, cudaVersion: `${Number(fromCudaVersion[1])}.${Number(fromCudaVersion[2])}`, evidence: `CUDA_VERSION=${cudaVersion}` };

  const require = env.NVIDIA_REQUIRE_CUDA?.trim() ?? '';
  const fromRequire = /(?:^|\s)cuda>=(\d{1,2})\.(\d{1,2})(?=\s|$|\.)/.exec(require);
  if (fromRequire) {
    return { gpu: true, cudaVersion: `${Number(fromRequire[1])}.${Number(fromRequire[2])}`, evidence: `NVIDIA_REQUIRE_CUDA=cuda>=${fromRequire[1]}.${fromRequire[2]}` };
  }

  // `void`, `none` and empty ask the NVIDIA runtime for no GPU at all.
  const devices = env.NVIDIA_VISIBLE_DEVICES?.trim() ?? '';
  if (devices !== '' && devices !== 'void' && devices !== 'none') return { gpu: true, cudaVersion: null, evidence: `NVIDIA_VISIBLE_DEVICES=${devices}` };
  return CPU_IMAGE;
}

export interface ImagePlacementInput {
  readonly setting: GpuSetting;
  /** The Dockerfile's analysis: the guess made before the build. */
  readonly analysis: Pick<DockerfileAnalysis, 'gpu' | 'gpuLabel' | 'cudaVersion' | 'baseImage'>;
  /** The built image's configuration (`BuiltImage.facts`). */
  readonly facts: { readonly env: Readonly<Record<string, string>>; readonly labels: Readonly<Record<string, string>> };
  readonly pools: readonly GpuPool[];
}

export type ImagePlacement =
  | {
      readonly ok: true;
      readonly placement: Placement;
      /** Set when the image overturned the guess made from the Dockerfile. */
      readonly corrected: 'to-gpu' | 'to-cpu' | null;
      /** The deployment log line: what the image says, and the placement that follows. */
      readonly summary: string;
    }
  | { readonly ok: false; readonly reason: string; readonly summary: string };

/**
 * Decides the placement again once the image exists, from what the image really is. The guess
 * made before the build looked only at the Dockerfile; the built image's configuration carries
 * the CUDA of every base image it was built on, however it was named (`FROM my/base`,
 * `vllm/vllm-openai`, an NGC container). The project's `gpu` setting and `LABEL portico.gpu`
 * still win exactly as before the build; `gpu: prefer` still falls back to CPU.
 */
export function placeFromImage(input: ImagePlacementInput): ImagePlacement {
  const { setting, analysis, facts, pools } = input;
  const image = cudaOfImageEnv(facts.env);
  const gpu = image.gpu || keepsGuessedGpu(analysis);
  const cudaVersion = image.gpu ? (image.cudaVersion ?? analysis.cudaVersion) : gpu ? analysis.cudaVersion : null;
  const gpuLabel = analysis.gpuLabel ?? gpuLabelOf(facts.labels['portico.gpu']);
  const decided = { gpu, cudaVersion, gpuLabel, baseImage: analysis.baseImage };
  const placed = placeDeployment(setting, decided, pools);
  const said = describeImage(image, cudaVersion);
  // Only where the image decides: the project's own setting and a GPU label win over it.
  const imageDecides = (setting === 'auto' || setting === 'prefer') && gpuLabel === null;
  const correction = !imageDecides || gpu === analysis.gpu ? null : gpu ? 'to-gpu' : 'to-cpu';
  const note = correctionNote(correction, analysis, cudaVersion);

  if (!placed.ok) {
    const what = image.evidence ? `the built image's configuration has ${image.evidence}` : 'the built image';
    return { ok: false, reason: `${what}${note ? ` (${note})` : ''}: ${placed.reason}`, summary: `image configuration: ${said} → no placement` };
  }
  const placement = { ...placed.placement, reason: note ? `${placed.placement.reason}; ${note}` : placed.placement.reason };
  const where = placement.gpus > 0 ? `${placement.gpus} GPU${placement.gpus === 1 ? '' : 's'} in pool ${placement.pool}` : 'CPU';
  return {
    ok: true,
    placement,
    corrected: correction,
    summary: `image configuration: ${said} → ${where} (${placement.reason})`,
  };
}

/**
 * A GPU guess the image's configuration cannot confirm stands when it came from the Dockerfile's
 * own steps (CUDA wheels, `nvidia-*-cu12` packages): those leave no variable in the image. A
 * guess made from the base image's name alone is overturned: the base's configuration is the truth.
 */
function keepsGuessedGpu(analysis: Pick<DockerfileAnalysis, 'gpu' | 'baseImage'>): boolean {
  return analysis.gpu && !cudaOfImage(analysis.baseImage).gpu;
}

function describeImage(image: ImageCuda, cudaVersion: string | null): string {
  if (image.evidence) return image.cudaVersion === null && cudaVersion ? `${image.evidence} (CUDA ${cudaVersion} from the Dockerfile)` : image.evidence;
  return 'no CUDA_VERSION, NVIDIA_REQUIRE_CUDA or NVIDIA_VISIBLE_DEVICES';
}

function correctionNote(correction: 'to-gpu' | 'to-cpu' | null, analysis: Pick<DockerfileAnalysis, 'baseImage'>, cudaVersion: string | null): string | null {
  if (correction === 'to-gpu') {
    return `corrected from the Dockerfile's guess of CPU: ${analysis.baseImage} does not name CUDA, but the image is built on CUDA${cudaVersion ? ` ${cudaVersion}` : ''}`;
  }
  if (correction === 'to-cpu') {
    return `corrected from the Dockerfile's guess of GPU: ${analysis.baseImage} looks like a CUDA image by its name, but its configuration carries no CUDA`;
  }
  return null;
}

/** `LABEL portico.gpu` as inherited from a base image; anything unreadable counts as absent (the Dockerfile's own label was checked before the build). */
function gpuLabelOf(value: string | undefined): number | 'off' | null {
  const text = value?.trim().toLowerCase();
  if (text === 'off') return 'off';
  return text && /^\d{1,3}$/.test(text) ? Number(text) : null;
}
