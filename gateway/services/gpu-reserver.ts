/** What a new deployment's container needs from the pool before it starts. */
export interface GpuRequest {
  readonly projectId: string;
  readonly deploymentId: string;
  readonly pool: string;
  readonly gpus: number;
}

/** GPUs held for a container that is starting; `release` once it serves (the scaler then counts it) or is gone. Idempotent. */
export interface GpuReservation {
  release(): void;
}

/**
 * Holds a pool's GPUs for a new deployment's container from before it starts, counting every
 * container that holds GPUs now (running, paused, waking, starting). Makes room as the
 * operator's contention setting says, or throws `PorticoError('placement_failed')` naming who
 * holds the pool. `note` receives what was done to make room, for the deployment log.
 */
export interface GpuReserver {
  reserveGpus(request: GpuRequest, note: (line: string) => Promise<void>): Promise<GpuReservation>;
}
