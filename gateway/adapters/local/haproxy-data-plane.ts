import type { DataPlane, RouteActivity } from '../../ports/data-plane.ts';
import { createHaproxyAdmin } from './haproxy-admin.ts';
import { type HaproxyCertificates, createHaproxyCertificates } from './haproxy-certificates.ts';
import { type HaproxySettings, haproxyFiles } from './haproxy-config.ts';
import { type HaproxySupervisor, superviseHaproxy } from './haproxy-supervisor.ts';

const DRAIN_POLL_MS = 20;

export interface HaproxyDataPlaneSettings extends Omit<HaproxySettings, 'activatorPort'> {
  readonly domain: string;
  readonly binary?: string;
  readonly log?: (line: string) => void;
}

export interface HaproxyDataPlane extends DataPlane {
  /** Writes the config and starts HAProxy in front of Portico's own listener, on `activatorPort`. */
  start(activatorPort: number): Promise<void>;
  readonly pid: number | undefined;
  /** With ACME (`tls.acme`): the certificates HAProxy serves, changed at run time. */
  readonly certificates: HaproxyCertificates;
}

/**
 * HAProxy as Portico's data plane: routes are entries of a map changed over the admin socket
 * (`set map`/`add map`/`del map`), activity and counters come from the stick table keyed by host.
 */
export function createHaproxyDataPlane(settings: HaproxyDataPlaneSettings): HaproxyDataPlane {
  const routes = new Map<string, string>(); // host → ip:port, to load again if HAProxy restarts
  const files = haproxyFiles(settings.dir);
  const admin = createHaproxyAdmin(files.socket);
  let supervisor: HaproxySupervisor | null = null;
  const certificates = createHaproxyCertificates(settings.dir, admin, () => supervisor !== null);
  const suffix = `.${settings.domain}`;
  const hostOf = (label: string) => `${label}${suffix}`.toLowerCase();
  // Route changes reach HAProxy in the order they were made (each command is its own connection).
  let changes: Promise<unknown> = Promise.resolve();
  const inOrder = (change: () => Promise<void>): Promise<void> => {
    const next = changes.then(change, change);
    changes = next.catch(() => undefined);
    return next;
  };

  async function inFlight(host: string): Promise<number> {
    const rows = await admin.showTable('containers');
    return rows.find((row) => row.key === host)?.counters.conn_cur ?? 0;
  }

  async function unroute(label: string): Promise<void> {
    const host = hostOf(label);
    routes.delete(host);
    await inOrder(() => admin.delMap(files.routes, host));
  }

  return {
    get pid() {
      return supervisor?.pid;
    },
    certificates,
    async start(activatorPort) {
      const { domain: _domain, binary, log, ...rest } = settings;
      supervisor = await superviseHaproxy({ ...rest, activatorPort }, { routes: () => routes, certificates: () => certificates.current(), ...(binary ? { binary } : {}), ...(log ? { log } : {}) });
    },
    async route(label, upstream) {
      const url = new URL(upstream);
      const address = `${url.hostname}:${url.port || '80'}`;
      const host = hostOf(label);
      routes.set(host, address);
      await inOrder(() => admin.setMap(files.routes, host, address));
    },
    unroute,
    async drain(label, timeoutMs) {
      await unroute(label);
      const host = hostOf(label);
      const deadline = Date.now() + timeoutMs;
      while ((await inFlight(host)) > 0) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
      return true;
    },
    async activity() {
      const byLabel = new Map<string, RouteActivity>();
      for (const { key, counters } of await admin.showTable('containers')) {
        if (!key.endsWith(suffix)) continue;
        byLabel.set(key.slice(0, -suffix.length), {
          inFlight: counters.conn_cur ?? 0,
          requests: counters.http_req_cnt ?? 0,
          errors: counters.http_fail_cnt ?? 0,
          bytesIn: counters.bytes_in_cnt ?? 0,
          bytesOut: counters.bytes_out_cnt ?? 0,
        });
      }
      return byLabel;
    },
    close: async () => supervisor?.stop(),
  };
}
