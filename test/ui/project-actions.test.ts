import type { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectStore } from '../../gateway/ports/project-store.ts';
import { HistoryPage } from '../../gateway/ui/history-page.tsx';
import { ProjectPage } from '../../gateway/ui/project-page.tsx';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { dashboardApp, get } from './dashboard-app.ts';

/** A form post from the dashboard's own pages (same origin), as a browser sends it. */
function post(app: Hono, path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
  return Promise.resolve(
    app.request(`http://localhost:8080${path}`, {
      method: 'POST',
      headers: { host: 'localhost:8080', origin: 'http://localhost:8080', 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    }),
  );
}

/** The store's deployments of a project once none is still running (they fail at once here: local sources are refused). */
async function settled(store: ProjectStore, id: string) {
  for (;;) {
    const all = await store.listDeployments(id);
    if (all.every((d) => ['ready', 'failed', 'superseded'].includes(d.status))) return all;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ID = 'main-gpt2-acme';
/** A source the pipeline refuses in a moment (local sources are off), so a redeploy started here fails fast without an engine. */
const SOURCE = { kind: 'dir' as const, path: '/nonexistent/portico-ui-test', owner: 'local', repo: 'gpt2' };

describe('the dashboard’s project actions (forms, no script needed)', () => {
  let close = async () => {};
  afterEach(() => close());

  async function setUp(extra: Parameters<typeof dashboardApp>[1] = () => ({})) {
    const made = await dashboardApp({}, extra);
    const { store } = made;
    close = async () => {
      await settled(store, ID).catch(() => undefined);
      await made.close();
    };
    await store.createProject(makeProject({ source: SOURCE, currentDeploymentId: 'd2', env: { MODE: 'demo' }, secrets: { HF_TOKEN: 'hf_never_shown' } }));
    const phases = (start: string, end: string) => [
      { name: 'resolving' as const, startedAt: `2026-11-25T${start}.000Z`, endedAt: `2026-11-25T${start}.500Z` },
      { name: 'building' as const, startedAt: `2026-11-25T${start}.500Z`, endedAt: `2026-11-25T${end}.000Z` },
    ];
    await store.createDeployment(makeDeployment({ id: 'd1', projectId: ID, status: 'superseded', commit: 'aaaaaaa1111', image: 'portico-test/busybox:latest', phases: phases('09:00:00', '09:00:05'), createdAt: '2026-11-25T09:00:00.000Z' }));
    await store.createDeployment(makeDeployment({ id: 'd2', projectId: ID, status: 'ready', commit: 'bbbbbbb2222', image: 'portico/x:bbb', phases: phases('10:00:00', '10:00:03'), createdAt: '2026-11-25T10:00:00.000Z' }));
    await store.createDeployment(
      makeDeployment({ id: 'd3', projectId: ID, status: 'failed', commit: 'ccccccc3333', error: 'RUN pip install failed\nexit code 1', phases: phases('11:00:00', '11:00:02'), createdAt: '2026-11-25T11:00:00.000Z' }),
    );
    return made;
  }

  it('lists every deployment in the history, newest first, with status, commit, phase durations and a rollback only to one that served and is not serving', async () => {
    const { app } = await setUp();
    const html = await (await get(app, `/projects/${ID}/history`)).text();
    const rows = [...html.matchAll(/<tr data-deployment="(d\d)"/g)].map((m) => m[1]);
    expect(rows).toStrictEqual(['d3', 'd2', 'd1']);
    const row = (id: string) => html.slice(html.indexOf(`data-deployment="${id}"`)).split('</tr>')[0]!;
    expect(row('d3')).toContain('data-status="failed"');
    expect(row('d3')).toContain('<div class="reason">RUN pip install failed</div>');
    expect(row('d3')).toContain('<code class="commit">ccccccc</code>');
    expect(row('d1')).toContain('resolving 500 ms · building 4.5 s');
    expect(row('d1')).toContain('<td class="total">5.0 s</td>');
    expect(row('d1')).toContain(`<a href="/projects/${ID}/deployments/d1" class="log-link">Log</a>`);
    expect(row('d1')).toContain(`action="/projects/${ID}/rollback"`);
    expect(row('d1')).toContain('<input type="hidden" name="deploymentId" value="d1"/>');
    expect(row('d2')).toContain('serving');
    expect(row('d2')).not.toContain('/rollback'); // serving now
    expect(row('d3')).not.toContain('/rollback'); // never served
    expect(html).toContain('<a href="/projects/main-gpt2-acme/history" aria-current="page">History</a>');
  });

  it('shows one deployment’s whole log with its colours, every character escaped', async () => {
    const { app, store } = await setUp();
    await store.appendLog('d3', '==> building\n\x1b[31mERROR: <no matching distribution>\x1b[0m\n');
    const response = await get(app, `/projects/${ID}/deployments/d3`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<pre class="log" id="deployment-log">==&gt; building\n<span style="color:#f97066">ERROR: &lt;no matching distribution&gt;</span>\n</pre>');
    expect(html).toContain('RUN pip install failed');
    expect((await get(app, `/projects/${ID}/deployments/nope`)).status).toBe(404);
  });

  it('shows the settings with secret names only, every one of them editable', async () => {
    const { app } = await setUp();
    const html = await (await get(app, `/projects/${ID}/settings`)).text();
    expect(html).toContain('>MODE=demo</textarea>');
    expect(html).toContain('<code>HF_TOKEN</code>');
    expect(html).not.toContain('hf_never_shown');
    expect(html).toContain('<input name="idleTimeoutSeconds" type="number" min="1" step="1" required="" value="900"/>');
    expect(html).toContain('<option value="auto" selected="">auto</option>');
    for (const field of ['port', 'startupTimeoutSeconds', 'dockerfile', 'context']) {
      const input = html.slice(html.indexOf(`name="${field}"`)).split('>')[0]!;
      expect(input.includes('disabled'), field).toBe(false);
    }
  });

  it('saves changed settings through the API’s validation, redeploys, and says so on the project page', async () => {
    const { app, store } = await setUp();
    const response = await post(app, `/projects/${ID}/settings`, { env: 'MODE=prod\nNEW=1', idleTimeoutSeconds: '900', gpu: 'auto', removeSecret: 'HF_TOKEN', secretName: 'B_KEY', secretValue: 'b-value' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/projects/${ID}?done=settings-redeploy`);
    const project = (await store.getProject(ID))!;
    expect(project.env).toStrictEqual({ MODE: 'prod', NEW: '1' });
    expect(project.secrets).toStrictEqual({ B_KEY: 'b-value' });
    expect((await settled(store, ID)).length).toBe(4); // the redeployment
    const page = await (await get(app, response.headers.get('location')!)).text();
    expect(page).toContain('data-notice="settings-redeploy"');
  });

  it('saves only the idle timeout without redeploying', async () => {
    const { app, store } = await setUp();
    const response = await post(app, `/projects/${ID}/settings`, { env: 'MODE=demo', idleTimeoutSeconds: '60', gpu: 'auto' });
    expect(response.headers.get('location')).toBe(`/projects/${ID}/settings?done=settings-saved`);
    expect((await store.getProject(ID))!.idleTimeoutSeconds).toBe(60);
    expect(await store.listDeployments(ID)).toHaveLength(3);
  });

  it('shows what the API refused, keeping what was typed', async () => {
    const { app, store } = await setUp();
    const response = await post(app, `/projects/${ID}/settings`, { env: 'MODE=typed', idleTimeoutSeconds: '0', gpu: 'auto' });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Not saved: idleTimeoutSeconds: ');
    expect(html).toContain('>MODE=typed</textarea>');
    expect((await store.getProject(ID))!.env).toStrictEqual({ MODE: 'demo' });
  });

  it('redeploys from the project page’s button', async () => {
    const { app, store } = await setUp();
    const response = await post(app, `/projects/${ID}/redeploy`, {});
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/projects/${ID}?done=redeploy`);
    expect(await settled(store, ID)).toHaveLength(4);
  });

  it('explains a refused rollback on a page of its own', async () => {
    const { app } = await setUp();
    const response = await post(app, `/projects/${ID}/rollback`, { deploymentId: 'd3' });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('is failed and never served');
  });

  it('deletes only once the project’s name is typed', async () => {
    const { app, store } = await setUp();
    expect(await (await get(app, `/projects/${ID}/delete`)).text()).toContain('id="delete-form"');
    const wrong = await post(app, `/projects/${ID}/delete`, { confirm: 'main-gpt2' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain(`type the project&#39;s name, ${ID}, to confirm`);
    expect(await store.getProject(ID)).not.toBeNull();

    const right = await post(app, `/projects/${ID}/delete`, { confirm: ID });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/?done=deleted');
    expect(await store.getProject(ID)).toBeNull();
    expect(await (await get(app, '/?done=deleted')).text()).toContain('data-notice="deleted"');
  });

  it('needs the API token when the gateway has one, as the API does', async () => {
    const { app, store } = await setUp(() => ({ apiToken: 'right-token' }));
    expect(await (await get(app, `/projects/${ID}`)).text()).toContain('<input name="token" type="password"');
    const none = await post(app, `/projects/${ID}/redeploy`, {});
    expect(none.status).toBe(401);
    expect(await none.text()).toContain('needs its API token');
    const wrong = await post(app, `/projects/${ID}/settings`, { idleTimeoutSeconds: '61', token: 'wrong' });
    expect(wrong.status).toBe(401);
    expect((await store.getProject(ID))!.idleTimeoutSeconds).toBe(900);
    const right = await post(app, `/projects/${ID}/settings`, { idleTimeoutSeconds: '61', token: 'right-token' });
    expect(right.status).toBe(303);
    expect((await store.getProject(ID))!.idleTimeoutSeconds).toBe(61);
  });

  it('refuses a form posted from another site', async () => {
    const { app, store } = await setUp();
    const response = await post(app, `/projects/${ID}/delete`, { confirm: ID }, { origin: 'http://evil.example' });
    expect(response.status).toBe(403);
    expect(await store.getProject(ID)).not.toBeNull();
  });
});

describe('the gallery', () => {
  let close = async () => {};
  afterEach(() => close());

  it('shows a demo’s front-matter title, emoji and description, and a failed one’s reason without an endpoint link', async () => {
    const made = await dashboardApp();
    close = made.close;
    const { store, app } = made;
    await store.createProject(makeProject({ currentDeploymentId: 'd1' }));
    // The front matter as the pipeline records it on the deployment that read the README.
    const frontMatter = { title: 'GPT-2 stories', emoji: '📖', description: 'Tell it a first line; it writes the rest.', sdk: 'docker', appPort: 7860 };
    await store.createDeployment(makeDeployment({ id: 'd1', projectId: 'main-gpt2-acme', status: 'ready', placement: { gpus: 0, cudaVersion: null, pool: null, reason: 'no CUDA' }, card: frontMatter }));
    await store.createProject(makeProject({ id: 'main-broken-acme', source: { kind: 'github', owner: 'acme', repo: 'broken' } }));
    await store.createDeployment(makeDeployment({ id: 'd2', projectId: 'main-broken-acme', status: 'failed', error: '\x1b[31mno Dockerfile at "Dockerfile"\x1b[0m in acme/broken@main\nmore' }));

    const html = await (await get(app, '/')).text();
    const card = (id: string) => html.slice(html.indexOf(`data-project="${id}"`)).split('</article>')[0]!;
    expect(card('main-gpt2-acme')).toContain('<span class="emoji" aria-hidden="true">📖</span>');
    expect(card('main-gpt2-acme')).toContain('<a class="title" href="/projects/main-gpt2-acme">GPT-2 stories</a>');
    expect(card('main-gpt2-acme')).toContain('<p class="description">Tell it a first line; it writes the rest.</p>');
    expect(card('main-gpt2-acme')).toContain('main-gpt2-acme · acme/gpt2 @ main');
    expect(card('main-gpt2-acme')).toContain('<dd class="hardware">CPU</dd>');
    expect(card('main-broken-acme')).toContain('<strong>Failed: </strong>no Dockerfile at &quot;Dockerfile&quot; in acme/broken@main</p>');
    expect(card('main-broken-acme')).not.toContain('class="endpoint');
    expect(card('main-broken-acme')).toContain('Never served');
    const page = await (await get(app, '/projects/main-gpt2-acme')).text();
    expect(page).toContain('<title>GPT-2 stories · Portico</title>');
    expect(page).toContain('📖 <strong>GPT-2 stories</strong> · Tell it a first line; it writes the rest.');
  });
});


describe('the history where the gateway cannot roll back (AWS with no release function)', () => {
  it('offers no rollback and says to redeploy', async () => {
    const project = makeProject({ currentDeploymentId: 'd2' });
    const deployments = [
      makeDeployment({ id: 'd2', projectId: project.id, status: 'ready', image: 'repo:b' }),
      makeDeployment({ id: 'd1', projectId: project.id, status: 'superseded', image: 'repo:a' }),
    ];
    const now = new Date('2026-11-25T10:00:00.000Z');
    const offered = await HistoryPage({ project, deployments, now, tokenRequired: false }).toString();
    expect(offered).toContain(`action="/projects/${project.id}/rollback"`);
    const html = await HistoryPage({ project, deployments, now, tokenRequired: false, rollbackAvailable: false }).toString();
    expect(html).not.toContain('/rollback');
    expect(html).toContain('This gateway cannot roll back yet: redeploy instead.');
  });
});

describe('the port a deployment found, where the gateway records it', () => {
  it('is shown with its reason on the project page, and left out where it is not recorded', async () => {
    const project = makeProject({ currentDeploymentId: 'p1' });
    const base = makeDeployment({ id: 'p1', projectId: project.id, status: 'ready' });
    // As a gateway that discovers ports records them on the deployment.
    const found = { ...base, port: 8501, portReason: 'listens on 8501, not the EXPOSEd 80' };
    const render = (deployment: typeof base) =>
      ProjectPage({
        details: { project, latestDeployment: deployment, currentDeployment: deployment },
        endpoint: 'http://main-gpt2-acme.localhost:8080',
        runtime: { state: 'running', lastRequestAt: null, coldStarts: 0 },
        now: new Date('2026-11-25T10:00:00.000Z'),
        runtimeLog: '',
        history: [],
      }).toString();
    expect(await render(found)).toContain('<p class="muted" id="port">serves on port 8501 (listens on 8501, not the EXPOSEd 80)</p>');
    expect(await render(base)).not.toContain('id="port"');
  });
});
