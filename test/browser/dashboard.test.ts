import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { requireDocker, testDocker } from '../support/docker.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';
import { launchChromium, screenshot } from './chromium.ts';

/** The dashboard in headless Chromium, against a real gateway building real images on the local engine. */
describe('the dashboard in a browser', () => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const { docker, where } = testDocker();
    await requireDocker(docker, where);
    gateway = await startTestGateway();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  });

  afterEach(async () => {
    await page.close();
  });

  const badgeOf = (scope: string) => page.locator(`${scope} .badge`);

  it('shows a deployed project as a card with its ready badge and a working link to open it', async () => {
    const source = await repos.create(staticSite('hello from the dashboard\n'));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
    expect((await gateway.endpoint(created.body.id)).status).toBe(200); // the scaler knows a container once it has served

    await page.goto(`${gateway.url}/`);
    const row = page.locator(`article[data-project="${created.body.id}"]`);
    expect(await row.locator('.badge').getAttribute('data-status')).toBe('ready');
    expect(await row.locator('.badge').textContent()).toBe('ready');
    expect(await row.locator('a.endpoint').getAttribute('href')).toBe(created.body.endpoint);
    expect(await row.locator('.runtime').textContent()).toBe('running');
    expect(await row.locator('.hardware').textContent()).toBe('CPU');
    await screenshot(page, 'project-list');

    // *.localhost resolves to the loopback address in Chromium: the link reaches the demo.
    await row.locator('a.endpoint').click();
    await page.waitForURL(created.body.endpoint + '/');
    expect(await page.textContent('body')).toContain('hello from the dashboard');
  }, 120_000);

  it('streams the build log into the project page while the build runs', async () => {
    const nonce = randomBytes(4).toString('hex'); // a RUN step never seen before, so the engine cannot answer it from cache
    // `$n` expands in the shell, so "step-one:<nonce>" appears only in the step's output, not in the echoed command.
    const source = await repos.create(staticSite('slow build\n', { run: `n=${nonce}; echo "step-one:$n"; sleep 5; echo "step-two:$n"` }));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    const deploymentId = created.body.deployment.id as string;

    await page.goto(`${gateway.url}/projects/${created.body.id}`);
    const log = page.locator('#log');
    await log.filter({ hasText: `step-one:${nonce}` }).waitFor({ timeout: 60_000 });
    const seenMidBuild = await log.textContent();
    const statusMidBuild = (await gateway.api('GET', `/api/deployments/${deploymentId}`)).body.status;
    await screenshot(page, 'build-log-streaming');
    expect(seenMidBuild).not.toContain(`step-two:${nonce}`);
    expect(statusMidBuild).toBe('building');
    // The badge and the timeline follow the deployment without a reload.
    expect(await page.locator('h1 .badge').getAttribute('data-status')).toBe('building');
    expect(await page.locator('#timeline [data-phase="building"]').textContent()).toMatch(/…$/);

    // When the deployment ends the page reloads once and shows the outcome.
    await page.locator('h1 .badge[data-status="ready"]').waitFor({ timeout: 60_000 });
    await log.filter({ hasText: `step-two:${nonce}` }).waitFor();
    expect(await page.locator('#timeline [data-phase]').count()).toBe(4);
    await screenshot(page, 'project-ready');
  }, 120_000);

  it('keeps the project list current without a reload: a building project turns ready in place', async () => {
    const nonce = randomBytes(4).toString('hex');
    const source = await repos.create(staticSite('list refresh\n', { run: `n=${nonce}; sleep 4; echo "done:$n"` }));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });

    await page.goto(`${gateway.url}/`);
    const badge = page.locator(`article[data-project="${created.body.id}"] .badge`);
    expect(await badge.getAttribute('data-status')).not.toBe('ready');
    await page.fill('#deploy-form input[name="repo"]', 'half-typed/repo');
    // A reload would clear this; the swapped list must not.
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));

    await page.locator(`article[data-project="${created.body.id}"] .badge[data-status="ready"]`).waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
    expect(await page.inputValue('#deploy-form input[name="repo"]')).toBe('half-typed/repo');
    expect((await gateway.api('GET', `/api/projects/${created.body.id}`)).body.latestDeployment.status).toBe('ready');
  }, 120_000);

  it('starts a deployment from the deploy form and shows it reaching ready', async () => {
    const source = await repos.create(staticSite('deployed from the form\n'));
    await page.goto(`${gateway.url}/`);
    await page.fill('#deploy-form input[name="repo"]', source.url);
    await page.fill('#deploy-form input[name="branch"]', 'main');
    await screenshot(page, 'deploy-form');
    await page.click('#deploy-form button[type="submit"]');

    await page.waitForURL(/\/projects\/[^/]+$/);
    const label = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.locator('h1 .badge[data-status="ready"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('h1').textContent()).toContain(label);
    const project = (await gateway.api('GET', `/api/projects/${label}`)).body;
    expect(project.latestDeployment.status).toBe('ready');
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'deployed from the form\n' });
    await screenshot(page, 'deployed-from-form');
  }, 120_000);

  it('pre-fills the form from a Deploy to Portico link and shows why the API refused', async () => {
    const source = await repos.create(staticSite('never deployed\n'));
    await page.goto(`${gateway.url}/deploy?repo=${encodeURIComponent(source.url)}&branch=no-such-branch`);
    expect(await page.inputValue('input[name="repo"]')).toBe(source.url);
    expect(await page.inputValue('input[name="branch"]')).toBe('no-such-branch');

    await page.click('#deploy-form button[type="submit"]');
    const problem = page.locator('#deploy-error');
    await problem.waitFor({ state: 'visible' });
    expect(await problem.textContent()).toMatch(/^Could not deploy: .*no-such-branch/);
    expect(page.url()).toContain('/deploy?');
    await screenshot(page, 'deploy-refused');
  });

  it('sends and remembers the API token when one is given', async () => {
    await page.goto(`${gateway.url}/deploy?repo=${encodeURIComponent('/nonexistent/dir')}`);
    await page.fill('input[name="token"]', 's3cret-token');
    const sent = page.waitForRequest((request) => request.url().endsWith('/api/projects') && request.method() === 'POST');
    await page.click('#deploy-form button[type="submit"]');
    expect((await sent).headers()['authorization']).toBe('Bearer s3cret-token');

    await page.reload();
    expect(await page.inputValue('input[name="token"]')).toBe('s3cret-token');
  });
});
