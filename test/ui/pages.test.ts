import { afterEach, describe, expect, it } from 'vitest';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { dashboardApp, get } from './dashboard-app.ts';

describe('dashboard pages', () => {
  let close = async () => {};
  afterEach(() => close());

  async function setUp(runtime: Parameters<typeof dashboardApp>[0] = {}) {
    const made = await dashboardApp(runtime);
    close = made.close;
    return made;
  }

  it('shows each project as a card with its latest status, the link to open it, its hardware and runtime state', async () => {
    const { app, store } = await setUp({ 'main-gpt2-acme': { state: 'sleeping', lastRequestAt: null, coldStarts: 2 } });
    await store.createProject(makeProject({ currentDeploymentId: 'd1' }));
    await store.createDeployment(
      makeDeployment({ id: 'd1', projectId: 'main-gpt2-acme', status: 'ready', placement: { gpus: 1, cudaVersion: '12.1', pool: 't4', reason: 'pool t4 fits' } }),
    );
    await store.createProject(makeProject({ id: 'main-cpu-acme', source: { kind: 'github', owner: 'acme', repo: 'cpu' } }));

    const response = await get(app, '/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const card = (id: string) => html.slice(html.indexOf(`data-project="${id}"`)).split('</article>')[0]!;
    expect(card('main-gpt2-acme')).toContain('<a class="title" href="/projects/main-gpt2-acme">main-gpt2-acme</a>');
    expect(card('main-gpt2-acme')).toContain('data-status="ready"');
    expect(card('main-gpt2-acme')).toContain('<a class="endpoint open" href="http://main-gpt2-acme.localhost:8080">Open demo →</a>');
    expect(card('main-gpt2-acme')).toContain('<dd class="hardware">GPU ×1 (pool t4, CUDA 12.1)</dd>');
    expect(card('main-gpt2-acme')).toContain('<dd class="runtime">sleeping</dd>');
    expect(card('main-gpt2-acme')).toContain('<p class="muted source">acme/gpt2 @ main</p>');
    expect(card('main-cpu-acme')).toContain('data-status="none"'); // no deployment yet
    expect(card('main-cpu-acme')).not.toContain('class="endpoint');
    expect(card('main-cpu-acme')).toContain('Not serving yet');
    expect(html).toContain('id="deploy-form"');
  });

  it('says nothing is deployed yet when there are no projects', async () => {
    const { app } = await setUp();
    const html = await (await get(app, '/')).text();
    expect(html).toContain('id="no-projects"');
    expect(html).not.toContain('id="projects"');
  });

  it('pre-fills the deploy form from /deploy?repo=…&branch=…', async () => {
    const { app } = await setUp();
    const response = await get(app, '/deploy?repo=github.com/acme/gpt2&branch=dev');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/<input name="repo" required="" value="github.com\/acme\/gpt2"/);
    expect(html).toMatch(/<input name="branch" value="dev"/);
  });

  it('escapes what the deploy link carries', async () => {
    const { app } = await setUp();
    const html = await (await get(app, `/deploy?repo=${encodeURIComponent('"><script>alert(1)</script>')}`)).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('answers an unknown project with a 404 page naming it', async () => {
    const { app } = await setUp();
    const response = await get(app, '/projects/main-nope-acme');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('Project &quot;main-nope-acme&quot; does not exist');
  });

  it('shows a failed deployment with its phase durations, its error and its log stream', async () => {
    const { app, store } = await setUp();
    await store.createProject(makeProject());
    await store.createDeployment(
      makeDeployment({
        id: 'd-failed',
        projectId: 'main-gpt2-acme',
        status: 'failed',
        commit: 'abcdef0123456789',
        error: 'build failed: step 3 exited with 1 <see log>',
        phases: [
          { name: 'resolving', startedAt: '2026-11-25T09:30:00.000Z', endedAt: '2026-11-25T09:30:00.250Z' },
          { name: 'fetching', startedAt: '2026-11-25T09:30:00.250Z', endedAt: '2026-11-25T09:30:01.750Z' },
          { name: 'building', startedAt: '2026-11-25T09:30:01.750Z', endedAt: '2026-11-25T09:31:06.750Z' },
        ],
      }),
    );
    const response = await get(app, '/projects/main-gpt2-acme');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('data-status="failed"');
    expect(html).toContain('<span data-phase="resolving">250 ms</span>');
    expect(html).toContain('<span data-phase="fetching">1.5 s</span>');
    expect(html).toContain('<span data-phase="building">1 min 5 s</span>');
    expect(html).toContain('style="width: 100.0%"'); // building, the longest phase
    expect(html).toContain('build failed: step 3 exited with 1 &lt;see log&gt;');
    expect(html).toContain('data-src="/ui/deployments/d-failed/log" data-live="false"');
    expect(html).toContain('commit abcdef012345');
  });

  it('serves the Deploy to Portico badge as SVG', async () => {
    const { app } = await setUp();
    const response = await get(app, '/badge.svg');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await response.text()).toContain('Deploy to Portico');
  });
});
