import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from '../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

const run = promisify(execFile);

/** Runs `portico …` as a user would, returning its exit code and output. */
async function portico(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/portico.js', ...args], { cwd: process.cwd(), timeout: 120_000, env });
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
    expect(result.stderr).toContain('portico deploy: missing argument: portico deploy <repo> [options]');
  });
});

/** A demo that shows, at start, what its environment holds: GREETING's value, and only whether HF_TOKEN is set. */
function envEcho(extra: Record<string, string> = {}): Record<string, string> {
  const show = 'echo "greeting=$GREETING secret=${HF_TOKEN:+set}" > /www/index.html && exec httpd -f -p 8000 -h /www';
  return { ...staticSite('', { cmd: `CMD ["sh", "-c", ${JSON.stringify(show)}]` }), ...extra };
}

describe('the portico CLI manages an existing project', () => {
  let gateway: TestGateway;
  const repos = repoTracker();
  const SECRET = 'hf_cli-secret-never-printed-7d1e';

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  const cli = (...args: string[]) => portico([...args, '--api', gateway.url]);
  const deploymentCount = async (id: string) => (await gateway.api('GET', `/api/projects/${id}/deployments`)).body.deployments.length as number;
  const deployNew = async (files: Record<string, string>) => {
    const source = await repos.create(files);
    const result = await cli('deploy', source.url, '--json');
    expect(result.code, result.stderr).toBe(0);
    return { url: source.url, id: JSON.parse(result.stdout).id as string, source };
  };

  it('deploy applies --env, --gpu and --idle to a project that exists, with exactly one deployment', async () => {
    const { url, id } = await deployNew(envEcho());
    expect(await deploymentCount(id)).toBe(1);

    const result = await cli('deploy', url, '--env', 'GREETING=hi', '--gpu', 'off', '--idle', '45');

    expect(result.code, result.stderr).toBe(0);
    const { body: project } = await gateway.api('GET', `/api/projects/${id}`);
    expect(project).toMatchObject({ env: { GREETING: 'hi' }, gpu: 'off', idleTimeoutSeconds: 45 });
    expect(await deploymentCount(id)).toBe(2);
    expect((await gateway.endpoint(id)).text).toBe('greeting=hi secret=\n');
  });

  it('deploy without flags on a project that exists deploys it once, keeping its settings', async () => {
    const { url, id } = await deployNew(envEcho());
    await cli('env', 'set', 'GREETING=kept', id); // the project may come after the pairs
    const before = await deploymentCount(id);

    const result = await cli('deploy', url);

    expect(result.code, result.stderr).toBe(0);
    expect(await deploymentCount(id)).toBe(before + 1);
    expect((await gateway.endpoint(id)).text).toBe('greeting=kept secret=\n');
  });

  it('env set, ls and unset change the demo’s environment, redeploying each time', async () => {
    const { id } = await deployNew(envEcho());

    const set = await cli('env', 'set', id, 'GREETING=hello', 'OTHER=1');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`set env GREETING, OTHER on ${id}; redeploying`);
    expect(set.stdout).toMatch(/ready in [\d.]+s: http:/);
    expect((await gateway.endpoint(id)).text).toBe('greeting=hello secret=\n');

    expect((await cli('env', 'ls', id)).stdout).toBe('GREETING=hello\nOTHER=1\n');
    expect(JSON.parse((await cli('env', 'ls', id, '--json')).stdout)).toStrictEqual({ env: { GREETING: 'hello', OTHER: '1' } });

    const unset = await cli('env', 'unset', id, 'GREETING');
    expect(unset.code, unset.stderr).toBe(0);
    expect((await cli('env', 'ls', id)).stdout).toBe('OTHER=1\n');
    expect((await gateway.endpoint(id)).text).toBe('greeting= secret=\n');
  });

  it('secrets set, ls and unset reach the demo but never print a value, with or without --json', async () => {
    const { id } = await deployNew(envEcho());

    const outputs = [await cli('secrets', 'set', id, `HF_TOKEN=${SECRET}`)];
    expect(outputs[0]!.code, outputs[0]!.stderr).toBe(0);
    expect((await gateway.endpoint(id)).text).toBe('greeting= secret=set\n');
    outputs.push(await cli('secrets', 'ls', id), await cli('secrets', 'ls', id, '--json'), await cli('config', id), await cli('config', id, '--json'), await cli('status', id, '--json'), await cli('history', id, '--json'));
    outputs.push(await cli('secrets', 'set', id, `HF_TOKEN=${SECRET}-2`, '--json'));
    for (const output of outputs) {
      expect(output.stdout + output.stderr).not.toContain(SECRET);
    }
    expect(outputs[1]!.stdout).toBe('HF_TOKEN\n');
    expect(JSON.parse(outputs[2]!.stdout)).toStrictEqual({ secrets: ['HF_TOKEN'] });
    expect(JSON.parse(outputs.at(-1)!.stdout)).toMatchObject({ project: { id, secrets: ['HF_TOKEN'] }, deployment: { status: 'ready' } });

    expect((await cli('secrets', 'unset', id, 'HF_TOKEN')).code).toBe(0);
    expect((await cli('secrets', 'ls', id)).stdout).toBe(`no secrets on ${id}; set one with: portico secrets set ${id} NAME=value\n`);
    expect((await gateway.endpoint(id)).text).toBe('greeting= secret=\n');
  });

  it('config shows the settings, changes the idle timeout without a deployment, and redeploys from a new context or Dockerfile', async () => {
    const { id } = await deployNew({
      ...staticSite('root\n'),
      'alt/Dockerfile': staticSite('alt\n').Dockerfile!,
      'alt/index.html': 'alt\n',
      'Dockerfile.v2': staticSite('').Dockerfile!.replace('COPY index.html', 'COPY v2.html'),
      'v2.html': 'v2\n',
    });
    const shown = await cli('config', id);
    expect(shown.stdout).toMatch(/dockerfile +Dockerfile\n {2}context +\.\n {2}gpu +auto\n/);

    const before = await deploymentCount(id);
    const idle = await cli('config', id, '--idle', '30');
    expect(idle.stdout).toBe(`set --idle 30 on ${id}; no redeploy needed\n`);
    expect(await deploymentCount(id)).toBe(before);
    expect(JSON.parse((await cli('config', id, '--json')).stdout)).toMatchObject({ id, idleTimeoutSeconds: 30, dockerfile: 'Dockerfile', context: '.' });

    const context = await cli('config', id, '--context', 'alt');
    expect(context.code, context.stdout + context.stderr).toBe(0);
    expect((await gateway.endpoint(id)).text).toBe('alt\n');
    expect((await gateway.api('GET', `/api/projects/${id}`)).body).toMatchObject({ context: 'alt', dockerfile: 'alt/Dockerfile' });

    const dockerfile = await cli('config', id, '--context', '.', '--dockerfile', 'Dockerfile.v2');
    expect(dockerfile.code, dockerfile.stdout + dockerfile.stderr).toBe(0);
    expect((await gateway.endpoint(id)).text).toBe('v2\n');
    expect(await deploymentCount(id)).toBe(before + 2);
  });

  it('redeploy deploys the branch head again, and history lists every deployment with status, commit and durations', async () => {
    const { id, source } = await deployNew(staticSite('one\n'));
    const second = await source.commit({ 'index.html': 'two\n' });

    const redeploy = await cli('redeploy', id);
    expect(redeploy.code, redeploy.stderr).toBe(0);
    expect(redeploy.stdout).toMatch(/ready in [\d.]+s: http:/);
    expect((await gateway.endpoint(id)).text).toBe('two\n');

    const history = await cli('history', id);
    expect(history.code).toBe(0);
    const lines = history.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ +DEPLOYMENT +STATUS +COMMIT +STARTED +BUILD +TOTAL$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^\\* +\\S+ +ready +${second.slice(0, 12)} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +\\d+\\.\\ds +\\d+\\.\\ds$`));
    expect(lines[2]).toMatch(/^ {3}\S+ +superseded +[0-9a-f]{12} /);

    const json = JSON.parse((await cli('history', id, '--json')).stdout);
    expect(json.deployments).toHaveLength(2);
    expect(json.current).toBe(json.deployments[0].id);
    expect(json.deployments[0]).toMatchObject({ status: 'ready', commit: second });
  });

  it('open prints the endpoint and returns at once where there is no browser', async () => {
    const { id } = await deployNew(staticSite('open\n'));
    const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...env } = process.env;
    const started = Date.now();
    const result = await portico(['open', id, '--api', gateway.url], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`http://${id}.localhost:${new URL(gateway.url).port}\n`);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(JSON.parse((await cli('open', id, '--json')).stdout)).toStrictEqual({ id, endpoint: result.stdout.trim() });
  });

  it('a GPU placement failure ends with a hint naming the command that fixes it', async () => {
    const source = await repos.create({ Dockerfile: 'FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nCMD ["true"]\n' });
    const result = await cli('deploy', source.url);
    expect(result.code).toBe(1);
    const id = /project (\S+), deployment/.exec(result.stdout)?.[1];
    expect(result.stdout).toContain(`hint: run it on CPU: portico config ${id} --gpu off\n`);

    const fix = await cli('config', id!, '--gpu', 'off', '--no-follow');
    expect(fix.code, fix.stderr).toBe(0);
    expect((await gateway.api('GET', `/api/projects/${id}`)).body.gpu).toBe('off');
  });

  it('a mistyped local path is named as missing, with the nearest directory, and nothing is sent', async () => {
    const before = (await gateway.api('GET', '/api/projects')).body.projects.length;
    const result = await cli('deploy', 'examples/helo-cpu');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('portico deploy: no directory examples/helo-cpu here; did you mean examples/hello-cpu?\n');
    expect((await gateway.api('GET', '/api/projects')).body.projects.length).toBe(before);
  });
});

