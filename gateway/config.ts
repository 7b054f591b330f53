import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { GpuContention } from './domain/gpu-allocation.ts';
import { type GpuPool, parseGpuPools } from './domain/gpu-pools.ts';

/**
 * Every operator setting in one validated object. Only this file and the entry files read
 * the environment; everything else receives a `Config`.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly domain: string;
  readonly githubApiUrl: string;
  readonly githubToken: string | undefined;
  readonly dockerHost: string | undefined;
  readonly startupTimeoutMs: number;
  readonly maxSourceBytes: number;
  readonly containerMemoryBytes: number;
  readonly containerNanoCpus: number;
  readonly containerPids: number;
  /** Whether `file://` URLs and directories on the gateway's machine may be deployed. */
  readonly allowLocalSources: boolean;
  readonly idleTimeoutSeconds: number;
  readonly upstreamTimeoutMs: number;
  readonly pauseAfterMs: number;
  readonly wakeWaitMs: number;
  readonly wakeQueueMax: number;
  readonly wakeProbeIntervalMs: number;
  readonly reapIntervalMs: number;
  readonly maxBodyBytes: number;
  /** Configured GPU pools; undefined means "detect the local GPUs with nvidia-smi". */
  readonly gpuPools: readonly GpuPool[] | undefined;
  readonly gpuContention: GpuContention;
  /** Images kept per project after a deploy (older ones are pruned). */
  readonly keepImages: number;
  /** When set, mutating API calls need `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
  /** HMAC secret GitHub signs webhook deliveries with; unset refuses every webhook. */
  readonly githubWebhookSecret: string | undefined;
  /** `acme`: obtain certificates with ACME HTTP-01; `off`: plain HTTP unless `tlsCertFile`/`tlsKeyFile` are set. */
  readonly tls: 'off' | 'acme';
  /** A certificate (PEM, e.g. a wildcard for `*.{domain}` and `{domain}`) to serve instead of ACME; needs `tlsKeyFile`. */
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  /** With TLS on, the plain-HTTP port (ACME challenges and redirects); `port` is then the HTTPS port. */
  readonly httpPort: number;
  readonly acmeDirectoryUrl: string;
  readonly acmeEmail: string | undefined;
  /** PEM of a CA to trust for the ACME directory's own HTTPS (a private ACME server). */
  readonly acmeCaFile: string | undefined;
  readonly tlsRenewBeforeDays: number;
  readonly tlsRenewCheckIntervalMs: number;
  /** What carries warm traffic: Portico's own Node proxy, or HAProxy driven by Portico (which is then the activator). */
  readonly proxy: ProxyKind;
  /** HAProxy's threads (`nbthread`): one leaves the other cores to the demos, which need them more. */
  readonly haproxyThreads: number;
}

export type ProxyKind = 'node' | 'haproxy';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface Setting {
  readonly key: keyof Config;
  readonly env: string;
  readonly flag?: string;
  readonly fallback: string | undefined;
  readonly describe: string;
  readonly parse: (text: string, name: string) => Config[keyof Config];
}

const MB = 1024 * 1024;

