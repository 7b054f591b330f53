import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { requireDocker, testDocker } from '../support/docker.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { type GitRepo, repoTracker } from '../support/git-repo.ts';
import { launchChromium, screenshot } from './chromium.ts';

/**
 * Every dashboard action in headless Chromium against a real gateway building real images:
 * redeploy, history, rollback, settings, delete; one after another on the same demo.
 */
describe('running a demo from the dashboard', () => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let source: GitRepo;
  let id: string;
  let firstDeployment: string;

  const waitForReady = () => page.locator('h1 .badge[data-status="ready"]').waitFor({ timeout: 90_000 });

  beforeAll(async () => {
    const { docker, where } = testDocker();
    await requireDocker(docker, where);
    gateway = await startTestGateway();
    browser = await launchChromium();
    // A build step that prints in colour, as pip, npm and cargo do; run-unique, so BuildKit's cache
    // (which outlives a run) cannot replay it as CACHED without its output.
    source = await repos.create(staticSite('version one\n', { run: `printf '\\033[32mcolour check: green\\033[0m\\n' # run ${randomUUID()}` }));
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, branch: 'main' });
    id = created.body.id;
    firstDeployment = created.body.deployment.id;
    expect((await gateway.waitForDeployment(firstDeployment)).status).toBe('ready');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on('dialog', (dialog) => void dialog.accept()); // the rollback's "are you sure?"
  });

  afterEach(async () => {
    await page.close();
  });

  it('renders the build log’s colours and shows the demo in the gallery', async () => {
    const failing = await repos.create({ 'README.md': 'no Dockerfile here\n' });
    const broken = await gateway.api('POST', '/api/projects', { repo: failing.url, branch: 'main' });
    await gateway.waitForDeployment(broken.body.deployment.id);

    await page.goto(`${gateway.url}/projects/${id}`);
    const green = page.locator('#log span', { hasText: 'colour check: green' });
    await green.waitFor({ timeout: 30_000 });
    expect(await green.getAttribute('style')).toBe('color:#47cd89');
    expect(await page.locator('#log').textContent()).not.toContain('\x1b');

    await page.goto(`${gateway.url}/`);
    const card = page.locator(`article[data-project="${id}"]`);
    expect(await card.locator('a.endpoint').getAttribute('href')).toBe((await gateway.api('GET', `/api/projects/${id}`)).body.endpoint);
    const brokenCard = page.locator(`article[data-project="${broken.body.id}"]`);
    expect(await brokenCard.locator('.reason').textContent()).toMatch(/^Failed: no Dockerfile at "Dockerfile"/);
    expect(await brokenCard.locator('a.endpoint').count()).toBe(0);
    expect(await brokenCard.locator('.not-serving').textContent()).toContain('Never served');
    // Exact time on hover.
    expect(await card.locator('time').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await screenshot(page, 'gallery');

    // Its visitors see a page for them, without the build's reason; its owner follows the link to the dashboard.
    await page.goto(broken.body.endpoint);
    expect(await page.locator('h1').textContent()).toBe('This demo is not available');
    expect(await page.textContent('body')).not.toContain('Dockerfile');
    await screenshot(page, 'visitor-page-failed');
    await page.click('#owner-link');
    await page.waitForURL(`${new URL(broken.body.endpoint).origin.replace(`${broken.body.id}.`, '')}/projects/${broken.body.id}`);
    expect(await page.locator('#deployment-error').textContent()).toContain('no Dockerfile at "Dockerfile"');
    await gateway.api('DELETE', `/api/projects/${broken.body.id}`);
  }, 120_000);

  it('redeploys with the button, without JavaScript, and serves the new commit', async () => {
    await source.commit(staticSite('version two\n'));
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 800 } });
    try {
      const plain = await context.newPage();
      await plain.goto(`${gateway.url}/projects/${id}`);
      await plain.click('#redeploy-form button');
      await plain.waitForURL(`${gateway.url}/projects/${id}?done=redeploy`);
      expect(await plain.locator('#notice').textContent()).toContain('Redeploying');
      await screenshot(plain, 'project-redeploy-no-js');
    } finally {
      await context.close();
    }
    const latest = (await gateway.api('GET', `/api/projects/${id}`)).body.latestDeployment;
    expect(latest.id).not.toBe(firstDeployment);
    expect((await gateway.waitForDeployment(latest.id)).status).toBe('ready');
    expect((await gateway.endpoint(id)).text).toBe('version two\n');
  }, 120_000);

  it('lists the deployments in the history, with each one’s log', async () => {
    await page.goto(`${gateway.url}/projects/${id}/history`);
    const rows = page.locator('#history tbody tr');
    expect(await rows.count()).toBe(2);
    const first = page.locator(`tr[data-deployment="${firstDeployment}"]`);
    expect(await first.locator('.badge').getAttribute('data-status')).toBe('superseded');
    expect(await first.locator('.phases').textContent()).toMatch(/^resolving [\d.]+ m?s · fetching [\d.]+ m?s · building [\d.]+ m?s · starting [\d.]+ m?s$/);
    expect(await rows.first().locator('.serving-mark').textContent()).toBe('serving');
    await screenshot(page, 'project-history');

    await first.locator('a.log-link').click();
    await page.waitForURL(`${gateway.url}/projects/${id}/deployments/${firstDeployment}`);
    expect(await page.locator('#deployment-log').textContent()).toContain('==> building');
    expect(await page.locator('#deployment-log span', { hasText: 'colour check: green' }).count()).toBe(1);
    await screenshot(page, 'deployment-log');
  }, 60_000);

  it('rolls back to the first deployment’s kept image, which serves again without a build', async () => {
    await page.goto(`${gateway.url}/projects/${id}/history`);
    await page.locator(`tr[data-deployment="${firstDeployment}"] form.action button`).click();
    await page.waitForURL(`${gateway.url}/projects/${id}?done=rollback`);
    await waitForReady();
    expect(await page.locator('#timeline [data-phase]').count()).toBe(1); // only starting: nothing was rebuilt
    expect((await gateway.endpoint(id)).text).toBe('version one\n');
    await screenshot(page, 'project-rolled-back');

    // The second deployment is superseded now; once its image is pruned, the history offers no rollback to it.
    const [, second] = (await gateway.api('GET', `/api/projects/${id}/deployments`)).body.deployments;
    expect(second.status).toBe('superseded');
    await testDocker().docker.getImage(second.image).remove();
    await page.goto(`${gateway.url}/projects/${id}/history`);
    const row = page.locator(`tr[data-deployment="${second.id}"]`);
    expect(await row.locator('.pruned').textContent()).toBe('image pruned');
    expect(await row.locator('form.action').count()).toBe(0);
    expect(await page.locator(`tr[data-deployment="${firstDeployment}"] form.action`).count()).toBe(0); // its image serves again
  }, 120_000);

  it('saves settings with the API’s validation and redeploys with them', async () => {
    await page.goto(`${gateway.url}/projects/${id}/settings`);
    await page.fill('textarea[name="env"]', 'GREETING=hello from the settings page\nMODE=demo');
    await page.fill('input[name="secretName"]', 'HF_TOKEN');
    await page.fill('input[name="secretValue"]', 'hf_browser_secret');
    await page.fill('input[name="idleTimeoutSeconds"]', '300');
    await screenshot(page, 'project-settings');
    await page.click('#settings-form button[type="submit"]');

    await page.waitForURL(`${gateway.url}/projects/${id}?done=settings-redeploy`);
    expect(await page.locator('#notice').textContent()).toContain('Settings saved');
    await waitForReady();
    const project = (await gateway.api('GET', `/api/projects/${id}`)).body;
    expect(project.env).toStrictEqual({ GREETING: 'hello from the settings page', MODE: 'demo' });
    expect(project.secrets).toStrictEqual(['HF_TOKEN']);
    expect(project.idleTimeoutSeconds).toBe(300);
    expect(project.latestDeployment.status).toBe('ready');
    await screenshot(page, 'project-settings-redeployed');

    // The secret's value is never shown again; a wrong value is refused with the API's reason.
    await page.goto(`${gateway.url}/projects/${id}/settings`);
    expect(await page.locator('#secret-names').textContent()).toContain('HF_TOKEN');
    expect(await page.content()).not.toContain('hf_browser_secret');
    await page.fill('input[name="idleTimeoutSeconds"]', '0');
    await page.locator('input[name="idleTimeoutSeconds"]').evaluate((input) => input.removeAttribute('min')); // past the browser's own check, to the server's
    await page.click('#settings-form button[type="submit"]');
    expect(await page.locator('#settings-error').textContent()).toMatch(/^Not saved: idleTimeoutSeconds: /);
  }, 180_000);

  it('deletes the project after its name is typed', async () => {
    await page.goto(`${gateway.url}/projects/${id}`);
    await page.click('#delete-link');
    await page.fill('#delete-form input[name="confirm"]', 'not-the-name');
    await page.click('#delete-form button[type="submit"]');
    expect(await page.locator('#delete-error').textContent()).toContain(`type the project's name, ${id}, to confirm`);
    expect((await gateway.api('GET', `/api/projects/${id}`)).status).toBe(200);

    await page.fill('#delete-form input[name="confirm"]', id);
    await screenshot(page, 'project-delete-confirm');
    await page.click('#delete-form button[type="submit"]');
    await page.waitForURL(`${gateway.url}/?done=deleted`);
    expect(await page.locator(`article[data-project="${id}"]`).count()).toBe(0);
    expect((await gateway.api('GET', `/api/projects/${id}`)).status).toBe(404);
  }, 60_000);
});
