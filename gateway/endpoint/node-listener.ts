import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parseHost } from '../domain/host.ts';
import { messageOf } from '../errors.ts';
import type { Metrics } from '../services/metrics.ts';
import type { NodeProxy } from './node-proxy.ts';
import { type Prefixed, parsePrefixed } from './path-prefix.ts';
import { hostOf } from './raw-headers.ts';
import { type Page, notWokenPage, renderPage, wakingReply } from './pages.ts';
import type { ContainerTarget } from './resolve-endpoint.ts';
import type { RouteTable } from './route-table.ts';
import type { Admission, WakeGate } from './wake-gate.ts';

export interface EndpointDeps {
  readonly domain: string;
  readonly routes: RouteTable;
  readonly proxy: NodeProxy;
  readonly gate: WakeGate;
  readonly metrics: Metrics;
  /** Behind a proxy engine (HAProxy): keep the X-Forwarded-* headers it set. */
  readonly trustForwarded?: boolean;
}

/**
 * The Node server's request listener: `{label}.{domain}` is an endpoint, and so is `/p/{label}/…`
 * on any other host; the rest of that host (API, dashboard) goes to Hono. Both endpoint forms
 * take the same path: a known route to a running demo is proxied without awaiting anything.
 */
export function createNodeListener(deps: EndpointDeps & { readonly gateway: RequestListener }): RequestListener {
  const { domain, routes, proxy, gate, metrics, gateway } = deps;
  return (req, res) => {
    const url = req.url ?? '';
    // Only origin-form targets (`/path`): an absolute-form URI (`GET http://169.254.169.254/`) is how open proxies are abused.
    if (url[0] !== '/') return sendPage(req, res, { status: 400, title: 'Bad request', message: 'Portico is not a forward proxy: request a path, not an absolute URL.' });
    const target = parseHost(hostOf(req), domain);
    let label: string;
    let prefixed: Prefixed | null = null;
    if (target.kind === 'endpoint') label = target.label;
    else {
      prefixed = parsePrefixed(url);
      if (!prefixed) return void gateway(req, res);
      if (prefixed.bare && req.method === 'GET') return redirect(req, res, `${prefixed.prefix}/`);
      label = prefixed.label;
    }
    const known = routes.cached(label);
    const warm = known && gate.admitWarm(known);
    if (known && warm) return forward(req, res, prefixed, known, warm);
    void serveEndpoint(req, res, label, prefixed).catch((error: unknown) => {
      sendPage(req, res, { status: 500, title: 'Gateway error', message: `Portico could not route this request: ${messageOf(error)}` });
    });
  };

  async function serveEndpoint(req: IncomingMessage, res: ServerResponse, label: string, prefixed: Prefixed | null, retried = false): Promise<void> {
    const resolved = await routes.resolve(label);
    if (resolved.kind === 'page') {
      if (resolved.projectId) metrics.response(resolved.projectId, resolved.page.status);
      return sendPage(req, res, resolved.page);
    }
    const { projectId } = resolved;
    const admission = await gate.admit(resolved);
    switch (admission.kind) {
      case 'go':
        return forward(req, res, prefixed, resolved, admission, retried);
      case 'still-waking':
      case 'queue-full':
        metrics.response(projectId, 503);
        return sendWaking(req, res, label, admission.retryAfterSeconds);
      case 'failed':
        metrics.response(projectId, 503);
        return sendPage(req, res, notWokenPage(admission));
    }
  }

  function forward(req: IncomingMessage, res: ServerResponse, prefixed: Prefixed | null, target: ContainerTarget, admission: Extract<Admission, { kind: 'go' }>, retried = false): void {
    let retrying = false;
    proxy.forward(
      req,
      res,
      admission.upstream,
      (failure) => {
        if (failure.retryable && !retried && !res.destroyed) {
          retrying = true;
          admission.release();
          return void retryAfterRecheck(req, res, prefixed, target);
        }
        sendPage(req, res, { status: failure.status, title: failure.status === 504 ? 'Demo timed out' : failure.status === 413 ? 'Request too large' : 'Demo not answering', message: failure.message });
      },
      ({ status, bytesIn, bytesOut }) => {
        if (retrying) return; // counted by the retry
        admission.release();
        metrics.response(target.projectId, status, bytesIn, bytesOut);
      },
      prefixed,
    );
  }

  /**
   * The demo refused the connection although it was thought running: the engine may have
   * restarted it on another port (an engine restart), or it crashed. Ask the engine, then serve
   * the request once more through the normal path (which wakes it, or says it crashed).
   */
  async function retryAfterRecheck(req: IncomingMessage, res: ServerResponse, prefixed: Prefixed | null, target: ContainerTarget): Promise<void> {
    try {
      await gate.recheck(target).catch(() => undefined);
      await serveEndpoint(req, res, target.projectId, prefixed, true);
    } catch (error) {
      sendPage(req, res, { status: 502, title: 'Demo not answering', message: `the demo is not answering, and Portico could not find it again: ${messageOf(error)}` });
    }
  }
}

/** `/p/{label}` → `/p/{label}/`, so the demo's relative links resolve under its prefix. */
function redirect(req: IncomingMessage, res: ServerResponse, location: string): void {
  req.resume();
  res.writeHead(308, { location, 'content-length': 0 });
  res.end();
}

function sendPage(req: IncomingMessage, res: ServerResponse, page: Page): void {
  send(req, res, page.status, 'text/html; charset=utf-8', renderPage(page));
}

function sendWaking(req: IncomingMessage, res: ServerResponse, label: string, retryAfterSeconds: number): void {
  const reply = wakingReply(req.headers.accept, label, retryAfterSeconds);
  send(req, res, reply.status, reply.contentType, reply.body, reply.headers);
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  req.resume(); // drain an unread request body so the connection can be reused
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}
