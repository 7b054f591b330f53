/**
 * When each project last served a request, kept where every gateway instance can see it. Locally
 * the one gateway process knows this in memory; on Lambda many short-lived instances serve
 * requests and a separate reaper decides what is idle, so the time has to be stored.
 */
export interface ActivityLog {
  /** Records a request to the project at `at`; never moves the time backwards. */
  touch(projectId: string, at: Date): Promise<void>;
  lastActive(projectId: string): Promise<Date | null>;
}
