import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

const run = promisify(execFile);

/** Runs `portico …` as a user would, returning its exit code and output. */
async function portico(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/portico.js', ...args], { cwd: process.cwd(), timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the portico CLI against a running gateway', () => {
  let gateway: TestGateway;
  const repos = repoTracker();

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  it('deploy prints each phase and the build log, then the endpoint, and exits 0', async () => {
    const source = await repos.create(staticSite('via the CLI\n'));
    const result = await portico(['deploy', source.url, '--api', gateway.url]);
    expect(result.code).toBe(0);
    // Each phase's line with its duration comes right before the next phase begins, in order.
    const markers = ['==> resolving\n', '==> resolving done in', '==> fetching\n', '==> fetching done in', '==> building\n', '] FROM ', '==> building done in', '==> starting\n', '==> starting done in', '==> ready'];
    const order = markers.map((marker) => result.stdout.indexOf(marker));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const phase of ['resolving', 'fetching', 'building', 'starting']) expect(result.stdout).toMatch(new RegExp(`==> ${phase} done in \\d+\\.\\ds\n`));
    const endpoint = /ready in [\d.]+s: (http:\/\/\S+)/.exec(result.stdout)?.[1];
    expect(endpoint).toMatch(/^http:\/\/main-.*\.localhost:\d+$/);

    const label = new URL(endpoint!).hostname.split('.')[0]!;
    expect(await gateway.endpoint(label)).toMatchObject({ status: 200, text: 'via the CLI\n' });

    const ls = await portico(['ls', '--api', gateway.url]);
    expect(ls.stdout).toMatch(new RegExp(`${label}\\s+serving\\s+${endpoint}`));
    const status = await portico(['status', label, '--api', gateway.url]);
    expect(status.stdout).toMatch(/building\s+\d+\.\ds/);
  });

  it('deploy of a failing build exits 1 with the reason', async () => {
    const source = await repos.create(staticSite('x\n', { run: 'exit 5' }));
    const result = await portico(['deploy', source.url, '--api', gateway.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/deployment failed after [\d.]+s: .*exit code: 5/);
  });

  it('deploy --json prints one JSON document', async () => {
    const source = await repos.create(staticSite('json\n'));
    const result = await portico(['deploy', source.url, '--json', '--api', gateway.url]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ deployment: { status: 'ready' } });
    expect(parsed.endpoint).toContain(parsed.id);
  });

  it('deploy --port sets the port on a new project, and on an existing one redeploys with the new port', async () => {
    // Serves on 8501 and 8502 alike; EXPOSEs neither.
    const source = await repos.create(staticSite('port\n', { port: 80, cmd: 'CMD ["sh", "-c", "httpd -p 8502 -h /www; exec httpd -f -p 8501 -h /www"]' }));
    const first = await portico(['deploy', source.url, '--port', '8501', '--json', '--api', gateway.url]);
    expect(first.code).toBe(0);
    const created = JSON.parse(first.stdout);
    expect(created.deployment).toMatchObject({ status: 'ready', port: 8501 });
    expect(created.deployment.portReason).toContain('8501'); // the declaration's reason (its wording is declarePort's)

    const second = await portico(['deploy', source.url, '--port', '8502', '--json', '--api', gateway.url]);
    expect(second.code).toBe(0);
    const redeployed = JSON.parse(second.stdout);
    expect(redeployed.deployment.id).not.toBe(created.deployment.id);
    expect(redeployed.deployment).toMatchObject({ status: 'ready', port: 8502 });
    expect((await gateway.api('GET', `/api/projects/${created.id}`)).body.port).toBe(8502);
  });

  it('deploy --port refuses what is not a port as a usage error', async () => {
    const result = await portico(['deploy', 'acme/demo', '--port', '80a']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port takes a port from 1 to 65535, got "80a"');
  });

  it('exits 3 with a hint when the API is not running', async () => {
    const result = await portico(['ls', '--api', 'http://127.0.0.1:1']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot reach the Portico API.*npm start/);
  });

  it('exits 2 on a usage error', async () => {
    const result = await portico(['deploy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected: portico deploy <repo>');
  });
});
