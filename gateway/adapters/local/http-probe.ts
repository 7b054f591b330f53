import { request } from 'node:http';

export type ProbeResult = { readonly answered: true; readonly status: number } | { readonly answered: false; readonly reason: string };

/**
 * One GET of `url`, given up after `timeoutMs`. Any HTTP status counts as answering: a demo
 * whose `/` says 404 or 500 is up, and its status is the app's business. Only a response
 * proves the app listens: Docker's port proxy accepts connections even when nothing inside
 * the container does, and then hangs up.
 */
export function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, headers: { 'user-agent': 'portico-probe' } }, (res) => {
      res.resume(); // drain the body; only the status line matters
      req.destroy();
      resolve({ answered: true, status: res.statusCode ?? 0 });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error) => resolve({ answered: false, reason: error.message }));
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}
