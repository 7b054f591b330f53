import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { staticSite } from '../../support/demo-app.ts';
import { repoTracker } from '../../support/git-repo.ts';

const PORTICO = resolve(import.meta.dirname, '../../../bin/portico.js');

/** `portico serve` as its own process (so it can really be killed), on a free port, with this data dir. */
async function serve(dataDir: string): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, [PORTICO, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, PORTICO_ALLOW_LOCAL_SOURCES: 'true', PORTICO_STARTUP_TIMEOUT_MS: '15000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`portico serve did not start within 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /Portico gateway on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(Number(match[1]));
      }
    });
    child.once('exit', (code) => fail(new Error(`portico serve exited with ${code}:\n${output}`)));
  });
  return { child, port, output: () => output };
}

async function api(port: number, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : null });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

function endpoint(port: number, label: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: `${label}.localhost:${port}` } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end();
  });
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the gateway killed in the middle of a build', () => {
  const repos = repoTracker();
  let running: ChildProcess | undefined;
  let port = 0;
  let dataDir = '';

  afterAll(async () => {
    if (running && port) {
      for (const project of (await api(port, 'GET', '/api/projects')).projects) await api(port, 'DELETE', `/api/projects/${project.id}`);
      running.kill('SIGTERM');
      await new Promise((r) => running!.once('exit', r));
    }
    await rm(dataDir, { recursive: true, force: true });
    await repos.removeAll();
  });

  it('fails the interrupted deployment as "interrupted" on restart, and the demo that was serving still serves', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'portico-killed-'));
    const first = await serve(dataDir);
    const [stable, slow] = await Promise.all([repos.create(staticSite('serving\n')), repos.create(staticSite('never\n', { run: 'sleep 60' }))]);
    const a = await api(first.port, 'POST', '/api/projects', { repo: stable.url });
    await until('A ready', () => api(first.port, 'GET', `/api/deployments/${a.deployment.id}`), (d) => d.status === 'ready' || d.status === 'failed');
    const b = await api(first.port, 'POST', '/api/projects', { repo: slow.url });
    await until('B building', () => api(first.port, 'GET', `/api/deployments/${b.deployment.id}`), (d) => d.status === 'building');
    await until('B running its slow step', () => fetch(`http://127.0.0.1:${first.port}/api/deployments/${b.deployment.id}/logs`).then((r) => r.text()), (log) => log.includes('RUN sleep 60'));

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await serve(dataDir);
    running = second.child;
    port = second.port;
    expect(second.output()).toContain('marked 1 interrupted deployment(s) as failed');
    const interrupted = await api(port, 'GET', `/api/deployments/${b.deployment.id}`);
    expect(interrupted.status).toBe('failed');
    expect(interrupted.error).toMatch(/^interrupted: the gateway stopped while this deployment was building/);
    expect(await endpoint(port, a.id)).toEqual({ status: 200, text: 'serving\n' });
    expect((await endpoint(port, b.id)).status).toBe(503);
    // Deploying the interrupted project again just works: nothing of the dead build is in the way.
    await slow.commit(staticSite('fixed\n'));
    const again = await api(port, 'POST', `/api/projects/${b.id}/deployments`);
    await until('B redeployed', () => api(port, 'GET', `/api/deployments/${again.id}`), (d) => d.status === 'ready' || d.status === 'failed');
    expect(await endpoint(port, b.id)).toEqual({ status: 200, text: 'fixed\n' });
  });
});
