import type { ContainerRef } from '../domain/types.ts';

export interface StartRequest {
  readonly projectId: string;
  readonly deploymentId: string;
  readonly image: string;
  /** The port the app listens on inside the container; also passed as `PORT`. */
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly memoryBytes: number;
  readonly nanoCpus: number;
  /** GPUs to attach; 0 for none. */
  readonly gpus: number;
  /** The GPU pool the placement chose (ECS runs it on that pool's capacity provider); null or absent for CPU. */
  readonly pool?: string | null;
}

/**
 * What the engine says a container is doing. `crashed`: it exited on its own with a failure
 * (or is between the engine's restarts of a crash loop), as opposed to `stopped` by Portico.
 */
export type ContainerStatus = 'running' | 'paused' | 'stopped' | 'crashed' | 'missing';

/**
 * Runs containers. Operations are idempotent: stopping a container that is already gone is
 * success. Failures throw `PorticoError` (`start_failed`, `engine_unavailable`).
 */
export interface ContainerRuntime {
  /** Throws `engine_unavailable` with a message that says where it looked and how to start one. */
  ping(): Promise<void>;
  start(request: StartRequest): Promise<ContainerRef>;
  /**
   * Resolves once the container answers HTTP on its port. Throws `start_failed` carrying the
   * container's last log lines when it exits or stays silent for `startupTimeoutMs`.
   */
  waitUntilReady(container: ContainerRef, options: { readonly startupTimeoutMs: number; readonly probeIntervalMs?: number }): Promise<void>;
  /** The container's current address if it is running, else null (after a gateway or engine restart). */
  locate(containerId: string): Promise<ContainerRef | null>;
  /** Freezes a running container's processes (no CPU, memory kept, instant to resume). Already paused is success. */
  pause(containerId: string): Promise<void>;
  /** Stops a container but keeps it for `resume` (scale to zero). Already stopped is success. */
  stop(containerId: string): Promise<void>;
  /**
   * Brings a paused or stopped container back and returns its address, which may differ from
   * before (a restarted container gets a new published port). Does not wait for readiness.
   * Running already is success. Missing throws `start_failed`.
   */
  resume(containerId: string): Promise<ContainerRef>;
  status(containerId: string): Promise<ContainerStatus>;
  /**
   * The container's last `tail` lines of output (stdout and stderr as written), for the dashboard's
   * runtime log. A runtime that cannot read them says where they are instead.
   */
  logs(containerId: string, options: { readonly tail: number }): Promise<string>;
  /** Stops and removes one container. */
  remove(containerId: string): Promise<void>;
  /** Stops and removes every container labelled with this project. */
  removeProjectContainers(projectId: string): Promise<void>;
}

/**
 * Waking without waiting, for hosts where a request cannot outlive the wake (Lambda in front of
 * ECS, where a task takes tens of seconds to start and a GPU instance minutes).
 */
export interface AsyncWake {
  /** Asks for the stopped container to run again and returns at once. Idempotent. */
  requestWake(containerId: string): Promise<void>;
}
