import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { GpuPool } from '../../gateway/domain/gpu-pools.ts';
import { systemClock } from '../../gateway/ports/clock.ts';
import { createMetrics } from '../../gateway/services/metrics.ts';
import { createScaler } from '../../gateway/services/scaler.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { memoryRuntime } from '../support/memory-runtime.ts';
import { dashboardApp, get } from '../ui/dashboard-app.ts';
import { launchChromium, screenshot } from './chromium.ts';

/**
 * No GPU here: the page comes from the real app over a scaler driven by the in-memory runtime
 * stand-in, and Chromium renders it (for the screenshot, and to see the table as a person would).
 */
describe('the GPU page in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it('renders each pool with who holds its GPUs', async () => {
    const pool: GpuPool = { name: 'local', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '550.54.14', maxGpus: 2, instanceTypes: [] };
    const runtime = memoryRuntime();
    const made = await dashboardApp({}, (store) => {
      const scaler = createScaler({ store, runtime, clock: systemClock }, createMetrics(), { pauseAfterMs: 60_000, wakeTimeoutMs: 1_000, wakeProbeIntervalMs: 5, gpuPools: [pool], gpuContention: 'queue' });
      return { gpus: { pools: [pool], holders: () => scaler.gpuHolders() } };
    });
    try {
      for (const [name, state] of [['main-gpt2-acme', 'running'], ['main-sdxl-acme', 'stopped']] as const) {
        await made.store.createProject(makeProject({ id: name, source: { kind: 'github', owner: 'acme', repo: name }, currentDeploymentId: `d-${name}` }));
        await made.store.createDeployment(makeDeployment({ id: `d-${name}`, projectId: name, status: 'ready', container: { id: `c-${name}`, upstream: 'http://127.0.0.1:1' }, placement: { gpus: 1, cudaVersion: '12.4', pool: 'local', reason: 'fits' } }));
        runtime.containers.set(`c-${name}`, state);
      }
      const page = await browser.newPage({ viewport: { width: 1000, height: 500 } });
      await page.setContent(await (await get(made.app, '/gpus')).text());
      expect(await page.locator('[data-pool="local"] .gpu-use').textContent()).toBe('1 of 2 GPU(s) in use');
      expect(await page.locator('tr[data-project="main-gpt2-acme"] .state').textContent()).toBe('running: holds 1');
      expect(await page.locator('tr[data-project="main-sdxl-acme"] .state').textContent()).toBe('sleeping: holds none');
      await screenshot(page, 'gpu-page');
      await page.close();
    } finally {
      await made.close();
    }
  });
});
