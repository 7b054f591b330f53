import type { GpuPool } from '../domain/gpu-pools.ts';
import type { Clock } from '../ports/clock.ts';
import type { ContainerRuntime } from '../ports/container-runtime.ts';
import type { ImageBuilder } from '../ports/image-builder.ts';
import type { ProjectStore } from '../ports/project-store.ts';
import type { SourceReader } from '../ports/source-fetcher.ts';
import type { GpuReserver } from './gpu-reserver.ts';

/** The adapters a Portico core runs on; local and AWS differ only here. */
export interface Ports {
  readonly store: ProjectStore;
  /** Locally the deploy pipeline also downloads the tree (deploy-pipeline.ts); on AWS CodeBuild does. */
  readonly source: SourceReader;
  readonly builder: ImageBuilder;
  readonly runtime: ContainerRuntime;
  readonly clock: Clock;
}

/** Settings the deploy pipeline needs, taken from `Config`. */
export interface DeploySettings {
  /** Scratch directory for fetched sources; each deployment gets its own subdirectory, removed afterwards. */
  readonly workDir: string;
  readonly startupTimeoutMs: number;
  readonly containerMemoryBytes: number;
  readonly containerNanoCpus: number;
  /** GPU pools a deployment may be placed in; empty when the host has none. */
  readonly gpuPools: readonly GpuPool[];
  /** Images kept per project after a successful deploy; older ones are pruned. Unset: none pruned. */
  readonly keepImages?: number;
  /** Counts the GPUs a pool has free before a new container starts (the scaler); unset: not counted. */
  readonly gpuReserver?: GpuReserver;
}
