import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../gateway/services/metrics.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { dashboardApp, get } from './dashboard-app.ts';

/** The project page's runtime log, charts and API tab, read with app.request() (the browser suite runs them for real). */
describe('project page extras', () => {
  let close = async () => {};
  afterEach(() => close());

  async function setUp(extra: Parameters<typeof dashboardApp>[1] = () => ({})) {
    const made = await dashboardApp({}, extra);
    close = made.close;
    await made.store.createProject(makeProject({ currentDeploymentId: 'd1' }));
    await made.store.createDeployment(makeDeployment({ id: 'd1', projectId: 'main-gpt2-acme', status: 'ready', container: { id: 'container-1', upstream: 'http://127.0.0.1:1' } }));
    return made;
  }

  it('shows the serving container’s last 100 lines, escaped, with a refresh route serving the same text', async () => {
    const asked: string[] = [];
    const { app } = await setUp(() => ({
      containerLogs: async (id, { tail }) => {
        asked.push(`${id} tail=${tail}`);
        return 'model loaded\n<b>ready</b>\n';
      },
    }));

    const html = await (await get(app, '/projects/main-gpt2-acme')).text();
    expect(html).toMatch(/<pre class="log" id="runtime-log" data-src="\/ui\/projects\/main-gpt2-acme\/runtime-log">model loaded\n&lt;b&gt;ready&lt;\/b&gt;\n<\/pre>/);
    expect(html).toContain('id="runtime-log-refresh"');

    const refreshed = await get(app, '/ui/projects/main-gpt2-acme/runtime-log');
    expect(refreshed.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await refreshed.text()).toBe('model loaded\n<b>ready</b>\n');
    expect(asked).toEqual(['container-1 tail=100', 'container-1 tail=100']);
  });

  it('says why there is no runtime log when nothing serves the project or the output cannot be read', async () => {
    const { app, store } = await setUp(() => ({
      containerLogs: async () => {
        throw new Error('engine gone');
      },
    }));
    expect(await (await get(app, '/ui/projects/main-gpt2-acme/runtime-log')).text()).toBe('(could not read the output: engine gone)');
    await store.createProject(makeProject({ id: 'main-new-acme', source: { kind: 'github', owner: 'acme', repo: 'new' } }));
    expect(await (await get(app, '/ui/projects/main-new-acme/runtime-log')).text()).toMatch(/^No container serves this project yet/);
    expect((await get(app, '/ui/projects/main-nope-acme/runtime-log')).status).toBe(404);
  });

  it('charts the last hour of requests and wakes as inline SVG', async () => {
    let now = Date.parse('2026-11-25T12:00:10.000Z');
    const metrics = createMetrics({ now: () => now });
    const { app } = await setUp(() => ({ historyOf: (id) => metrics.history(id) }));
    metrics.response('main-gpt2-acme', 200);
    metrics.wake('main-gpt2-acme', 2400, true);
    now += 60_000;
    for (let i = 0; i < 3; i++) metrics.response('main-gpt2-acme', 200);

    const html = await (await get(app, '/projects/main-gpt2-acme')).text();
    const chart = (id: string) => html.slice(html.indexOf(`id="${id}"`)).split('</figure>')[0]!;
    expect(chart('requests-chart')).toContain('4 request(s), at most 3 in a minute');
    // 60 points on a 360 × 110 plot whose axis tops at 5: the last two minutes had 1 and 3.
    expect(chart('requests-chart')).toMatch(/<path class="line" d="M0,110 .* L353.9,88 L360,44"/);
    expect(chart('requests-chart')).toContain('>5 req/min</text>');
    expect(chart('requests-chart')).toContain('>60 min ago</text>');
    expect(chart('wakes-chart')).toContain('>5 s</text>');
    expect(chart('wakes-chart')).toContain('1 wake(s), slowest 2.4 s');
    expect(html).not.toContain('<script src="http');
  });

  it('has an API tab that loads the demo’s /openapi.json through its path prefix into Swagger UI served by Portico', async () => {
    const { app } = await setUp();
    expect(await (await get(app, '/projects/main-gpt2-acme')).text()).toContain('<a href="/projects/main-gpt2-acme/api">API</a>');

    const response = await get(app, '/projects/main-gpt2-acme/api');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<a href="/projects/main-gpt2-acme/api" aria-current="page">API</a>');
    expect(html).toContain('data-prefix="/p/main-gpt2-acme"');
    expect(html).toContain('<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"/>');
    expect(html).toContain('<script src="/api/docs/assets/swagger-ui-bundle.js"></script>');
    // The assets it names are the ones the API docs serve.
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js']) expect((await get(app, `/api/docs/assets/${asset}`)).status).toBe(200);
    expect((await get(app, '/projects/main-nope-acme/api')).status).toBe(404);
  });
});
