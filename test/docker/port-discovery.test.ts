import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX } from '../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { repoTracker } from '../support/git-repo.ts';

/** A BusyBox demo whose Dockerfile and command are the test's; `index.html` is what it serves. */
function demo(dockerfileTail: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Dockerfile: `FROM ${BUSYBOX}\nCOPY index.html /www/index.html\n${dockerfileTail}\n`, 'index.html': 'served\n', ...extra };
}

/**
 * The port, found and then verified, through the real gateway, engine and git: what the
 * deployment records and logs, and how fast a demo that cannot work fails. The gateway's own
 * startup timeout is long, so anything that fails fast here does so without waiting it out.
 */
describe('the port, found and verified, and slow starters', () => {
  let gateway: TestGateway;
  const repos = repoTracker();

  beforeAll(async () => {
    gateway = await startTestGateway({ startupTimeoutMs: 120_000 });
  });

  afterAll(async () => {
    await gateway.cleanUp();
    await repos.removeAll();
  });

  async function create(files: Record<string, string>, settings: Record<string, unknown> = {}) {
    const source = await repos.create(files);
    const created = await gateway.api('POST', '/api/projects', { repo: source.url, ...settings });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, deploymentId: created.body.deployment.id as string };
  }

  const logOf = async (deploymentId: string) => (await gateway.raw('GET', `/api/deployments/${deploymentId}/logs`)).text;
  const startingMs = (deployment: { phases: { name: string; startedAt: string; endedAt: string }[] }) => {
    const starting = deployment.phases.find((phase) => phase.name === 'starting')!;
    return Date.parse(starting.endedAt) - Date.parse(starting.startedAt);
  };

  it('serves an app that ignores its EXPOSE and listens elsewhere, and says why on the deployment and in its log', async () => {
    const { id, deploymentId } = await create(demo('EXPOSE 80\nCMD ["httpd", "-f", "-p", "8501", "-h", "/www"]'));
    const deployment = await gateway.waitForDeployment(deploymentId);
    expect(deployment.status).toBe('ready');
    expect(deployment.port).toBe(8501);
    expect(deployment.portReason).toBe('listens on 8501, not the EXPOSEd 80');
    expect(startingMs(deployment)).toBeLessThan(15_000);
    const log = await logOf(deploymentId);
    expect(log).toContain('port 8501: listens on 8501, not the EXPOSEd 80\n');
    expect(await gateway.endpoint(id)).toMatchObject({ status: 200, text: 'served\n' });
    const project = (await gateway.api('GET', `/api/projects/${id}`)).body;
    expect(project.currentDeployment).toMatchObject({ port: 8501, portReason: 'listens on 8501, not the EXPOSEd 80' });
    expect(project.port).toBeNull(); // found, not set
  });

  it('fails an app that listens on 127.0.0.1 only at once, saying so and how to bind 0.0.0.0', async () => {
    const { deploymentId } = await create(demo('EXPOSE 8000\nCMD ["httpd", "-f", "-p", "127.0.0.1:8000", "-h", "/www"]'));
    const deployment = await gateway.waitForDeployment(deploymentId);
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatch(/^the app listens only on 127\.0\.0\.1:8000 inside its container, which nothing outside the container can reach; make it listen on 0\.0\.0\.0/);
    expect(deployment.error).toContain('GRADIO_SERVER_NAME=0.0.0.0');
    expect(startingMs(deployment)).toBeLessThan(15_000);
  });

  it('fails an app that never listens and exits at once, with its output in the log once and its last line in the error', async () => {
    const { deploymentId } = await create(demo('EXPOSE 8000\nCMD ["sh", "-c", "echo loading model; echo model.bin: no such file >&2; exit 3"]'));
    const deployment = await gateway.waitForDeployment(deploymentId);
    expect(deployment.status).toBe('failed');
    // It may die before the runtime could follow its output (the error then carries it) or while it does (the log does).
    expect(deployment.error).toMatch(/^container exited with code 3 before answering on port 8000; (its output is in the deployment log above; its last line: |last log lines:\n)/);
    expect(startingMs(deployment)).toBeLessThan(15_000);
    const log = await logOf(deploymentId);
    // However often the engine restarted it meanwhile, one run's output, once.
    expect(log.match(/^loading model$/gm)).toHaveLength(1);
    expect(log.match(/^model\.bin: no such file$/gm)).toHaveLength(1);
  });

  it("shows a slow starter's own output in the deployment log while it is starting, before it is ready", async () => {
    const { deploymentId } = await create(
      demo('EXPOSE 8000\nCMD ["sh", "-c", "echo downloading weights 1/2; sleep 4; echo weights loaded; exec httpd -f -p 8000 -h /www"]'),
    );
    let seenWhileStarting = false;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { body } = await gateway.api('GET', `/api/deployments/${deploymentId}`);
      if (body.status === 'starting' && (await logOf(deploymentId)).includes('downloading weights 1/2\n')) seenWhileStarting = true;
      if (['ready', 'failed'].includes(body.status) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seenWhileStarting).toBe(true);
    const deployment = await gateway.waitForDeployment(deploymentId);
    expect(deployment.status).toBe('ready');
    const log = await logOf(deploymentId);
    expect(log).toMatch(/waiting up to 120s for the app to answer HTTP on port 8000\n(.|\n)*downloading weights 1\/2\n(.|\n)*weights loaded\n(.|\n)*==> ready\n/);
  });

  it("gives up after the project's own startup timeout, not the gateway's", async () => {
    const { id, deploymentId } = await create(demo('EXPOSE 8000\nCMD ["sh", "-c", "echo thinking; exec sleep 3600"]'), { startupTimeoutSeconds: 3 });
    expect((await gateway.api('GET', `/api/projects/${id}`)).body.startupTimeoutSeconds).toBe(3);
    const deployment = await gateway.waitForDeployment(deploymentId);
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toMatch(/^container did not answer HTTP on port 8000 within 3s: .*it listens on no TCP port/);
    expect(startingMs(deployment)).toBeGreaterThanOrEqual(3_000);
    expect(startingMs(deployment)).toBeLessThan(15_000);
    expect(await logOf(deploymentId)).toContain('waiting up to 3s for the app to answer HTTP on port 8000\n');
  });

  it("takes the port from the README's front matter, shows its card, and from the project's setting when one is set", async () => {
    const readme = '---\ntitle: Story teller\nemoji: 📖\nsdk: docker\napp_port: 7860\nshort_description: Tells stories\n---\n\n# Story teller\n';
    const { id, deploymentId } = await create(demo('CMD ["httpd", "-f", "-p", "7860", "-h", "/www"]', { 'README.md': readme }));
    const deployment = await gateway.waitForDeployment(deploymentId);
    expect(deployment).toMatchObject({ status: 'ready', port: 7860 });
    expect(deployment.portReason).toContain('7860'); // the declaration's reason (its wording is declarePort's)
    expect(await logOf(deploymentId)).toContain(`port 7860: ${deployment.portReason}\n`);
    const project = (await gateway.api('GET', `/api/projects/${id}`)).body;
    expect(project.card).toMatchObject({ title: 'Story teller', emoji: '📖', sdk: 'docker', appPort: 7860 });

    // The owner's setting wins; the app still listens on 7860, so it is found there and the reason says so.
    const patched = await gateway.api('PATCH', `/api/projects/${id}`, { port: 9000 });
    expect(patched.status).toBe(202);
    expect(patched.body.project.port).toBe(9000);
    const redeployed = await gateway.waitForDeployment(patched.body.deployment.id);
    expect(redeployed).toMatchObject({ status: 'ready', port: 7860, portReason: "listens on 7860, not the project's port setting 9000" });
    expect(await gateway.endpoint(id)).toMatchObject({ status: 200, text: 'served\n' });
  });
});