describe('--port and --startup-timeout through the CLI', () => {
  let gateway: TestGateway;
  const repos = repoTracker();

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  it('config --port and --startup-timeout set the project fields port and startupTimeoutSeconds', async () => {
    const source = await repos.create(staticSite('port\n'));
    const created = await portico(['deploy', source.url, '--json', '--api', gateway.url]);
    const id = JSON.parse(created.stdout).id as string;

    const result = await portico(['config', id, '--port', '8000', '--startup-timeout', '20', '--api', gateway.url]);

    expect(result.code, result.stderr).toBe(0);
    expect((await gateway.api('GET', `/api/projects/${id}`)).body).toMatchObject({ port: 8000, startupTimeoutSeconds: 20 });
    expect(JSON.parse((await portico(['config', id, '--json', '--api', gateway.url])).stdout)).toMatchObject({ port: 8000, startupTimeoutSeconds: 20 });

    const cleared = await portico(['config', id, '--port', 'auto', '--startup-timeout', 'default', '--api', gateway.url]);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect((await gateway.api('GET', `/api/projects/${id}`)).body).toMatchObject({ port: null, startupTimeoutSeconds: null });
  });

  it('deploy --port on a project that exists applies it, with one deployment', async () => {
    const source = await repos.create(staticSite('port 9000\n', { port: 9000 }));
    const created = await portico(['deploy', source.url, '--json', '--api', gateway.url]);
    const id = JSON.parse(created.stdout).id as string;

    const result = await portico(['deploy', source.url, '--port', '9000', '--api', gateway.url]);

    expect(result.code, result.stderr).toBe(0);
    expect((await gateway.api('GET', `/api/projects/${id}`)).body.port).toBe(9000);
    expect((await gateway.api('GET', `/api/projects/${id}/deployments`)).body.deployments).toHaveLength(2);
  });
});
