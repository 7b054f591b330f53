import { Agent, type IncomingMessage, type ServerResponse, request } from 'node:http';
import type { Prefixed } from './path-prefix.ts';
import { forwardedRequest, responseHeaders } from './raw-headers.ts';

export interface NodeProxyOptions {
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  /** Requests come from a proxy engine in front (HAProxy), which already set X-Forwarded-For/-Host/-Proto. */
  readonly trustForwarded?: boolean;
}

/**
 * `retryable`: the demo failed before any answer, and the request has no body and is idempotent
 * (RFC 9110 §9.2.2), so sending it again has the effect of sending it once.
 */
export type ProxyFailure = { readonly status: 413 | 502 | 504; readonly message: string; readonly retryable?: boolean };

/** How a proxied exchange ended, for metrics and for releasing the demo. */
export interface ProxyOutcome {
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/**
 * Streams a request to an upstream base URL and the response back, over a keep-alive pool.
 * Node's own http module: no buffering and no Request/Response conversion on the hot path.
 */
export function createNodeProxy(options: NodeProxyOptions) {
  // LIFO: the connection used last (warm in every cache, least likely timed out by the demo) goes first.
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo', noDelay: true });
  const trusted = options.trustForwarded ?? false;
  const targets = new Map<string, { readonly host: string; readonly port: string }>();

  /** Upstream base URLs are few and reused by every request: parse each once. */
  function targetOf(upstream: string) {
    let target = targets.get(upstream);
    if (!target) {
      const url = new URL(upstream);
      target = { host: url.hostname, port: url.port };
      if (targets.size > 1000) targets.clear();
      targets.set(upstream, target);
    }
    return target;
  }

  function forward(req: IncomingMessage, res: ServerResponse, upstream: string, onFailure: (failure: ProxyFailure) => void, onEnd: (outcome: ProxyOutcome) => void, prefixed: Prefixed | null = null): void {
    // The client is gone already (a retry after it hung up): its 'close' will not come again.
    if (res.destroyed) return onEnd({ status: 499, bytesIn: 0, bytesOut: 0 });
    const sent = forwardedRequest(req, { trusted, prefix: prefixed && prefixed.prefix });
    if (sent.contentLength > options.maxBodyBytes) {
      onFailure(tooLarge());
      return onEnd({ status: 413, bytesIn: 0, bytesOut: 0 }); // nothing was proxied, but the request still ends
    }

    const target = targetOf(upstream);
    const outgoing = request({ agent, host: target.host, port: target.port, method: req.method, path: prefixed ? prefixed.path : req.url, headers: sent.headers, timeout: options.upstreamTimeoutMs });
    const hasBody = sent.contentLength > 0 || sent.chunked;
    let bytesIn = 0;
    let bytesOut = 0;
    let status = 0;
    let failed = false;

    outgoing.on('response', (incoming) => {
      status = incoming.statusCode ?? 502;
      const answer = responseHeaders(incoming.rawHeaders);
      res.writeHead(status, incoming.statusMessage, answer.headers);
      const declaredOut = answer.contentLength;
      if (declaredOut !== null) bytesOut = declaredOut;
      // What pipe() does, with two listeners instead of its eight: each chunk is sent as it comes (SSE), the demo waits while the client is slow.
      incoming.on('data', (chunk: Buffer) => {
        if (declaredOut === null) bytesOut += chunk.length;
        if (!res.write(chunk)) {
          incoming.pause();
          res.once('drain', () => incoming.resume());
        }
      });
      incoming.on('end', () => res.end());
      incoming.on('error', () => res.destroy());
    });
    outgoing.on('timeout', () => {
      outgoing.destroy();
      fail({ status: 504, message: `the demo did not respond within ${options.upstreamTimeoutMs} ms (PORTICO_UPSTREAM_TIMEOUT_MS)` });
    });
    outgoing.on('error', (error) => fail({ status: 502, message: `the demo is not answering (${error.message})`, retryable: status === 0 && !hasBody && REPEATABLE.has(req.method ?? '') }));
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy(); // the client went away: release the upstream connection
      onEnd({ status, bytesIn, bytesOut });
    });
    // Without a body there is nothing to stream, and the request can be sent again after a failed connection.
    if (!hasBody) return void outgoing.end();
    req.on('data', (chunk: Buffer) => {
      bytesIn += chunk.length;
      if (bytesIn > options.maxBodyBytes) {
        req.unpipe(outgoing);
        outgoing.destroy();
        fail(tooLarge());
      }
    });
    req.pipe(outgoing);

    function fail(failure: ProxyFailure): void {
      if (failed) return;
      failed = true;
      status = failure.status;
      if (res.headersSent) res.destroy();
      else onFailure(failure);
    }
  }

  function tooLarge(): ProxyFailure {
    return { status: 413, message: `the request body is larger than ${options.maxBodyBytes} bytes (PORTICO_MAX_BODY_MB)` };
  }

  /**
   * Closes the pooled idle connections to one demo. A frozen demo's keep-alive timers all fire
   * the moment it is thawed, closing connections the pool still thinks are good: a request sent
   * on one just then would get a reset.
   */
  function dropIdle(upstream: string): void {
    const { host, port } = targetOf(upstream);
    for (const socket of agent.freeSockets[agent.getName({ host, port: Number(port) })] ?? []) socket.destroy();
  }

  return { forward, dropIdle, close: () => agent.destroy() };
}

export type NodeProxy = ReturnType<typeof createNodeProxy>;

/** Idempotent methods: sending one twice has the effect of sending it once. */
const REPEATABLE: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
