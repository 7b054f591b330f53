import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts, freePort } from '../test/support/net.ts';
import { findTool } from './tools.ts';

/** The demo container's address, as Portico routes to it. */
export interface Upstream {
  readonly host: string;
  readonly port: number;
}

export interface RunningNginx {
  readonly url: string;
  readonly version: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 5_000;

/**
 * The config a careful operator would write for a keep-alive reverse proxy in front of one
 * upstream. One worker, because Portico's proxy is one Node event loop: same CPU budget.
 * Every path nginx writes is inside `dir`, so it runs without touching /etc or /var.
 */
export function nginxConfig(dir: string, listenPort: number, upstream: Upstream): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream demo {
    server ${upstream.host}:${upstream.port};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://demo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`;
}

/** Starts nginx (as a child, not a daemon) proxying to the upstream, or null when nginx is not installed. */
export async function startNginx(upstream: Upstream): Promise<RunningNginx | null> {
  const binary = findTool('nginx');
  if (!binary) return null;
  const dir = await mkdtemp(join(tmpdir(), 'portico-bench-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, nginxConfig(dir, port, upstream));
  const child = spawn(binary, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    await killAndWait(child);
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
      await stop();
      throw new Error(`nginx did not start on 127.0.0.1:${port}: ${stderr}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url: `http://127.0.0.1:${port}/`, version: await nginxVersion(binary), stop };
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGQUIT'); // graceful: the master stops its workers too
    setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
  });
}

function nginxVersion(binary: string): Promise<string> {
  return new Promise((resolve) => execFile(binary, ['-v'], (_error, stdout, stderr) => resolve((stderr || stdout).trim().replace(/^nginx version: /, ''))));
}
