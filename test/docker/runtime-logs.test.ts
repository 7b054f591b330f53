import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBuilder } from '../../gateway/adapters/local/docker-builder.ts';
import { createDockerRuntime } from '../../gateway/adapters/local/docker-runtime.ts';
import { systemClock } from '../../gateway/ports/clock.ts';
import { BUSYBOX } from '../support/demo-app.ts';
import { makeContext, removeProjects, requireDocker, testDocker, uniqueProjectId } from '../support/docker.ts';

const { docker, where } = testDocker();
const runtime = createDockerRuntime({ docker, where, clock: systemClock, probeIntervalMs: 100 });
const project = uniqueProjectId('runtime-logs');
const image = `portico/${project}:chatty`;

/**
 * The dashboard's runtime log on the real engine: a demo that prints 150 lines, one on stderr and
 * one more, then serves. The sleeps keep the order across the two streams certain: the engine
 * copies stdout and stderr separately, so lines written at the same instant may swap.
 */
describe('docker runtime logs', () => {
  beforeAll(async () => {
    await requireDocker(docker, where);
    const cmd = `CMD ["sh", "-c", "i=1; while [ $i -le 150 ]; do echo line-$i; i=$((i+1)); done; sleep 1; echo warning-on-stderr >&2; sleep 1; echo serving; exec httpd -f -p 8000 -h /www"]`;
    const context = await makeContext({ Dockerfile: `FROM ${BUSYBOX}\nCOPY index.html /www/index.html\n${cmd}\n`, 'index.html': 'chatty\n' });
    await createDockerBuilder({ docker, where }).build({ contextDir: context.dir, dockerfile: 'Dockerfile', tag: image, labels: { 'portico.project': project }, buildArgs: {} }, () => undefined);
    await context.remove();
  }, 60_000);

  afterAll(() => removeProjects(docker, [project]));

  it('returns the last `tail` lines of stdout and stderr as written, without the stream framing', async () => {
    const ref = await runtime.start({ projectId: project, deploymentId: randomUUID(), image, port: 8000, env: {}, memoryBytes: 64 * 2 ** 20, nanoCpus: 500_000_000, gpus: 0 });
    await runtime.waitUntilReady(ref, { startupTimeoutMs: 10_000 });

    const lines = (await runtime.logs(ref.id, { tail: 100 })).trimEnd().split('\n');

    expect(lines).toHaveLength(100);
    expect(lines[0]).toBe('line-53');
    expect(lines.slice(-3)).toEqual(['line-150', 'warning-on-stderr', 'serving']);
    expect((await runtime.logs(ref.id, { tail: 3 })).trimEnd().split('\n')).toEqual(['line-150', 'warning-on-stderr', 'serving']);

    // A sleeping demo's output stays readable: the dashboard shows why it stopped.
    await runtime.stop(ref.id);
    expect((await runtime.logs(ref.id, { tail: 1 })).trimEnd()).toBe('serving');
    await runtime.remove(ref.id);
  }, 30_000);

  it('says the output is unavailable for a container that does not exist', async () => {
    expect(await runtime.logs('no-such-container-' + randomUUID(), { tail: 10 })).toMatch(/^\(logs unavailable: /);
  });
});
