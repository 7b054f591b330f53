import { KNOWN_GPUS, computeCapabilityOf } from './cuda-compat.ts';

/** A set of identical GPUs a project can be placed on: the local machine, or an AWS GPU capacity provider. */
export interface GpuPool {
  readonly name: string;
  /** As nvidia-smi names it, e.g. `Tesla T4`. */
  readonly gpuModel: string;
  /** `major.minor`, e.g. `7.5`. */
  readonly computeCapability: string;
  /** The host driver, e.g. `550.54.14`. */
  readonly driverVersion: string;
  /** The most GPUs one project may get from this pool. */
  readonly maxGpus: number;
  /** EC2 instance types behind the pool (AWS only; empty locally). */
  readonly instanceTypes: readonly string[];
}

const FIELDS = ['name', 'gpuModel', 'computeCapability', 'driverVersion', 'maxGpus', 'instanceTypes'];
const EXAMPLE = '[{"name":"t4","gpuModel":"Tesla T4","computeCapability":"7.5","driverVersion":"550.54.14","maxGpus":1}]';

/**
 * Reads the operator's GPU pool config: a JSON array of pools, tried in order. Throws an Error
 * naming the pool and field at fault and what is expected there. `computeCapability` may be
 * left out when `gpuModel` names a GPU Portico knows (T4, A10G, A100, L4, H100, …).
 */
export function parseGpuPools(json: string): GpuPool[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`GPU pools are not valid JSON (${error instanceof Error ? error.message : String(error)}); expected e.g. ${EXAMPLE}`);
  }
  if (!Array.isArray(value)) throw new Error(`GPU pools must be a JSON array of pools, e.g. ${EXAMPLE}`);
  const pools = value.map((entry, index) => parsePool(entry, index));
  const seen = new Map<string, number>();
  pools.forEach((pool, index) => {
    const first = seen.get(pool.name);
    if (first !== undefined) throw new Error(`GPU pool ${index}: name "${pool.name}" is already used by pool ${first}; give each pool its own name`);
    seen.set(pool.name, index);
  });
  return pools;
}

function parsePool(entry: unknown, index: number): GpuPool {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`GPU pool ${index} must be an object like ${EXAMPLE.slice(1, -1)}`);
  }
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FIELDS.includes(key)) throw new Error(`GPU pool ${index}: unknown field "${key}"; the fields are ${FIELDS.join(', ')}`);
  }
  /** The field's value when `valid` accepts it; otherwise an error saying what was expected and what came. */
  function field<T>(key: string, value: unknown, valid: (value: unknown) => value is T, expected: string): T {
    if (valid(value)) return value;
    throw new Error(`GPU pool ${index}: ${key} must be ${expected}, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  const matches = (pattern: RegExp) => (value: unknown): value is string => typeof value === 'string' && pattern.test(value);

  const name = field('name', fields.name, matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/), 'a name of letters, digits, ".", "_" or "-" (up to 63), e.g. "t4"');
  const gpuModel = field('gpuModel', fields.gpuModel, matches(/\S/), 'the GPU model as nvidia-smi names it, e.g. "Tesla T4"').trim();
  const computeCapability = field(
    'computeCapability',
    fields.computeCapability ?? computeCapabilityOf(gpuModel) ?? undefined,
    matches(/^\d{1,2}\.\d$/),
    `the GPU's compute capability as a string "major.minor", e.g. "7.5" for a T4 (nvidia-smi --query-gpu=compute_cap)` +
      (fields.computeCapability === undefined ? `; it may be left out only for GPUs Portico knows (${Object.keys(KNOWN_GPUS).join(', ')})` : ''),
  );
  const driverVersion = field(
    'driverVersion',
    fields.driverVersion,
    matches(/^\d+\.\d+(?:\.\d+)?$/),
    'the host NVIDIA driver version as a string, e.g. "550.54.14" (nvidia-smi --query-gpu=driver_version)',
  );
  const maxGpus = field(
    'maxGpus',
    fields.maxGpus,
    (value): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1,
    'a positive whole number of GPUs, e.g. 1',
  );
  const instanceTypes = field(
    'instanceTypes',
    fields.instanceTypes ?? [],
    (value): value is string[] => Array.isArray(value) && value.every(matches(/^[a-z0-9-]+\.[a-z0-9-]+$/)),
    'a list of EC2 instance types, e.g. ["g4dn.xlarge"], or left out',
  );
  return { name, gpuModel, computeCapability, driverVersion, maxGpus, instanceTypes: [...instanceTypes] };
}
