import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../gateway/adapters/local/sqlite-store.ts';
import { notWokenPage, renderPage } from '../../gateway/endpoint/pages.ts';
import { resolveEndpoint } from '../../gateway/endpoint/resolve-endpoint.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';

const CRASH_OUTPUT = 'Traceback (most recent call last):\n  File "/app/app.py"\nRuntimeError: CUDA error: out of memory';

describe('the pages visitors of a demo see when it cannot answer', () => {
  it('tells visitors of a crashed demo to come back, without its output, and points its owner to the dashboard', () => {
    const html = renderPage(notWokenPage({ reason: CRASH_OUTPUT, crashed: true }));
    expect(html).toContain('<h1>This demo has stopped</h1>');
    expect(html).not.toContain('CUDA');
    expect(html).not.toContain('Traceback');
    expect(html).toContain('Is this your demo? <a id="owner-link" href="/">See why on the Portico dashboard</a>');
    // The link is worked out in the browser from {label}.{gateway host} or /p/{label}/.
    expect(html).toContain("'/projects/' + encodeURIComponent(label)");
  });

  it('says a demo that did not wake may be tried again, without the reason', () => {
    const html = renderPage(notWokenPage({ reason: 'start_failed: container exited with 137', crashed: false }));
    expect(html).toContain('<h1>This demo could not wake up</h1>');
    expect(html).not.toContain('137');
  });

  it('escapes what a page says', () => {
    expect(renderPage({ status: 404, title: '<b>x</b>', message: '"a" & b' })).toContain('<h1>&#60;b&#62;x&#60;/b&#62;</h1><p>&#34;a&#34; &#38; b</p>');
  });

  describe('for a project that has no serving deployment', () => {
    let dir: string;
    let store: ReturnType<typeof createSqliteStore>;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'portico-pages-'));
      store = createSqliteStore(join(dir, 'portico.db'));
      await store.createProject(makeProject());
    });
    afterEach(async () => {
      store.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('shows a failed demo as not available, keeping the build error for the dashboard', async () => {
      await store.createDeployment(makeDeployment({ id: 'd1', projectId: 'main-gpt2-acme', status: 'failed', error: 'Step 4/9 : RUN pip install torch\nERROR: No matching distribution' }));
      const target = await resolveEndpoint(store, 'main-gpt2-acme');
      expect(target).toMatchObject({ kind: 'page', projectId: 'main-gpt2-acme', page: { status: 503, title: 'This demo is not available', forVisitors: true } });
      const html = renderPage((target as Extract<typeof target, { kind: 'page' }>).page);
      expect(html).not.toContain('pip');
      expect(html).not.toContain('Step 4/9');
    });

    it('says a demo being deployed is starting, and one never deployed is not up yet', async () => {
      expect(await resolveEndpoint(store, 'main-gpt2-acme')).toMatchObject({ page: { title: 'This demo is not up yet' } });
      await store.createDeployment(makeDeployment({ id: 'd2', projectId: 'main-gpt2-acme', status: 'building' }));
      expect(await resolveEndpoint(store, 'main-gpt2-acme')).toMatchObject({ page: { status: 503, title: 'This demo is starting' } });
    });
  });
});
