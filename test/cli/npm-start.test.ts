import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

interface Started {
  readonly npm: ChildProcess;
  /** The pid of the process npm started for the script. */
  readonly scriptPid: number;
  /** Every process under npm once the gateway listens (the script's process and any child of it). */
  readonly tree: readonly number[];
  readonly url: string;
  readonly line: string;
  output(): string;
}

let started: Started | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  // Whatever the test did, nothing it started outlives it.
  for (const pid of [...(started?.tree ?? []), started?.npm.pid]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
  started = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The children of `pid`, read from /proc (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** `npm start` as a user runs it, on a free port with no engine (the API still comes up), until it says where it listens. */
async function npmStart(): Promise<Started> {
  dataDir = await mkdtemp(join(tmpdir(), 'portico-npm-start-'));
  const npm = spawn('npm', ['start'], {
    cwd: process.cwd(),
    env: { ...process.env, PORTICO_PORT: '0', PORTICO_DATA_DIR: dataDir, DOCKER_HOST: 'unix:///tmp/portico-no-engine.sock' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not say where it listens within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /^Portico gateway on .*$/m.exec(output)?.[0];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    npm.stdout!.on('data', read);
    npm.stderr!.on('data', read);
    npm.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  const [scriptPid] = childrenOf(npm.pid!);
  if (scriptPid === undefined) throw new Error('npm start has no child process');
  const url = /^Portico gateway on (http:\/\/\S+)/.exec(line)![1]!;
  const tree = [scriptPid];
  for (let i = 0; i < tree.length; i += 1) tree.push(...childrenOf(tree[i]!));
  started = { npm, scriptPid, tree, url, line, output: () => output };
  return started;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

const refuses = (url: string) => fetch(`${url}/api/projects`).then(() => false, () => true);

describe('npm start', () => {
  it('prints one line with the dashboard, API and endpoint URLs', async () => {
    const { url, line } = await npmStart();
    const port = new URL(url).port;
    expect(line).toBe(`Portico gateway on ${url} · dashboard ${url}/ · API ${url}/api (docs ${url}/api/docs) · endpoints http://{label}.localhost:${port} · data in ${dataDir}`);
    expect((await fetch(`${url}/api/projects`)).status).toBe(200);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops the gateway when the process npm started gets %s', async (signal) => {
    const { npm, scriptPid, tree, url } = await npmStart();

    process.kill(scriptPid, signal);

    expect(await waitFor(() => tree.every((pid) => !alive(pid)), 20_000), `of ${tree.join(', ')}, some still run:\n${started!.output()}`).toBe(true);
    expect(await refuses(url)).toBe(true);
    expect(await waitFor(() => npm.exitCode !== null || npm.signalCode !== null, 10_000)).toBe(true);
    expect(started!.output()).toContain(`${signal}: stopping after running deployments finish`);
    expect(started!.output()).toContain('stopped');
  });

  it('stops the gateway when npm itself gets SIGTERM', async () => {
    const { npm, tree, url } = await npmStart();

    process.kill(npm.pid!, 'SIGTERM');

    expect(await waitFor(() => tree.every((pid) => !alive(pid)), 20_000), `of ${tree.join(', ')}, some still run:\n${started!.output()}`).toBe(true);
    expect(await refuses(url)).toBe(true);
  });
});
