import { Agent, type IncomingMessage, type ServerResponse, request } from 'node:http';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface NodeProxyOptions {
  readonly upstreamTimeoutMs: number;
}

export type ProxyFailure = { readonly status: 502 | 504; readonly message: string };

/**
 * Streams a request to an upstream base URL and the response back, over a keep-alive pool.
 * Node's own http module: no buffering and no Request/Response conversion on the hot path.
 */
export function createNodeProxy(options: NodeProxyOptions) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

  function forward(req: IncomingMessage, res: ServerResponse, upstream: string, onFailure: (failure: ProxyFailure) => void): void {
    const target = new URL(upstream);
    const headers: Record<string, string | string[]> = {};
    const dropped = connectionTokens(req.headers.connection);
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || dropped.has(name)) continue;
      headers[name] = value;
    }
    const peer = req.socket.remoteAddress ?? '';
    const priorFor = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = priorFor ? `${String(priorFor)}, ${peer}` : peer;
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-proto'] = 'encrypted' in req.socket ? 'https' : 'http';

    const outgoing = request({
      agent,
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      timeout: options.upstreamTimeoutMs,
    });
    outgoing.on('response', (incoming) => {
      const responseHeaders: Record<string, string | string[]> = {};
      const droppedBack = connectionTokens(incoming.headers.connection);
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name) || droppedBack.has(name)) continue;
        responseHeaders[name] = value;
      }
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, responseHeaders);
      incoming.pipe(res);
      incoming.on('error', () => res.destroy());
    });
    outgoing.on('timeout', () => {
      outgoing.destroy();
      fail({ status: 504, message: `the demo did not respond within ${options.upstreamTimeoutMs} ms` });
    });
    outgoing.on('error', (error) => fail({ status: 502, message: `the demo is not answering (${error.message})` }));
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);

    let failed = false;
    function fail(failure: ProxyFailure): void {
      if (failed) return;
      failed = true;
      if (res.headersSent) res.destroy();
      else onFailure(failure);
    }
  }

  return { forward, close: () => agent.destroy() };
}

function connectionTokens(header: string | string[] | undefined): Set<string> {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return new Set(text.split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
}
