import type { StartTimings } from '../domain/start-timings.ts';
import type { ContainerRef } from '../domain/types.ts';

export interface StartRequest {
  readonly projectId: string;
  readonly deploymentId: string;
  readonly image: string;
  /**
   * The port the app is declared to listen on inside the container; passed as `PORT` (and the
   * Gradio and Streamlit port variables) unless the request's env sets them.
   */
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly memoryBytes: number;
  readonly nanoCpus: number;
  /** GPUs to attach; 0 for none. */
  readonly gpus: number;
  /** The GPU pool the placement chose (ECS runs it on that pool's capacity provider); null or absent for CPU. */
  readonly pool?: string | null;
}

export interface ReadyOptions {
  readonly startupTimeoutMs: number;
  readonly probeIntervalMs?: number;
  /** The container's own output (stdout and stderr as written) while it starts, for the deployment log. */
  readonly onOutput?: (text: string) => void;
  /** Called about every `waitingNoteMs` while nothing answers yet, with the time waited so far. */
  readonly onWaiting?: (waitedMs: number) => void;
  readonly waitingNoteMs?: number;
}

/** A container that answers HTTP, and where. */
export interface ReadyContainer {
  /** Its address: the one `start` returned, or another port of it when the app listens elsewhere. */
  readonly container: ContainerRef;
  /** The port that answered: the declared one, or the one the app was found listening on. */
  readonly port: number;
  /**
   * What this run of the container waited on before it first answered, reported once per run by
   * the runtime instance that started or woke it, on the probe that saw the first answer. Only
   * runtimes that know set it (ECS: `runId` is the task ARN).
   */
  readonly started?: { readonly runId: string; readonly timings: StartTimings };
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
   * Resolves once the container answers HTTP. When nothing answers on its declared port while it
   * runs, a runtime that can see the ports the app really listens on uses the one it opened.
   * Throws `start_failed` carrying the container's last log lines when it exits (at once, not at
   * the timeout), listens only on loopback, or stays silent for `startupTimeoutMs`.
   */
  waitUntilReady(container: ContainerRef, options: ReadyOptions): Promise<ReadyContainer>;
  /**
   * The container's current address if it is running, else null (after a gateway or engine restart).
   * `port`: the port the app was found on (ContainerRef.port), when it differs from the declared one.
   */
  locate(containerId: string, port?: number): Promise<ContainerRef | null>;
  /** Freezes a running container's processes (no CPU, memory kept, instant to resume). Already paused is success. */
  pause(containerId: string): Promise<void>;
  /** Stops a container but keeps it for `resume` (scale to zero). Already stopped is success. */
  stop(containerId: string): Promise<void>;
  /**
   * Brings a paused or stopped container back and returns its address, which may differ from
   * before (a restarted container gets a new published port). Does not wait for readiness.
   * Running already is success. Missing throws `start_failed`.
   */
  resume(containerId: string, port?: number): Promise<ContainerRef>;
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
  /**
   * Calls `onChange` with a demo container's id whenever the engine starts, stops, pauses or
   * resumes it, whoever caused it, for runtimes whose engine reports that; returns a stop function.
   */
  watch?(onChange: (containerId: string) => void): () => void;
}

/**
 * Waking without waiting, for hosts where a request cannot outlive the wake (Lambda in front of
 * ECS, where a task takes tens of seconds to start and a GPU instance minutes).
 */
export interface AsyncWake {
  /** Asks for the stopped container to run again and returns at once. Idempotent. */
  requestWake(containerId: string): Promise<void>;
}
