import type { GpuPool } from '../gateway/domain/gpu-pools.ts';

/** A GPU pool as CDK context describes it (see config.ts); structural so this file needs no zod. */
export interface GpuPoolContext {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly gpusPerInstance: number;
  readonly gpuModel: string;
  readonly computeCapability?: string | undefined;
  readonly driverVersion: string;
}

/** The pools as the gateway's `PORTICO_GPU_POOLS` (parseGpuPools) reads them. */
export type GpuPoolSetting = Omit<GpuPool, 'computeCapability'> & { readonly computeCapability?: string };

/**
 * Context pools → the gateway's GpuPool JSON. A demo gets at most one instance's GPUs (a task
 * cannot span instances), so `maxGpus` is `gpusPerInstance`. computeCapability is passed on only
 * when the operator set it; otherwise the gateway infers it from gpuModel.
 */
export function gpuPoolsOf(pools: readonly GpuPoolContext[]): GpuPoolSetting[] {
  return pools.map((pool) => ({
    name: pool.name,
    gpuModel: pool.gpuModel,
    ...(pool.computeCapability ? { computeCapability: pool.computeCapability } : {}),
    driverVersion: pool.driverVersion,
    maxGpus: pool.gpusPerInstance,
    instanceTypes: [...pool.instanceTypes],
  }));
}
