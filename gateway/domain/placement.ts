import { driverSupports, knownGpusFor, minComputeCapabilityFor, minDriverFor, supportsComputeCapability } from './cuda-compat.ts';
import type { GpuPool } from './gpu-pools.ts';

export type PlacementResult =
  | { readonly ok: true; readonly pool: GpuPool | null; readonly gpus: number; readonly reason: string }
  | { readonly ok: false; readonly reason: string };

export interface PlacementInput {
  /** GPUs the project needs (from `gpuCount`); 0 runs on CPU. */
  readonly gpus: number;
  /** The image's CUDA as `major.minor`, or null when the image is CUDA-based but its version is unknown. */
  readonly cudaVersion: string | null;
  /** The base image, named in messages. */
  readonly image: string;
  /** Run on CPU instead of failing when no pool fits (the demo may be slow, or may not start). */
  readonly preferCpuFallback: boolean;
}

const NO_GPU = 'this host has no GPU (no pool configured or detected)';

/**
 * Picks the first pool that can run the image: its driver is new enough for the image's CUDA,
 * that CUDA still supports its GPUs' architecture, and it has enough GPUs. Decided before
 * anything is built, so an impossible placement fails in seconds with a reason that says, pool
 * by pool, what is missing.
 */
export function placeProject(input: PlacementInput, pools: readonly GpuPool[]): PlacementResult {
  if (input.gpus <= 0) return { ok: true, pool: null, gpus: 0, reason: 'CPU image' };
  const { cudaVersion: cuda } = input;

  for (const pool of pools) {
    if (misfits(input, pool).length > 0) continue;
    const why =
      cuda === null
        ? "the image's CUDA version is unknown, so any driver is accepted"
        : `its driver runs CUDA ${cuda}${minDriverFor(cuda) ? ` (needs ${minDriverFor(cuda)} or newer)` : ''}`;
    return { ok: true, pool, gpus: input.gpus, reason: `${describe(pool)} fits: ${why}` };
  }

  const problem =
    pools.length === 0
      ? NO_GPU
      : `no GPU pool fits ${input.image} (${needs(input)}): ${pools.map((pool) => `${describe(pool)}: ${misfits(input, pool).join('; ')}`).join('. ')}`;
  if (input.preferCpuFallback) return { ok: true, pool: null, gpus: 0, reason: `falls back to CPU because ${problem}` };
  return { ok: false, reason: `${problem}. ${advice(input, pools.length > 0)}` };
}

/** Why this pool cannot take the project; empty when it can. */
function misfits(input: PlacementInput, pool: GpuPool): string[] {
  const { cudaVersion: cuda } = input;
  const reasons: string[] = [];
  if (cuda !== null && !driverSupports(pool.driverVersion, cuda)) {
    reasons.push(`driver ${pool.driverVersion} is older than ${minDriverFor(cuda)} that CUDA ${cuda} needs`);
  }
  if (cuda !== null && !supportsComputeCapability(cuda, pool.computeCapability)) {
    reasons.push(
      `CUDA ${cuda} no longer supports compute capability ${pool.computeCapability}; it needs ${minComputeCapabilityFor(cuda)} or newer (e.g. ${knownGpusFor(cuda).join(', ')})`,
    );
  }
  if (pool.maxGpus < input.gpus) reasons.push(`it has at most ${pool.maxGpus} GPU${pool.maxGpus === 1 ? '' : 's'} per project, ${input.gpus} asked`);
  return reasons;
}

function describe(pool: GpuPool): string {
  return `pool ${pool.name} (${pool.gpuModel}, compute ${pool.computeCapability}, driver ${pool.driverVersion})`;
}

function needs(input: PlacementInput): string {
  const gpus = `${input.gpus} GPU${input.gpus === 1 ? '' : 's'}`;
  if (input.cudaVersion === null) return `CUDA version unknown, ${gpus}`;
  const driver = minDriverFor(input.cudaVersion);
  return `CUDA ${input.cudaVersion}${driver ? `, driver ${driver} or newer` : ''}, ${gpus}`;
}

function advice(input: PlacementInput, hasPools: boolean): string {
  const cpu = "or set the project's gpu to off to run it on CPU";
  if (!hasPools) return `Run it on a host with an NVIDIA GPU and the NVIDIA Container Toolkit, configure a GPU pool, ${cpu}`;
  return `Use a base image with an older CUDA, upgrade the driver, ${input.gpus > 1 ? 'ask for fewer GPUs, ' : ''}${cpu}`;
}
