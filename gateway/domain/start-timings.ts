/**
 * What one start of a container waited on, in milliseconds, for the deployment log (a deploy's
 * first start) and the runtime log (a wake). Null for a step the runtime has no timestamps for.
 * Only runtimes that know report it (ECS, from its task timestamps: adapters/aws/task-timings.ts).
 */
export interface StartTimings {
  /** From the start being asked for to the container having a place to run (a host, its network interface). */
  readonly placementMs: number | null;
  /** The part of placement spent waiting for a new instance to join the cluster (a GPU pool scaling out); null: none had to, or unknown. */
  readonly instanceLaunchMs: number | null;
  readonly pullMs: number | null;
  readonly startMs: number | null;
  /** From the container running to the first HTTP answer Portico saw. */
  readonly firstAnswerMs: number | null;
  readonly totalMs: number | null;
}

const seconds = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

/** `placement 31.0 s (of which 25.0 s waiting for a new instance to join the cluster), image pull 38.5 s, container start 2.1 s, first answer 2.6 s` */
export function describeSteps(timings: StartTimings): string {
  const launch = timings.instanceLaunchMs === null ? '' : ` (of which ${seconds(timings.instanceLaunchMs)} waiting for a new instance to join the cluster)`;
  // No pull timestamps for a task that was placed: the image was already on the host.
  const cached = timings.pullMs === null && timings.placementMs !== null;
  const pull = cached ? 'image pull none (cached on the host)' : `image pull ${seconds(timings.pullMs)}`;
  return `placement ${seconds(timings.placementMs)}${launch}, ${pull}, container start ${seconds(timings.startMs)}, first answer ${seconds(timings.firstAnswerMs)}`;
}

/** `in 74.2 s: placement 31.0 s, …`, for a line that begins with what happened (`started`, `woke`). */
export function describeStart(timings: StartTimings): string {
  return `in ${seconds(timings.totalMs)}: ${describeSteps(timings)}`;
}

/** `[portico] woke at 2026-11-30 13:00:00 UTC in 74.2 s: placement …`, the runtime log's line for a wake. */
export function describeWake(wake: { readonly at: Date; readonly timings: StartTimings }): string {
  return `[portico] woke at ${wake.at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} ${describeStart(wake.timings)}\n`;
}
