import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { analyseDockerfile } from '../domain/dockerfile.ts';
import type { GpuPool } from '../domain/gpu-pools.ts';
import { placeDeployment } from '../domain/gpu.ts';
import type { GpuSetting } from '../domain/types.ts';
import { EXIT } from './exit-codes.ts';

export interface InspectOptions {
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly gpu: GpuSetting;
  /** The GPU pools a deployment here would be placed in. */
  readonly pools: readonly GpuPool[];
}

/**
 * `portico inspect <dir|Dockerfile>`: the analysis and GPU placement Portico runs before it
 * builds, as JSON. A placement that fails is shown with its reason, not as an error: the
 * Dockerfile itself is fine.
 */
export async function inspectCommand(target: string, options: InspectOptions, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const isDir = await stat(target).then((s) => s.isDirectory(), () => false);
  const file = isDir ? join(target, 'Dockerfile') : target;
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) {
    err(`portico: cannot read ${file}; give a directory holding a Dockerfile, or a Dockerfile's path\n`);
    return EXIT.usage;
  }
  const result = analyseDockerfile(text, options.buildArgs);
  if (!result.ok) {
    err(`portico: ${file}: ${result.error}\n`);
    return EXIT.failed;
  }
  const { baseImage, port, gpu, cudaVersion, labels, memoryBytes, gpuLabel } = result.analysis;
  const placed = placeDeployment(options.gpu, result.analysis, options.pools);
  const placement = placed.ok ? placed.placement : { error: placed.reason };
  out(JSON.stringify({ file, baseImage, port, gpu, cudaVersion, gpuLabel, memoryBytes, labels, placement }, null, 2) + '\n');
  return EXIT.ok;
}
