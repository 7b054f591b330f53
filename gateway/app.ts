import { Hono } from 'hono';
import { createApiRoutes, type ApiDeps } from './api/routes.ts';
import { errorResponse } from './api/error-response.ts';

/** The runtime-agnostic Hono app for the gateway's own host: health, metrics, REST API. */
export function createApp(deps: ApiDeps & { readonly prometheus: () => string }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/metrics', (c) => c.text(deps.prometheus(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
  app.route('/api', createApiRoutes(deps));
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: { code: 'not_found', message: `no API route ${c.req.method} ${c.req.path}` } }, 404)
      : c.text(`Portico: nothing at ${c.req.path}. The API is under /api; demos are served at http://{label}.<domain>.\n`, 404),
  );
  app.onError(errorResponse);
  return app;
}