/** The settings table; the README's configuration table is written from it. */
export const SETTINGS: readonly Setting[] = [
  { key: 'port', env: 'PORTICO_PORT', flag: 'port', fallback: '8080', describe: 'port the gateway and API listen on', parse: port },
  { key: 'host', env: 'PORTICO_HOST', flag: 'host', fallback: '127.0.0.1', describe: 'address to bind', parse: nonEmpty },
  { key: 'dataDir', env: 'PORTICO_DATA_DIR', flag: 'data-dir', fallback: './.portico', describe: 'where the SQLite state and build scratch space live', parse: (text) => resolve(text) },
  { key: 'domain', env: 'PORTICO_DOMAIN', flag: 'domain', fallback: 'localhost', describe: 'endpoints are served at `{label}.{domain}`', parse: domain },
  { key: 'githubApiUrl', env: 'PORTICO_GITHUB_API', fallback: 'https://api.github.com', describe: 'GitHub REST API base URL (GitHub Enterprise: `https://host/api/v3`)', parse: url },
  { key: 'githubToken', env: 'PORTICO_GITHUB_TOKEN', fallback: undefined, describe: 'token for private repositories and higher rate limits', parse: nonEmpty },
  { key: 'dockerHost', env: 'DOCKER_HOST', fallback: undefined, describe: 'Docker engine to use (default `unix:///var/run/docker.sock`)', parse: nonEmpty },
  { key: 'startupTimeoutMs', env: 'PORTICO_STARTUP_TIMEOUT_MS', fallback: '300000', describe: 'how long a new container may take to answer HTTP', parse: positiveInt },
  { key: 'maxSourceBytes', env: 'PORTICO_MAX_SOURCE_MB', fallback: '200', describe: 'largest source tree accepted, in MB', parse: (text, name) => positiveInt(text, name) * MB },
  { key: 'containerMemoryBytes', env: 'PORTICO_CONTAINER_MEMORY_MB', fallback: '2048', describe: 'memory limit per demo, in MB, unless its Dockerfile sets `portico.memory`', parse: (text, name) => positiveInt(text, name) * MB },
  { key: 'containerNanoCpus', env: 'PORTICO_CONTAINER_CPUS', fallback: '1', describe: 'CPU limit per demo, in cores', parse: (text, name) => Math.round(positiveNumber(text, name) * 1e9) },
  { key: 'containerPids', env: 'PORTICO_CONTAINER_PIDS', fallback: '1024', describe: 'most processes and threads one demo may run (stops fork bombs)', parse: positiveInt },
  { key: 'allowLocalSources', env: 'PORTICO_ALLOW_LOCAL_SOURCES', fallback: 'false', describe: 'allow deploying `file://` git URLs and directories on the gateway\'s machine (anyone who can call the API could then build any directory the gateway can read)', parse: bool },
  { key: 'idleTimeoutSeconds', env: 'PORTICO_IDLE_TIMEOUT_SECONDS', fallback: '600', describe: 'default idle time before a demo is stopped (scaled to zero); per project `idleTimeoutSeconds`', parse: positiveInt },
  { key: 'pauseAfterMs', env: 'PORTICO_PAUSE_AFTER_MS', fallback: '60000', describe: 'idle time before a running demo is paused (frozen: no CPU, wakes in milliseconds)', parse: positiveInt },
  { key: 'wakeWaitMs', env: 'PORTICO_WAKE_WAIT_MS', fallback: '30000', describe: 'how long a request waits for a sleeping demo before getting the waking page / 503 + Retry-After', parse: positiveInt },
  { key: 'wakeQueueMax', env: 'PORTICO_WAKE_QUEUE_MAX', fallback: '1000', describe: 'requests that may wait for one waking demo; more get 503 + Retry-After at once', parse: positiveInt },
  { key: 'wakeProbeIntervalMs', env: 'PORTICO_WAKE_PROBE_INTERVAL_MS', fallback: '20', describe: 'how often a waking demo is probed for an answer', parse: positiveInt },
  { key: 'reapIntervalMs', env: 'PORTICO_REAP_INTERVAL_MS', fallback: '5000', describe: 'how often idle demos are looked for', parse: positiveInt },
  { key: 'upstreamTimeoutMs', env: 'PORTICO_UPSTREAM_TIMEOUT_MS', fallback: '300000', describe: 'how long the proxy waits for a demo to respond (then 504)', parse: positiveInt },
  { key: 'gpuPools', env: 'PORTICO_GPU_POOLS', fallback: undefined, describe: 'GPU pools as JSON, e.g. `[{"name":"local","gpuModel":"Tesla T4","driverVersion":"550.54.14","maxGpus":1}]`; unset: detected with `nvidia-smi`', parse: gpuPools },
  { key: 'gpuContention', env: 'PORTICO_GPU_CONTENTION', fallback: 'evict', describe: 'when a sleeping GPU demo wakes, or a new deployment starts, into a full pool: `evict` stops the least recently used idle GPU demo, `queue` makes a wake wait for one to sleep and a deployment fail naming the holders', parse: contention },
  { key: 'token', env: 'PORTICO_TOKEN', fallback: undefined, describe: 'API token: when set, every mutating API call needs `Authorization: Bearer <token>` (the CLI sends it from `PORTICO_TOKEN`); required when `--host` is not a loopback address', parse: nonEmpty },
  { key: 'githubWebhookSecret', env: 'PORTICO_GITHUB_WEBHOOK_SECRET', fallback: undefined, describe: 'secret of the GitHub webhook (`POST /api/webhooks/github`); unset: every webhook is refused', parse: nonEmpty },
  { key: 'keepImages', env: 'PORTICO_KEEP_IMAGES', fallback: '3', describe: 'images kept per project after each successful deploy (the newest; the serving one always stays); older ones are removed to free disk', parse: positiveInt },
  { key: 'tls', env: 'PORTICO_TLS', flag: 'tls', fallback: 'off', describe: '`acme`: obtain a certificate for the gateway\'s host and each project\'s host with ACME HTTP-01 and serve HTTPS with HTTP/2 (needs a public `--domain`); `off`: plain HTTP, unless `--tls-cert`/`--tls-key` are given', parse: tlsMode },
  { key: 'tlsCertFile', env: 'PORTICO_TLS_CERT', flag: 'tls-cert', fallback: undefined, describe: 'PEM certificate chain to serve instead of ACME, e.g. a wildcard for `*.{domain}` and `{domain}` (with `--tls-key`)', parse: (text) => resolve(text) },
  { key: 'tlsKeyFile', env: 'PORTICO_TLS_KEY', flag: 'tls-key', fallback: undefined, describe: 'PEM private key of `--tls-cert`', parse: (text) => resolve(text) },
  { key: 'httpPort', env: 'PORTICO_HTTP_PORT', flag: 'http-port', fallback: '80', describe: 'with TLS on: the plain-HTTP port, which answers ACME challenges and redirects to HTTPS (`--port` is then the HTTPS port, e.g. 443)', parse: port },
  { key: 'acmeDirectoryUrl', env: 'PORTICO_ACME_DIRECTORY', fallback: 'https://acme-v02.api.letsencrypt.org/directory', describe: 'ACME directory URL (Let\'s Encrypt staging: `https://acme-staging-v02.api.letsencrypt.org/directory`)', parse: url },
  { key: 'acmeEmail', env: 'PORTICO_ACME_EMAIL', fallback: undefined, describe: 'contact address for the ACME account (expiry notices)', parse: email },
  { key: 'acmeCaFile', env: 'PORTICO_ACME_CA_FILE', fallback: undefined, describe: 'PEM of a CA to trust for the ACME directory\'s own HTTPS (a private ACME server, or Pebble in tests)', parse: (text) => resolve(text) },
  { key: 'tlsRenewBeforeDays', env: 'PORTICO_TLS_RENEW_BEFORE_DAYS', fallback: '30', describe: 'a certificate is renewed when it expires within this many days', parse: positiveInt },
  { key: 'tlsRenewCheckIntervalMs', env: 'PORTICO_TLS_RENEW_CHECK_INTERVAL_MS', fallback: '3600000', describe: 'how often certificates are checked for renewal (and failed ones retried)', parse: positiveInt },
  { key: 'proxy', env: 'PORTICO_PROXY', flag: 'proxy', fallback: 'auto', describe: 'what carries warm traffic: `haproxy` (Portico starts HAProxy on the public port and routes through its runtime API), `node` (the embedded Node proxy), `auto` (haproxy when the `haproxy` binary is installed)', parse: proxyKind },
  { key: 'haproxyThreads', env: 'PORTICO_HAPROXY_THREADS', fallback: '1', describe: 'threads HAProxy runs (`nbthread`) with `PORTICO_PROXY=haproxy`: one thread carries tens of thousands of requests a second and leaves the other cores to the demos; raise it on a large server whose demos serve more', parse: positiveInt },
  { key: 'maxBodyBytes', env: 'PORTICO_MAX_BODY_MB', fallback: '100', describe: 'largest request body proxied to a demo, in MB (then 413)', parse: (text, name) => positiveInt(text, name) * MB },
];

