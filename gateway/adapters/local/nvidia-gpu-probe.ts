import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { computeCapabilityOf } from '../../domain/cuda-compat.ts';
import type { GpuPool } from '../../domain/gpu-pools.ts';

const run = promisify(execFile);

export interface DetectedGpu {
  readonly name: string;
  readonly driverVersion: string;
  readonly computeCapability: string;
}

const QUERY = ['--query-gpu=name,driver_version,compute_cap', '--format=csv'];
/** Drivers before R510 do not know the compute_cap field; their GPUs are then looked up by model name. */
const QUERY_WITHOUT_CC = ['--query-gpu=name,driver_version', '--format=csv'];
const TIMEOUT_MS = 10_000;

/**
 * Reads `nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv` (or the same
 * without compute_cap): one GPU per line after the header. A compute capability that is missing
 * or `[N/A]` is taken from the model name when Portico knows the model. Throws on a line it
 * cannot read, naming the line.
 */
export function parseNvidiaSmi(csv: string): DetectedGpu[] {
  const gpus: DetectedGpu[] = [];
  for (const line of csv.split(/\r?\n/).map((text) => text.trim())) {
    if (line === '' || line.startsWith('name,')) continue;
    const [name = '', driverVersion = '', reported, ...extra] = line.split(',').map((field) => field.trim());
    if (name === '' || !/^\d+\.\d+(?:\.\d+)?$/.test(driverVersion) || extra.length > 0) {
      throw new Error(`unexpected nvidia-smi output line: ${line}`);
    }
    const computeCapability = reported !== undefined && /^\d+\.\d+$/.test(reported) ? reported : computeCapabilityOf(name);
    if (computeCapability === null) throw new Error(`nvidia-smi gives no compute capability for ${name}, and Portico does not know that model`);
    gpus.push({ name, driverVersion, computeCapability });
  }
  return gpus;
}

/**
 * The local machine's GPUs as one pool named `local`, or null when there are none Docker can
 * use: nvidia-smi is missing or fails, reports no GPU, or (when Docker's runtimes are given)
 * the NVIDIA Container Toolkit is not registered with Docker. The pool takes the first GPU's
 * model, driver and compute capability; `maxGpus` is the number of GPUs.
 */
export async function detectLocalGpuPool(options: { nvidiaSmi?: string; dockerRuntimes?: string[] } = {}): Promise<GpuPool | null> {
  const { nvidiaSmi = 'nvidia-smi', dockerRuntimes } = options;
  if (dockerRuntimes && !dockerRuntimes.some(isNvidiaRuntimeName)) return null;
  let result = await query(nvidiaSmi, QUERY);
  if (!result.ok && result.output.includes('compute_cap')) result = await query(nvidiaSmi, QUERY_WITHOUT_CC);
  if (!result.ok) return null;
  let gpus: DetectedGpu[];
  try {
    gpus = parseNvidiaSmi(result.output);
  } catch {
    return null;
  }
  const first = gpus[0];
  if (!first) return null;
  return {
    name: 'local',
    gpuModel: first.name,
    computeCapability: first.computeCapability,
    driverVersion: first.driverVersion,
    maxGpus: gpus.length,
    instanceTypes: [],
  };
}

/** nvidia-smi's standard output, or what it said when it is missing (ENOENT), exits non-zero or hangs. */
async function query(nvidiaSmi: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(nvidiaSmi, args, { timeout: TIMEOUT_MS, encoding: 'utf8' });
    return { ok: true, output: stdout };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

/**
 * Whether `docker info`'s `Runtimes` map has the NVIDIA Container Toolkit: a runtime named
 * `nvidia…` (`nvidia`, `nvidia-cdi`, …) or one whose binary is `nvidia-container-runtime…`.
 */
export function hasNvidiaRuntime(runtimes: Record<string, unknown>): boolean {
  return Object.entries(runtimes).some(([name, runtime]) => {
    const path = typeof runtime === 'object' && runtime !== null ? (runtime as { path?: unknown }).path : undefined;
    return isNvidiaRuntimeName(name) || (typeof path === 'string' && /(?:^|\/)nvidia-container-runtime[^/]*$/.test(path));
  });
}

function isNvidiaRuntimeName(name: string): boolean {
  return /^nvidia(?:$|[-_.])/i.test(name);
}
