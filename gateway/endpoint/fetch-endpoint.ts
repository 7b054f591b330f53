import type { Metrics } from '../services/metrics.ts';
import { HOP_BY_HOP, connectionTokens } from './hop-by-hop.ts';
import { type Page, type Reply, notWokenPage, renderPage, wakingReply } from './pages.ts';
import type { RouteTable } from './route-table.ts';
import type { WakeGate } from './wake-gate.ts';

export interface FetchEndpointDeps {
  readonly routes: Pick<RouteTable, 'resolve'>;
  readonly gate: Pick<WakeGate, 'admit'>;
  readonly metrics: Metrics;
  readonly upstreamTimeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface EndpointRequest {
  readonly request: Request;
  readonly label: string;
  /** The path and query to ask the demo for, e.g. `/predict?x=1`. */
  readonly path: string;
  /** Set when the endpoint is served under a path prefix (`/p/{label}`): sent as `X-Forwarded-Prefix`. */
  readonly prefix: string | null;
  readonly clientAddress: string;
}

/**
 * The endpoint over web-standard Request/Response, for hosts without Node's sockets (Lambda)
 * and for the `/p/{label}/` path prefix. Same steps as the Node listener: route, wake gate,
 * stream to the demo and back.
 */
export function createFetchEndpoint(deps: FetchEndpointDeps) {
  const send = deps.fetch ?? fetch;

  return async function serveEndpoint({ request, label, path, prefix, clientAddress }: EndpointRequest): Promise<Response> {
    const resolved = await deps.routes.resolve(label);
    if (resolved.kind === 'page') {
      if (resolved.projectId) deps.metrics.response(resolved.projectId, resolved.page.status);
      return page(resolved.page);
    }
    const { projectId } = resolved;
    const admission = await deps.gate.admit(resolved);
    if (admission.kind === 'still-waking' || admission.kind === 'queue-full') {
      deps.metrics.response(projectId, 503);
      return reply(wakingReply(request.headers.get('accept'), label, admission.retryAfterSeconds));
    }
    if (admission.kind === 'failed') {
      deps.metrics.response(projectId, 503);
      return page(notWokenPage(admission));
    }

    // A client that goes away may never read or cancel the body stream: count it out anyway.
    if (request.signal.aborted) admission.release();
    else request.signal.addEventListener('abort', () => admission.release(), { once: true });
    const init: RequestInit = {
      method: request.method,
      headers: forwardedHeaders(request.headers, clientAddress, prefix),
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.upstreamTimeoutMs), // one bound for both tries
      // Streams the request body instead of buffering it.
      ...({ duplex: 'half' } as object),
    };
    let upstream: Response;
    try {
      upstream = await send(admission.upstream + path, init).catch((error: unknown) => {
        // A pooled keep-alive connection the demo closed meanwhile (after an unpause, say) fails
        // before any answer. A request that has no body and may be repeated is sent again, on a new connection.
        if (isTimeout(error) || request.body !== null || !REPEATABLE.has(request.method)) throw error;
        return send(admission.upstream + path, init);
      });
    } catch (error) {
      admission.release();
      const timedOut = isTimeout(error);
      deps.metrics.response(projectId, timedOut ? 504 : 502);
      return timedOut
        ? page({ status: 504, title: 'Demo timed out', message: `the demo did not respond within ${deps.upstreamTimeoutMs} ms (PORTICO_UPSTREAM_TIMEOUT_MS)` })
        : page({ status: 502, title: 'Demo not answering', message: `the demo is not answering (${(error as Error).message})` });
    }
    deps.metrics.response(projectId, upstream.status);
    const body = upstream.body ? releasing(upstream.body, admission.release) : null;
    if (!body) admission.release();
    return new Response(body, { status: upstream.status, statusText: upstream.statusText, headers: withoutHopByHop(upstream.headers) });
  };
}

/** Idempotent methods (RFC 9110 §9.2.2): sending one twice has the effect of sending it once. */
const REPEATABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

const isTimeout = (error: unknown): boolean => (error as Error).name === 'TimeoutError';

function reply({ status, contentType, body, headers }: Reply): Response {
  return new Response(body, { status, headers: { 'content-type': contentType, 'cache-control': 'no-store', ...headers } });
}

function page(shown: Page): Response {
  return reply({ status: shown.status, contentType: 'text/html; charset=utf-8', body: renderPage(shown), headers: {} });
}

function forwardedHeaders(source: Headers, clientAddress: string, prefix: string | null): Headers {
  const headers = withoutHopByHop(source);
  const prior = source.get('x-forwarded-for');
  headers.set('x-forwarded-for', prior ? `${prior}, ${clientAddress}` : clientAddress);
  headers.set('x-forwarded-host', source.get('host') ?? '');
  headers.set('x-forwarded-proto', source.get('x-forwarded-proto') ?? 'http');
  if (prefix) headers.set('x-forwarded-prefix', prefix);
  return headers;
}

function withoutHopByHop(source: Headers): Headers {
  const dropped = connectionTokens(source.get('connection'));
  const headers = new Headers();
  source.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && !dropped.has(name)) headers.append(name, value);
  });
  return headers;
}

/** Passes the body through and counts the request out when it ends, fails, or the client goes away. */
function releasing(body: ReadableStream<Uint8Array>, release: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
}
