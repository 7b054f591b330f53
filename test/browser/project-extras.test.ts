import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { requireDocker, testDocker } from '../support/docker.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';
import { launchChromium, screenshot } from './chromium.ts';
import { openApiDemo } from './openapi-demo.ts';

/** The project page's runtime log, charts and API tab in headless Chromium, against demos running on the local engine. */
describe('the project page’s runtime log, charts and API tab in a browser', () => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let echo: string; // the project id (and label) of the OpenAPI demo

  beforeAll(async () => {
    const { docker, where } = testDocker();
    await requireDocker(docker, where);
    gateway = await startTestGateway();
    browser = await launchChromium();
    const source = await repos.create(openApiDemo());
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
    echo = created.body.id;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  });

  afterEach(async () => {
    await page.close();
  });

  it('shows what the demo printed, refreshes it, and charts its requests', async () => {
    for (let i = 0; i < 3; i++) expect((await gateway.endpoint(echo, '/hello')).status).toBe(200);

    await page.goto(`${gateway.url}/projects/${echo}`);
    const log = page.locator('#runtime-log');
    expect(await log.textContent()).toContain('echo demo listening');
    expect(await log.textContent()).toContain('request GET /hello');
    expect(await page.locator('#requests-chart .muted').textContent()).toMatch(/^3 request\(s\), at most 3 in a minute$/);
    expect(await page.locator('#requests-chart svg path.line').getAttribute('d')).toMatch(/ L360,44$/); // this minute: 3 requests on an axis that tops at 5
    await screenshot(page, 'project-runtime-log-and-charts');

    expect((await gateway.endpoint(echo, '/after-page-load')).status).toBe(200);
    await page.click('#runtime-log-refresh');
    await log.filter({ hasText: 'request GET /after-page-load' }).waitFor({ timeout: 10_000 });
  }, 60_000);

  it('renders the demo’s OpenAPI document in Swagger UI and "Try it out" reaches the demo', async () => {
    await page.goto(`${gateway.url}/projects/${echo}`);
    await page.click('nav.tabs a:text("API")');
    await page.waitForURL(`${gateway.url}/projects/${echo}/api`);

    const operation = page.locator('.opblock-summary', { hasText: '/predict' });
    await operation.waitFor({ timeout: 30_000 });
    expect(await operation.textContent()).toContain('Echo the text back');
    expect(await page.locator('#api-status').getAttribute('data-state')).toBe('shown');
    // The document has no servers: Swagger UI is given the demo's path prefix on this host.
    expect(await page.locator('.servers select option').first().textContent()).toBe(`/p/${echo}`);

    await operation.click();
    await page.click('button.try-out__btn');
    await page.fill('input[placeholder="text"]', 'hello from swagger');
    await page.click('button.execute');
    const body = page.locator('.live-responses-table .response-col_description pre').first();
    await body.filter({ hasText: 'hello from swagger' }).waitFor({ timeout: 30_000 });
    expect(JSON.parse((await body.textContent())!)).toEqual({ echo: 'hello from swagger' });
    expect(await page.locator('.live-responses-table .response .response-col_status').first().textContent()).toBe('200');
    await screenshot(page, 'project-api-tab');
  }, 90_000);

  it('says so on the API tab when the demo serves no /openapi.json', async () => {
    const source = await repos.create(staticSite('no api here\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');

    await page.goto(`${gateway.url}/projects/${created.body.id}/api`);
    const status = page.locator('#api-status[data-state="none"]');
    await status.waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toMatch(/^This demo serves no OpenAPI document \(GET \/openapi.json answered 404\)/);
    expect(await page.locator('.swagger-ui').count()).toBe(0);
    await screenshot(page, 'project-api-tab-none');
  }, 120_000);
});
