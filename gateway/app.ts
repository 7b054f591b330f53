import { type Context, Hono } from 'hono';
import { parseHost } from './domain/host.ts';
import type { EndpointRequest } from './endpoint/fetch-endpoint.ts';
import { createApiRoutes, type ApiDeps } from './api/routes.ts';
import { errorResponse } from './api/error-response.ts';
import type { DashboardDeps } from './ui/dashboard.tsx';
import { lazyDashboard } from './ui/lazy-dashboard.ts';

/** The runtime-agnostic Hono app for the gateway's own host: health, metrics, REST API. */
export interface AppDeps extends ApiDeps, DashboardDeps {
  readonly prometheus: () => string | Promise<string>;
  /** Serves an endpoint from a web-standard Request (the `/p/{label}/` path prefix). */
  readonly endpoint: (request: EndpointRequest) => Promise<Response>;
  readonly clientAddress: (c: Context) => string;
  /** Endpoints are `{label}.{domain}`; a request for one reaching the app (no Node listener in front, as on Lambda) is served as an endpoint. */
  readonly domain: string;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    const target = parseHost(c.req.header('host'), deps.domain);
    if (target.kind === 'gateway') return next();
    const url = new URL(c.req.url);
    return deps.endpoint({ request: c.req.raw, label: target.label, path: url.pathname + url.search, prefix: null, clientAddress: deps.clientAddress(c) });
  });
  // Endpoints under a path prefix, for hosts without a wildcard domain: /p/{label}/… reaches the demo at /….
  app.all('/p/:label', async (c) => (c.req.method === 'GET' && !c.req.path.endsWith('/') ? c.redirect(`/p/${c.req.param('label')}/`, 308) : servePrefixed(c)));
  app.all('/p/:label/*', (c) => servePrefixed(c));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/metrics', async (c) => c.text(await deps.prometheus(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
  app.route('/', createApiRoutes(deps)); // under /api (its own base path)
  app.route('/', lazyDashboard(deps)); // dashboard.tsx loads with the first page asked for
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: { code: 'not_found', message: `no API route ${c.req.method} ${c.req.path}` } }, 404)
      : c.text(`Portico: nothing at ${c.req.path}. The API is under /api; demos are served at http://{label}.<domain>.\n`, 404),
  );
  app.onError(errorResponse);
  return app;

  function servePrefixed(c: Context): Promise<Response> {
    const label = c.req.param('label')!;
    const prefix = `/p/${label}`;
    const url = new URL(c.req.url);
    const path = (url.pathname.slice(prefix.length) || '/') + url.search;
    return deps.endpoint({ request: c.req.raw, label, path, prefix, clientAddress: deps.clientAddress(c) });
  }
}
