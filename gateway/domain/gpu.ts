import type { DockerfileAnalysis } from './dockerfile.ts';
import type { GpuSetting } from './types.ts';

/**
 * How many GPUs to attach. The project's own setting wins; under `auto` the Dockerfile's
 * `LABEL portico.gpu` decides, and without one a CUDA base image gets one GPU.
 */
export function gpuCount(setting: GpuSetting, analysis: Pick<DockerfileAnalysis, 'gpu' | 'gpuLabel'>): number {
  if (setting === 'off') return 0;
  if (typeof setting === 'number') return setting;
  if (analysis.gpuLabel === 'off') return 0;
  if (typeof analysis.gpuLabel === 'number') return analysis.gpuLabel;
  return analysis.gpu ? 1 : 0;
}
