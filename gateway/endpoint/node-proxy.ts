import { Agent, type IncomingMessage, type ServerResponse, request } from 'node:http';
import { HOP_BY_HOP, connectionTokens } from './hop-by-hop.ts';

export interface NodeProxyOptions {
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  /** Requests come from a proxy engine in front (HAProxy), which already set X-Forwarded-For/-Host/-Proto. */
  readonly trustForwarded?: boolean;
}

/** `retryable`: the demo could not be reached before anything was sent or answered, so the request may be tried again. */
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
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
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

  function forward(req: IncomingMessage, res: ServerResponse, upstream: string, onFailure: (failure: ProxyFailure) => void, onEnd: (outcome: ProxyOutcome) => void): void {
    // The client is gone already (a retry after it hung up): its 'close' will not come again.
    if (res.destroyed) return onEnd({ status: 499, bytesIn: 0, bytesOut: 0 });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > options.maxBodyBytes) {
      onFailure(tooLarge());
      return onEnd({ status: 413, bytesIn: 0, bytesOut: 0 }); // nothing was proxied, but the request still ends
    }

    const target = targetOf(upstream);
    const outgoing = request({ agent, host: target.host, port: target.port, method: req.method, path: req.url, headers: forwardedHeaders(req, [], options.trustForwarded), timeout: options.upstreamTimeoutMs });
    let bytesIn = 0;
    let bytesOut = 0;
    let status = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      onEnd({ status, bytesIn, bytesOut });
    };

    outgoing.on('response', (incoming) => {
      status = incoming.statusCode ?? 502;
      res.writeHead(status, incoming.statusMessage, withoutHopByHop(incoming.headers));
      const length = incoming.headers['content-length'];
      if (length !== undefined) bytesOut = Number(length) || 0;
      else incoming.on('data', (chunk: Buffer) => (bytesOut += chunk.length));
      incoming.pipe(res);
      incoming.on('error', () => res.destroy());
    });
    outgoing.on('timeout', () => {
      outgoing.destroy();
      fail({ status: 504, message: `the demo did not respond within ${options.upstreamTimeoutMs} ms (PORTICO_UPSTREAM_TIMEOUT_MS)` });
    });
    const hasBody = declared > 0 || req.headers['transfer-encoding'] !== undefined;
    outgoing.on('error', (error) => fail({ status: 502, message: `the demo is not answering (${error.message})`, retryable: status === 0 && !hasBody }));
    if (hasBody) {
      req.on('data', (chunk: Buffer) => {
        bytesIn += chunk.length;
        if (bytesIn > options.maxBodyBytes) {
          req.unpipe(outgoing);
          outgoing.destroy();
          fail(tooLarge());
        }
      });
    }
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy(); // the client went away: release the upstream connection
      finish();
    });
    // Without a body there is nothing to stream, and the request can be sent again after a failed connection.
    if (hasBody) req.pipe(outgoing);
    else outgoing.end();

    let failed = false;
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

/**
 * The request's end-to-end headers plus X-Forwarded-For/-Host/-Proto. Behind a proxy engine
 * (`trusted`), those it set are kept as they are: it appended the client's address itself.
 */
export function forwardedHeaders(req: IncomingMessage, keep: readonly string[] = [], trusted = false): Record<string, string | string[]> {
  const headers = withoutHopByHop(req.headers, keep);
  if (trusted && req.headers['x-forwarded-for'] !== undefined) return headers;
  const peer = req.socket.remoteAddress ?? '';
  const priorFor = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = priorFor ? `${String(priorFor)}, ${peer}` : peer;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = 'encrypted' in req.socket ? 'https' : 'http';
  return headers;
}

function withoutHopByHop(source: IncomingMessage['headers'], keep: readonly string[] = []): Record<string, string | string[]> {
  const dropped = connectionTokens(source.connection);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if ((HOP_BY_HOP.has(name) || dropped.has(name)) && !keep.includes(name)) continue;
    headers[name] = value;
  }
  return headers;
}