/** Builds the config from flags (highest precedence), then the environment, then defaults. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, flags: Readonly<Record<string, string | undefined>> = {}): Config {
  const values: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const fromFlag = setting.flag ? flags[setting.flag] : undefined;
    const name = fromFlag !== undefined ? `--${setting.flag}` : setting.env;
    const text = fromFlag ?? emptyToUndefined(env[setting.env]) ?? setting.fallback;
    values[setting.key] = text === undefined ? undefined : setting.parse(text, name);
  }
  const config = values as unknown as Config;
  return config;
}

function emptyToUndefined(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}

function nonEmpty(text: string, name: string): string {
  if (text.trim() === '') throw new ConfigError(`${name} must not be empty`);
  return text.trim();
}

function positiveNumber(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got "${text}"`);
  return value;
}

function positiveInt(text: string, name: string): number {
  const value = positiveNumber(text, name);
  if (!Number.isInteger(value)) throw new ConfigError(`${name} must be a whole number, got "${text}"`);
  return value;
}

function bool(text: string, name: string): boolean {
  const value = text.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${text}"`);
}

function gpuPools(text: string, name: string): GpuPool[] {
  try {
    return parseGpuPools(text);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

function contention(text: string, name: string): GpuContention {
  if (text !== 'evict' && text !== 'queue') throw new ConfigError(`${name} must be evict or queue, got "${text}"`);
  return text;
}

function tlsMode(text: string, name: string): 'off' | 'acme' {
  const value = text.trim().toLowerCase();
  if (value !== 'off' && value !== 'acme') throw new ConfigError(`${name} must be acme or off, got "${text}" (for your own certificate, use --tls-cert and --tls-key)`);
  return value;
}

function email(text: string, name: string): string {
  const value = text.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new ConfigError(`${name} must be an email address, got "${text}"`);
  return value;
}

function proxyKind(text: string, name: string): ProxyKind {
  const value = text.trim().toLowerCase();
  if (value === 'auto') return haproxyInstalled() ? 'haproxy' : 'node';
  if (value === 'node' || value === 'haproxy') return value;
  throw new ConfigError(`${name} must be node, haproxy or auto, got "${text}"`);
}

/** Where the `haproxy` binary is: on the PATH, or where Debian installs it (often off a non-root PATH). */
export function findHaproxy(path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(delimiter), '/usr/sbin', '/usr/local/sbin']) {
    if (dir !== '' && existsSync(join(dir, 'haproxy'))) return join(dir, 'haproxy');
  }
  return null;
}

export function haproxyInstalled(path?: string): boolean {
  return findHaproxy(path) !== null;
}

function port(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(`${name} must be a port number (0-65535), got "${text}"`);
  return value;
}

function domain(text: string, name: string): string {
  const value = text.trim().toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(value)) throw new ConfigError(`${name} must be a DNS name like example.com, got "${text}"`);
  return value;
}

function url(text: string, name: string): string {
  try {
    const parsed = new URL(text);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    return parsed.href.replace(/\/$/, '');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${text}"`);
  }
}
