import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticSite } from '../../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../../support/gateway.ts';
import { repoTracker } from '../../support/git-repo.ts';
import { SECOND_ENGINE, type SecondEngine, startSecondEngine } from './second-engine.ts';

describe('the Docker engine restarted under a running gateway', () => {
  const repos = repoTracker();
  let engine: SecondEngine;
  let gateway: TestGateway;
  let awake: string;
  let asleep: string;

  beforeAll(async () => {
    engine = await startSecondEngine();
    gateway = await startTestGateway({ dockerHost: SECOND_ENGINE, reapIntervalMs: 3_600_000 });
    const [a, b] = await Promise.all([repos.create(staticSite('awake\n')), repos.create(staticSite('asleep\n'))]);
    const first = await gateway.api('POST', '/api/projects', { repo: a.url });
    const second = await gateway.api('POST', '/api/projects', { repo: b.url });
    awake = first.body.id;
    asleep = second.body.id;
    expect((await gateway.waitForDeployment(first.body.deployment.id)).status).toBe('ready');
    expect((await gateway.waitForDeployment(second.body.deployment.id)).status).toBe('ready');
  });

  afterAll(async () => {
    await gateway?.cleanUp();
    await repos.removeAll();
    await engine?.stop();
  });

  const engineState = async (label: string) => {
    const [container] = await engine.docker.listContainers({ all: true, filters: { label: [`portico.project=${label}`] } });
    return container?.State;
  };

  it('serves the running demo again without any manual step, and the scaled-to-zero one stays stopped until asked for', async () => {
    expect(await gateway.endpoint(awake)).toMatchObject({ status: 200, text: 'awake\n' });
    await gateway.gateway.scaler.sleep(asleep);
    expect(await engineState(asleep)).toBe('exited');

    await engine.restart();

    expect(await engineState(awake)).toBe('running'); // the engine brought it back (restart policy)
    expect(await engineState(asleep)).toBe('exited'); // scaled to zero stays at zero
    // The first request may find the old address dead (a new published port): the gateway asks the engine again and retries.
    expect(await gateway.endpoint(awake)).toMatchObject({ status: 200, text: 'awake\n' });
    expect(await gateway.endpoint(awake)).toMatchObject({ status: 200, text: 'awake\n' });
    expect((await gateway.api('GET', `/api/projects/${awake}`)).body.runtime.state).toBe('running');

    expect(await gateway.endpoint(asleep)).toMatchObject({ status: 200, text: 'asleep\n' }); // woken on demand
    expect(await engineState(asleep)).toBe('running');
  });

  it('finds the new addresses again when the gateway restarts after the engine did', async () => {
    await engine.restart();
    await gateway.stop();
    gateway = await startTestGateway({ dockerHost: SECOND_ENGINE, reapIntervalMs: 3_600_000 }, gateway.dataDir);
    expect(await gateway.endpoint(awake)).toMatchObject({ status: 200, text: 'awake\n' });
    expect(await gateway.endpoint(asleep)).toMatchObject({ status: 200, text: 'asleep\n' });
  });
});
