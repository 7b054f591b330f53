import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { launchChromium, screenshot } from './chromium.ts';

describe('Swagger UI at /api/docs in Chromium', () => {
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop({ removeData: true });
  });

  it('renders every operation with nothing fetched from another origin', async () => {
    const page = await browser.newPage();
    const origin = new URL(gateway.url).origin;
    const elsewhere: string[] = [];
    const failed: string[] = [];
    // As on a machine with no internet: anything not from Portico is refused and recorded.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('.map')) failed.push(`${response.status()} ${response.url()}`);
    });

    await page.goto(`${gateway.url}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
    const operations = await page.locator('.opblock-summary-path').allTextContents();
    const document = await (await fetch(`${gateway.url}/api/openapi.json`)).json();
    const declared = Object.values<object>(document.paths).reduce((count, operations) => count + Object.keys(operations).length, 0);
    expect(operations.length).toBe(declared);
    expect(operations.map((text) => text.replace(/\u200b/g, ''))).toContain('/api/projects/{id}');
    expect(await page.locator('.btn.authorize').count()).toBe(1);
    await screenshot(page, 'api-docs');
    expect(elsewhere).toEqual([]);
    expect(failed).toEqual([]);
  });
});
