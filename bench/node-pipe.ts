import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { accepts, freePort } from '../test/support/net.ts';
import type { Upstream } from './nginx.ts';

const SCRIPT = fileURLToPath(new URL('./node-pipe.mjs', import.meta.url));
const STARTUP_TIMEOUT_MS = 5_000;

export interface RunningPipe {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `node-pipe.mjs` (the ceiling for a Node proxy) in its own process, as nginx runs in its own. */
export async function startNodePipe(upstream: Upstream): Promise<RunningPipe> {
  const port = await freePort();
  const child = spawn(process.execPath, [SCRIPT, String(port), upstream.host, String(upstream.port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the Node pipe did not start on 127.0.0.1:${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url: `http://127.0.0.1:${port}/`, stop };
}
