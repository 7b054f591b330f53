import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';

describe('a gateway with no Docker engine reachable', () => {
  let gateway: TestGateway;
  let demo: string;

  beforeAll(async () => {
    demo = await mkdtemp(join(tmpdir(), 'portico-demo-'));
    await writeFile(join(demo, 'Dockerfile'), 'FROM scratch\nEXPOSE 8000\n');
    gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
  });

  afterAll(async () => {
    await gateway.stop({ removeData: true });
    await rm(demo, { recursive: true, force: true });
  });

  it('still serves the API', async () => {
    expect(await gateway.api('GET', '/healthz')).toEqual({ status: 200, body: { ok: true } });
    expect((await gateway.api('GET', '/api/projects')).body).toEqual({ projects: [] });
  });

  it('fails each deployment naming the socket it tried and how to start an engine', async () => {
    const created = await gateway.api('POST', '/api/projects', { repo: demo });
    expect(created.status).toBe(201);
    const deployment = await gateway.waitForDeployment(created.body.deployment.id);
    expect(deployment.status).toBe('failed');
    expect(deployment.error).toContain('unix:///tmp/portico-no-engine.sock');
    expect(deployment.error).toMatch(/dockerd|DOCKER_HOST/);
  });
});
