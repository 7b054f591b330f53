/** Portico's own vocabulary. Every port speaks these types; no SDK or dockerode type crosses a port. */

import type { DemoCard } from './demo-card.ts';

/** Where a project's source lives, as parsed from what the user typed. */
export type SourceSpec =
  | { readonly kind: 'github'; readonly owner: string; readonly repo: string }
  | { readonly kind: 'git'; readonly url: string; readonly owner: string; readonly repo: string }
  | { readonly kind: 'dir'; readonly path: string; readonly owner: string; readonly repo: string };

/** A source pinned to one commit (for a directory: a hash of its contents). */
export interface ResolvedSource {
  readonly spec: SourceSpec;
  readonly branch: string;
  readonly commit: string;
}

/**
 * `auto` follows the Dockerfile (CUDA base → 1 GPU), `prefer` too but runs on CPU when no GPU
 * pool fits, `off` never, a number forces that many.
 */
export type GpuSetting = 'auto' | 'prefer' | 'off' | number;

/** Where a deployment runs and why, decided before anything is built. */
export interface Placement {
  readonly gpus: number;
  readonly cudaVersion: string | null;
  /** The GPU pool chosen, or null for CPU. */
  readonly pool: string | null;
  readonly reason: string;
}

export interface Project {
  /** The endpoint label, `{branch}-{repo}-{owner}`. */
  readonly id: string;
  readonly source: SourceSpec;
  readonly branch: string;
  /** Dockerfile path relative to the repository root. */
  readonly dockerfile: string;
  /** Build context directory relative to the repository root. */
  readonly context: string;
  readonly gpu: GpuSetting;
  readonly env: Readonly<Record<string, string>>;
  /** Passed to the container as environment variables like `env`, but never shown by the API or written to a log. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly idleTimeoutSeconds: number;
  /** The port the app listens on, set by its owner; null: found from the README front matter and the Dockerfile. */
  readonly port: number | null;
  /** How long a new container may take to answer; null: the gateway's default (PORTICO_STARTUP_TIMEOUT_MS). */
  readonly startupTimeoutSeconds: number | null;
  readonly createdAt: string;
  /** The deployment that is serving, if any. */
  readonly currentDeploymentId: string | null;
}

export type PhaseName = 'resolving' | 'fetching' | 'building' | 'starting';
export type DeploymentStatus = 'queued' | PhaseName | 'ready' | 'failed' | 'superseded';

export interface Phase {
  readonly name: PhaseName;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/** A started container, as far as the gateway needs to know it. */
export interface ContainerRef {
  readonly id: string;
  /** Base URL the gateway proxies to, e.g. `http://172.18.0.5:8501` or `http://127.0.0.1:32768`. */
  readonly upstream: string;
  /** The port the app listens on inside the container, once known (absent in records written before it was kept). */
  readonly port?: number;
}

export interface Deployment {
  readonly id: string;
  readonly projectId: string;
  readonly status: DeploymentStatus;
  readonly commit: string | null;
  readonly phases: readonly Phase[];
  readonly error: string | null;
  readonly image: string | null;
  readonly container: ContainerRef | null;
  readonly placement: Placement | null;
  /** The port the app answers on: declared before the build, corrected by what the container really listens on. */
  readonly port: number | null;
  /** What was found and why, e.g. "listens on 8501, not the EXPOSEd 80". */
  readonly portReason: string | null;
  /** The README's front matter (Hugging Face Spaces card) at this deployment's commit. */
  readonly card: DemoCard | null;
  readonly createdAt: string;
}
