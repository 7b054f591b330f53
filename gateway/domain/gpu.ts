import type { DockerfileAnalysis } from './dockerfile.ts';
import type { GpuPool } from './gpu-pools.ts';
import { placeProject } from './placement.ts';
import type { GpuSetting, Placement } from './types.ts';

/**
 * How many GPUs to attach. The project's own setting wins; under `auto` (and `prefer`) the
 * Dockerfile's `LABEL portico.gpu` decides, and without one a CUDA base image gets one GPU.
 */
export function gpuCount(setting: GpuSetting, analysis: Pick<DockerfileAnalysis, 'gpu' | 'gpuLabel'>): number {
  if (setting === 'off') return 0;
  if (typeof setting === 'number') return setting;
  if (analysis.gpuLabel === 'off') return 0;
  if (typeof analysis.gpuLabel === 'number') return analysis.gpuLabel;
  return analysis.gpu ? 1 : 0;
}

/** The whole GPU decision for one deployment, made before anything is built. */
export function placeDeployment(
  setting: GpuSetting,
  analysis: Pick<DockerfileAnalysis, 'gpu' | 'gpuLabel' | 'cudaVersion' | 'baseImage'>,
  pools: readonly GpuPool[],
): { readonly ok: true; readonly placement: Placement } | { readonly ok: false; readonly reason: string } {
  const gpus = gpuCount(setting, analysis);
  const result = placeProject({ gpus, cudaVersion: analysis.cudaVersion, image: analysis.baseImage, preferCpuFallback: setting === 'prefer' }, pools);
  if (!result.ok) return result;
  const why = setting === 'off' ? 'gpu is off for this project' : typeof setting === 'number' && gpus === 0 ? 'the project asks for 0 GPUs' : result.reason;
  return { ok: true, placement: { gpus: result.gpus, cudaVersion: analysis.cudaVersion, pool: result.pool?.name ?? null, reason: why } };
}
