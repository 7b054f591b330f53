import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../gateway/ui/dashboard.tsx';
import { DASHBOARD_ROUTES } from '../../gateway/ui/lazy-dashboard.ts';
import type { ProjectService } from '../../gateway/services/project-service.ts';
import { dashboardApp, get } from './dashboard-app.ts';

/*
 * The app mounts the dashboard through lazy-dashboard.ts (its pages load with the first one asked
 * for); the other suites under test/ui go through it. Here: its route list is the dashboard's own,
 * and a page's error still reaches the app's error response.
 */

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('the lazily loaded dashboard', () => {
  it('routes exactly the paths the dashboard defines, its middleware aside', () => {
    const dashboard = createDashboard({ projects: {} as ProjectService, endpointUrl: () => '', runtimeOf: () => ({ state: null, lastRequestAt: null, coldStarts: 0 }) });
    const own = dashboard.routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method} ${route.path}`);

    expect(DASHBOARD_ROUTES.map((route) => `${route.method} ${route.path}`).sort()).toEqual(own.sort());
  });

  it("answers a page's unexpected error with the app's error response, as when the routes were mounted in it", async () => {
    const failing = await dashboardApp({}, () => ({ projects: { list: () => Promise.reject(new Error('disk on fire')) } as unknown as ProjectService }));
    close = failing.close;

    const response = await get(failing.app, '/');

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'internal error; the gateway log has the details' } });
  });

  it("leaves a path the dashboard does not define to the app's not-found answer", async () => {
    const served = await dashboardApp();
    close = served.close;

    const response = await get(served.app, '/projects/a/nothing-here');

    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Portico: nothing at /projects/a/nothing-here.');
  });
});
