import { Hono } from 'hono';
import type { DashboardDeps } from './dashboard.tsx';

/**
 * The dashboard's routes (dashboard.tsx and action-routes.tsx, their middleware aside), each
 * handled by the dashboard app loaded by `import()` on the first request that reaches one. On
 * Lambda the gateway bundle is split there (cdk/constructs/lambda-bundling.ts), so the pages, hono/jsx
 * and ansi-to-html load with the first dashboard request, not with every cold start.
 * test/ui/lazy-dashboard.test.ts checks this list against the dashboard's own.
 */
export const DASHBOARD_ROUTES: readonly { readonly method: 'GET' | 'POST'; readonly path: string }[] = [
  { method: 'POST', path: '/projects/:id/redeploy' },
  { method: 'POST', path: '/projects/:id/rollback' },
  { method: 'POST', path: '/projects/:id/delete' },
  { method: 'POST', path: '/projects/:id/settings' },
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/deploy' },
  { method: 'GET', path: '/gpus' },
  { method: 'GET', path: '/projects/:id' },
  { method: 'GET', path: '/projects/:id/history' },
  { method: 'GET', path: '/projects/:id/deployments/:deploymentId' },
  { method: 'GET', path: '/projects/:id/settings' },
  { method: 'GET', path: '/projects/:id/delete' },
  { method: 'GET', path: '/projects/:id/api' },
  { method: 'GET', path: '/ui/projects/:id/runtime-log' },
  { method: 'GET', path: '/ui/deployments/:id/log' },
  { method: 'GET', path: '/badge.svg' },
];

export function lazyDashboard(deps: DashboardDeps): Hono {
  let loaded: Promise<Hono> | undefined;
  const dashboard = () =>
    (loaded ??= import('./dashboard.tsx').then(({ createDashboard }) => {
      const app = createDashboard(deps);
      // A page's error is the outer app's to answer (errorResponse), as when the routes were mounted in it.
      app.onError((error) => {
        throw error;
      });
      return app;
    })).catch((error: unknown) => {
      loaded = undefined; // a failed import is retried by the next request
      throw error;
    });
  const app = new Hono();
  for (const { method, path } of DASHBOARD_ROUTES) app.on(method, path, async (c) => (await dashboard()).fetch(c.req.raw, c.env));
  return app;
}
