import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { callApi, freePort } from '../test/support/net.ts';

const PORTICO_BIN = fileURLToPath(new URL('../bin/portico.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * `portico serve` in its own process, so its memory and descriptors can be read from /proc
 * without the load generator's mixed in.
 */
export interface GatewayProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** A JSON call to the REST API. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A plain-text GET on the gateway's own host (e.g. /metrics). */
  text(path: string): Promise<string>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** VmRSS in MB and the number of open fds, read from /proc. */
  usage(): Promise<{ rssMb: number; fds: number }>;
  /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
  stop(): Promise<void>;
}

/** Starts the gateway with `settings` as its environment (inherited PORTICO_* variables are dropped), logging to `logPath`. */
export async function spawnGateway(settings: Readonly<Record<string, string>>, dataDir: string, logPath: string): Promise<GatewayProcess> {
  const port = await freePort();
  const env: Record<string, string | undefined> = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTICO_')));
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, [PORTICO_BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], {
    env: { ...env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
    log.end();
  });
  const url = `http://127.0.0.1:${port}`;

  const self: GatewayProcess = {
    pid: child.pid!,
    port,
    url,
    api: (method, path, body) => callApi(url, method, path, body),
    async text(path) {
      const response = await fetch(`${url}${path}`);
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
      return response.text();
    },
    alive: () => running,
    usage: () => processUsage(child.pid!),
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!running) throw new Error(`the gateway exited with code ${await exited} before answering; see ${logPath}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return self;
    if (Date.now() > deadline) {
      await self.stop();
      throw new Error(`the gateway did not answer /healthz within ${READY_TIMEOUT_MS} ms; see ${logPath}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resident memory (VmRSS) and open descriptors of a process, as Linux reports them. */
export async function processUsage(pid: number): Promise<{ rssMb: number; fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!rss) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  const fds = (await readdir(`/proc/${pid}/fd`)).length;
  return { rssMb: Number(rss[1]) / 1024, fds };
}
