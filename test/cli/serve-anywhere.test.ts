import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  child?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts `portico serve` with `cwd` as its working directory and resolves with its URL once it listens. */
function serve(cwd: string): Promise<string> {
  child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', join(cwd, 'data')], {
    cwd,
    env: { ...process.env, DOCKER_HOST: 'unix:///tmp/portico-no-engine.sock' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`portico serve did not start:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Portico gateway on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child!.stdout!.on('data', read);
    child!.stderr!.on('data', read);
    child!.once('exit', (code) => reject(new Error(`portico serve exited with ${code}:\n${output}`)));
  });
}

describe('portico serve', () => {
  it('serves the dashboard when run from outside the checkout (its TypeScript settings travel with it)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-elsewhere-'));
    const url = await serve(dir);

    const response = await fetch(`${url}/`);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Projects · Portico</title>');
  });
});
