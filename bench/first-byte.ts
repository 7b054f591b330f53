import { type Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface FirstByte {
  readonly status: number;
  /** From sending the request to its response head arriving. */
  readonly ms: number;
}

/**
 * One GET timed to its first response byte (the status line and headers), over a fresh
 * connection unless an agent is given, as a visitor's browser would open one. The body is
 * drained but not waited for.
 */
export function timeToFirstByte(url: string, options: { headers?: Record<string, string>; agent?: Agent; timeoutMs?: number } = {}): Promise<FirstByte> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: options.agent ?? false, headers: options.headers ?? {} }, (res) => {
      const ms = performance.now() - started;
      res.resume();
      resolve({ status: res.statusCode ?? 0, ms });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs} ms`)), options.timeoutMs ?? 120_000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end();
  });
}

/**
 * What a hand-written wake loop does: GET every `intervalMs` until one answers, counting a
 * refused or reset connection as "not up yet" (Docker's port proxy accepts and then hangs up
 * while nothing listens inside). Resolves with the answer's status.
 */
export async function pollUntilAnswer(url: string, intervalMs: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return (await timeToFirstByte(url, { timeoutMs: Math.max(1, deadline - performance.now()) })).status;
    } catch (error) {
      if (performance.now() >= deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`, { cause: error });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
