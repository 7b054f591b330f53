import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/**
 * Lets the HTTP/1 request listener serve HTTP/2 requests too. Node's compatibility API gives an
 * HTTP/2 request pseudo-headers (`:authority`, `:path`…) instead of `Host`; the listener routes on
 * `Host` and forwards headers to the demo over HTTP/1.1, where a `:` name is illegal. So an
 * HTTP/2 request is shown with `host` from `:authority` and without pseudo-headers (its `method`
 * and `url` still come from them), in `headers` and `rawHeaders` alike, and a reason phrase given
 * to `writeHead` is dropped.
 */
export function servingHttp2(listener: RequestListener): (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void {
  return (req, res) => {
    if (req.httpVersionMajor === 2) {
      const headers: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(':')) headers[name] = value;
      headers.host ??= (req as Http2ServerRequest).authority;
      Object.defineProperty(req, 'headers', { value: headers, configurable: true, enumerable: true });
      // The proxy's hot path reads the flat `rawHeaders` list (raw-headers.ts): the same view there.
      const raw: string[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) if (!req.rawHeaders[i]!.startsWith(':')) raw.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      if (!raw.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'host')) raw.push('host', String(headers.host));
      Object.defineProperty(req, 'rawHeaders', { value: raw, configurable: true, enumerable: true });
      // HTTP/2 has no reason phrase: the proxy passes the demo's along, which Node would warn about.
      const response = res as Http2ServerResponse;
      const writeHead = response.writeHead.bind(response) as (status: number, ...rest: unknown[]) => Http2ServerResponse;
      response.writeHead = ((status: number, ...rest: unknown[]) => writeHead(status, ...(typeof rest[0] === 'string' ? rest.slice(1) : rest))) as typeof response.writeHead;
    }
    listener(req as IncomingMessage, res as ServerResponse);
  };
}
