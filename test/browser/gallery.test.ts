import { type ServerType, serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { dashboardApp } from '../ui/dashboard-app.ts';
import { launchChromium, screenshot } from './chromium.ts';

const NOW = Date.now();
const minutesAgo = (n: number) => new Date(NOW - n * 60_000).toISOString();

/**
 * The gallery as visitors of the dashboard see it, with demos whose READMEs carry Spaces front
 * matter (recorded on their deployments as `card`, as the pipeline does) next to one
 * without, in Chromium. The app is the real one over a real SQLite store; nothing is deployed.
 */
describe('the demo gallery in a browser', () => {
  let browser: Browser;
  let server: ServerType;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const made = await dashboardApp(
      {
        'main-gpt2-story-acme': { state: 'running', lastRequestAt: null, coldStarts: 1 },
        'main-sdxl-turbo-acme': { state: 'sleeping', lastRequestAt: null, coldStarts: 3 },
      },
    );
    const { store } = made;
    const cpu = { gpus: 0, cudaVersion: null, pool: null, reason: 'no CUDA base image' };
    const gpu = { gpus: 1, cudaVersion: '12.1', pool: 'a10g', reason: 'CUDA 12.1 fits pool a10g' };
    const seed = async (id: string, repo: string, deployment: Parameters<typeof makeDeployment>[0], serving: boolean) => {
      await store.createProject(makeProject({ id, source: { kind: 'github', owner: 'acme', repo }, currentDeploymentId: serving ? deployment.id : null }));
      await store.createDeployment(makeDeployment(deployment));
    };
    // Front matter as the pipeline records it on each deployment that read a README.
    const card = (title: string, emoji: string, description: string, sdk: string, appPort: number | null) => ({ title, emoji, description, sdk, appPort });
    await seed('main-gpt2-story-acme', 'gpt2-story', { id: 'a1', projectId: 'main-gpt2-story-acme', status: 'ready', placement: cpu, createdAt: minutesAgo(12), card: card('GPT-2 story writer', '📖', 'Give it a first line and it writes the rest of the story, on a CPU.', 'docker', 7860) }, true);
    await seed('main-sdxl-turbo-acme', 'sdxl-turbo', { id: 'b1', projectId: 'main-sdxl-turbo-acme', status: 'ready', placement: gpu, createdAt: minutesAgo(60 * 26), card: card('SDXL Turbo', '🎨', 'Text to image in a single step.', 'docker', null) }, true);
    await seed('main-whisper-acme', 'whisper', { id: 'c1', projectId: 'main-whisper-acme', status: 'building', placement: cpu, createdAt: minutesAgo(1), card: card('Whisper transcriber', '🎙️', 'Upload a recording, get its text with timestamps.', 'gradio', null) }, false);
    await seed('main-broken-demo-acme', 'broken-demo', { id: 'd1', projectId: 'main-broken-demo-acme', status: 'failed', error: 'no Dockerfile at "Dockerfile" in acme/broken-demo@main (3f2a1b0); add one, or set "dockerfile" to its path', createdAt: minutesAgo(3) }, false);

    server = serve({ fetch: made.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = made.close;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await close?.();
  });

  it('shows each demo’s emoji, title and description, its status and hardware, and the way in only where it serves', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    try {
      await page.goto(`${url}/`);
      const card = (id: string) => page.locator(`article[data-project="${id}"]`);
      expect(await card('main-gpt2-story-acme').locator('.emoji').textContent()).toBe('📖');
      expect(await card('main-gpt2-story-acme').locator('a.title').textContent()).toBe('GPT-2 story writer');
      expect(await card('main-gpt2-story-acme').locator('.description').textContent()).toBe('Give it a first line and it writes the rest of the story, on a CPU.');
      expect(await card('main-sdxl-turbo-acme').locator('.hardware').textContent()).toBe('GPU ×1 (pool a10g, CUDA 12.1)');
      expect(await card('main-sdxl-turbo-acme').locator('.runtime').textContent()).toBe('sleeping');
      expect(await card('main-sdxl-turbo-acme').locator('a.endpoint').getAttribute('href')).toBe('http://main-sdxl-turbo-acme.localhost:8080');
      expect(await card('main-sdxl-turbo-acme').locator('time').textContent()).toBe('1 day ago');
      expect(await card('main-whisper-acme').locator('.badge').getAttribute('data-status')).toBe('building');
      expect(await card('main-whisper-acme').locator('a.endpoint').count()).toBe(0);
      expect(await card('main-broken-demo-acme').locator('.emoji').textContent()).toBe('B');
      expect(await card('main-broken-demo-acme').locator('.reason').textContent()).toMatch(/^Failed: no Dockerfile at "Dockerfile"/);
      expect(await card('main-broken-demo-acme').locator('a.endpoint').count()).toBe(0);
      await screenshot(page, 'gallery-cards');
    } finally {
      await page.close();
    }
  });
});
