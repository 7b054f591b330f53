/** Traffic a data plane carried straight to one endpoint's container, counted since it started. */
export interface RouteActivity {
  /** Requests (and WebSockets) under way on the direct route right now. */
  readonly inFlight: number;
  readonly requests: number;
  /** Requests the container answered with a 5xx or failed to answer. */
  readonly errors: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/**
 * A proxy engine in front of Portico that carries warm traffic straight to containers (HAProxy),
 * with Portico as the activator: an endpoint without a route reaches Portico, which wakes the demo
 * and then routes it. Labels are endpoint labels; the adapter turns them into hosts.
 * Routes change live, never by reloading the engine.
 */
export interface DataPlane {
  /** Sends the endpoint's requests straight to `upstream` (a base URL) from now on. Idempotent. */
  route(label: string, upstream: string): Promise<void>;
  /**
   * Takes the route away (new requests reach Portico again) and waits until none of the requests
   * it carried is still under way, at most `timeoutMs`: false when some still are.
   */
  drain(label: string, timeoutMs: number): Promise<boolean>;
  /** Takes the route away without waiting (a redeploy or a removed project). Idempotent. */
  unroute(label: string): Promise<void>;
  /** What the engine carried per label, for activity (pause, stop) and metrics. */
  activity(): Promise<ReadonlyMap<string, RouteActivity>>;
  close(): Promise<void>;
}
