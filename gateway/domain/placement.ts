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
  const checked = pools.map((pool) => ({ pool, misfits: misfits(input, pool) }));

  const fit = checked.find(({ misfits }) => misfits.length === 0);
  if (fit) {
    const minimum = cuda === null ? null : minDriverFor(cuda);
    const why =
      cuda === null
        ? "the image's CUDA version is unknown, so any driver is accepted"
        : `its driver runs CUDA ${cuda}${minimum ? ` (needs ${minimum} or newer)` : ''}`;
    return { ok: true, pool: fit.pool, gpus: input.gpus, reason: `${describe(fit.pool)} fits: ${why}` };
  }

  const problem =
    pools.length === 0
      ? NO_GPU
      : `no GPU pool fits ${input.image} (${needs(input)}): ${checked.map(({ pool, misfits }) => `${describe(pool)}: ${misfits.map((misfit) => misfit.text).join(' and ')}`).join('; ')}`;
  if (input.preferCpuFallback) return { ok: true, pool: null, gpus: 0, reason: `falls back to CPU because ${problem}` };
  const kinds = new Set(checked.flatMap(({ misfits }) => misfits.map((misfit) => misfit.kind)));
  return { ok: false, reason: `${capitalize(problem)}. ${capitalize(advice(input, kinds, pools.length > 0))}.` };
}

type MisfitKind = 'driver' | 'architecture' | 'count';

/** Why this pool cannot take the project; empty when it can. */
function misfits(input: PlacementInput, pool: GpuPool): Array<{ kind: MisfitKind; text: string }> {
  const { cudaVersion: cuda } = input;
  const found: Array<{ kind: MisfitKind; text: string }> = [];
  if (cuda !== null && !driverSupports(pool.driverVersion, cuda)) {
    found.push({ kind: 'driver', text: `driver ${pool.driverVersion} is older than ${minDriverFor(cuda)} that CUDA ${cuda} needs` });
  }
  if (cuda !== null && !supportsComputeCapability(cuda, pool.computeCapability)) {
    const examples = knownGpusFor(cuda).join(', ');
    found.push({
      kind: 'architecture',
      text: `CUDA ${cuda} no longer supports compute capability ${pool.computeCapability} (it needs ${minComputeCapabilityFor(cuda)} or newer, e.g. ${examples})`,
    });
  }
  if (pool.maxGpus < input.gpus) {
    found.push({ kind: 'count', text: `it gives at most ${plural(pool.maxGpus, 'GPU')} to a project where ${input.gpus} were asked` });
  }
  return found;
}

function describe(pool: GpuPool): string {
  return `pool ${pool.name} (${pool.gpuModel}, compute ${pool.computeCapability}, driver ${pool.driverVersion})`;
}

function needs(input: PlacementInput): string {
  const gpus = plural(input.gpus, 'GPU');
  if (input.cudaVersion === null) return `CUDA version unknown, ${gpus}`;
  const driver = minDriverFor(input.cudaVersion);
  return `CUDA ${input.cudaVersion}${driver ? `, driver ${driver} or newer` : ''}, ${gpus}`;
}

/** What the user can change, for the kinds of misfit found. */
function advice(input: PlacementInput, kinds: ReadonlySet<MisfitKind>, hasPools: boolean): string {
  const cpu = "or set the project's gpu to off to run it on CPU";
  if (!hasPools) return `run it on a host with an NVIDIA GPU and the NVIDIA Container Toolkit, configure a GPU pool, ${cpu}`;
  const hints: string[] = [];
  if (kinds.has('driver') || kinds.has('architecture')) hints.push('use a base image with an older CUDA');
  if (kinds.has('driver') && input.cudaVersion) hints.push(`upgrade the host driver to ${minDriverFor(input.cudaVersion)} or newer`);
  if (kinds.has('count')) hints.push('ask for fewer GPUs');
  return `${hints.join(', ')}, ${cpu}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
