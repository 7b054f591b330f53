import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { findHaproxy } from '../../config.ts';
import { PorticoError } from '../../errors.ts';
import { writeCertificateFiles } from './haproxy-certificates.ts';
import { type HaproxySettings, haproxyConfig, haproxyErrorPages, haproxyFiles } from './haproxy-config.ts';

export interface HaproxySupervisorOptions {
  readonly binary?: string;
  readonly startTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** The routes to load when HAProxy (re)starts: after a crash it comes back with them, not empty. */
  readonly routes: () => ReadonlyMap<string, string>;
  /** Host → PEM of the certificates to serve (ACME), written where the crt-list loads them from at each (re)start. */
  readonly certificates?: () => ReadonlyMap<string, string>;
}

const RESTART_DELAY_MS = 1_000;

/**
 * Runs HAProxy as Portico's child in the foreground (`-db`) with the config written once at start,
 * and starts it again if it dies. It is stopped with Portico.
 */
export async function superviseHaproxy(settings: HaproxySettings, options: HaproxySupervisorOptions) {
  const files = haproxyFiles(settings.dir);
  const binary = options.binary ?? findHaproxy() ?? 'haproxy';
  const log = options.log ?? console.log;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  await stopLeftover(files.pid, files.config, log);
  await rm(settings.dir, { recursive: true, force: true });
  await mkdir(settings.dir, { recursive: true, mode: 0o700 });
  const pages = haproxyErrorPages(settings);
  await writeFile(files.error504, pages.error504);
  if (settings.tls && 'certFile' in settings.tls) await writeFile(files.tlsPem, await tlsPem(settings.tls.certFile, settings.tls.keyFile), { mode: 0o600 });
  await writeFile(files.config, haproxyConfig(settings));

  let child: ChildProcess | null = null;
  let stopping = false;
  let lastOutput = '';

  async function start(): Promise<void> {
    const map = [...options.routes()].map(([host, address]) => `${host} ${address}\n`).join('');
    await writeFile(files.routes, map);
    if (settings.tls && 'acme' in settings.tls) await writeCertificateFiles(settings.dir, options.certificates?.() ?? new Map());
    await rm(files.socket, { force: true });
    const started = spawn(binary, ['-db', '-f', files.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    if (started.pid !== undefined) await writeFile(files.pid, `${started.pid}\n`);
    lastOutput = '';
    started.stderr?.on('data', (chunk: Buffer) => (lastOutput = (lastOutput + chunk.toString('utf8')).slice(-2000)));
    const exited = new Promise<never>((_, reject) => {
      started.once('error', (error) => reject(new PorticoError('engine_unavailable', `could not run ${binary}: ${error.message}. Install HAProxy (apt-get install haproxy) or set PORTICO_PROXY=node`, { cause: error })));
      started.once('exit', (code) => reject(new PorticoError('engine_unavailable', `HAProxy exited (code ${code}) while starting: ${lastOutput.trim() || 'no output'}`)));
    });
    await Promise.race([waitForSocket(files.socket, startTimeoutMs), exited]);
    started.once('exit', (code, signal) => {
      if (stopping || child !== started) return;
      log(`HAProxy exited (${signal ?? `code ${code}`}): ${lastOutput.trim().split('\n').pop() ?? ''}; starting it again in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => void (stopping ? Promise.resolve() : start()).catch((error: unknown) => log(`HAProxy did not start again: ${(error as Error).message}`)), RESTART_DELAY_MS).unref();
    });
  }

  try {
    await start();
  } catch (error) {
    stopping = true;
    (child as ChildProcess | null)?.kill('SIGKILL');
    throw error;
  }

  return {
    files,
    get pid(): number | undefined {
      return child?.pid;
    },
    async stop(): Promise<void> {
      stopping = true;
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM'); // hard stop: Portico closes its own connections the same way
      const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export type HaproxySupervisor = Awaited<ReturnType<typeof superviseHaproxy>>;

/**
 * HAProxy runs as the gateway's child: a gateway that was killed (SIGKILL, out of memory) leaves it
 * running and holding the public port. The next start on the same data dir stops it first, when
 * the pid it recorded is still an HAProxy running that data dir's config.
 */
async function stopLeftover(pidFile: string, config: string, log: (line: string) => void): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!command.includes(config)) return;
  log(`stopping HAProxy (pid ${pid}) left running by a gateway that did not stop cleanly`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // gone meanwhile
  }
  for (let i = 0; i < 100 && (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')) !== ''; i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** HAProxy is ready once its admin socket (bound after the listeners) takes connections. */
async function waitForSocket(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(path);
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new PorticoError('engine_unavailable', `HAProxy did not open its admin socket ${path} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The certificate chain and its key in one PEM, read once at start; a file that cannot be read says which. */
async function tlsPem(certFile: string, keyFile: string): Promise<string> {
  const read = (file: string, what: string) =>
    readFile(file, 'utf8').catch((error: unknown) => {
      throw new PorticoError('invalid_input', `cannot read the TLS ${what} ${file} (PORTICO_TLS_${what === 'certificate' ? 'CERT' : 'KEY'}): ${(error as Error).message}`, { cause: error });
    });
  const [cert, key] = await Promise.all([read(certFile, 'certificate'), read(keyFile, 'key')]);
  return `${cert.trim()}\n${key.trim()}\n`;
}
