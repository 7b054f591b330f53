/**
 * A release the API records but does not run: on Lambda a release waits minutes for its task to
 * answer, longer than a request should, so the API hands it to the function that runs releases.
 */
export interface RollbackRelease {
  readonly kind: 'rollback';
  /** The queued deployment that releases the kept image. */
  readonly deploymentId: string;
  /** The earlier deployment whose kept image it releases. */
  readonly targetId: string;
}

export type ReleaseJob = RollbackRelease;

/** Hands a release to whatever runs it (the build-events function on AWS). Resolves once it is accepted, not run. */
export interface ReleaseQueue {
  send(job: ReleaseJob): Promise<void>;
}

/** Whether an event a function received is a release job (and not, say, a CodeBuild event). */
export function isReleaseJob(event: unknown): event is ReleaseJob {
  const job = event as Partial<RollbackRelease> | null;
  return typeof job === 'object' && job !== null && job.kind === 'rollback' && typeof job.deploymentId === 'string' && typeof job.targetId === 'string';
}
