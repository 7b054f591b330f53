import { Hono } from 'hono';

/**
 * Requests that reach the Function URL through CloudFront (the `lambda` data plane on a custom
 * domain, cdk/constructs/edge.ts) carry the Function URL's own host, which Lambda requires; the
 * demo's host comes in X-Forwarded-Host, set by the distribution's viewer-request function.
 * CloudFront marks every origin request with X-Amz-Cf-Id. Such a request is handed to `app` as
 * if it had arrived on the demo's host. Anyone could send those headers to the Function URL
 * directly; that reaches nothing the URL did not already serve (`/p/{label}/`).
 */
export function withCloudFrontHost(app: Hono): Hono {
  const outer = new Hono();
  outer.all('*', (c) => {
    const request = c.req.raw;
    const forwarded = request.headers.get('x-forwarded-host');
    if (!forwarded || !request.headers.has('x-amz-cf-id')) return app.fetch(request, c.env);
    const url = new URL(request.url);
    url.host = forwarded;
    const headers = new Headers(request.headers);
    headers.set('host', forwarded);
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, signal: request.signal };
    if (request.body) {
      init.body = request.body;
      init.duplex = 'half';
    }
    return app.fetch(new Request(url, init), c.env);
  });
  return outer;
}
