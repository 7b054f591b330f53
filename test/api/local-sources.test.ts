import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/config.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';

/** PORTICO_ALLOW_LOCAL_SOURCES off (the default outside tests): the API builds nothing from the gateway's own disk. */
describe('a gateway without PORTICO_ALLOW_LOCAL_SOURCES', () => {
  let gateway: TestGateway;
  let demo: string;

  beforeAll(async () => {
    demo = await mkdtemp(join(tmpdir(), 'portico-local-'));
    await writeFile(join(demo, 'Dockerfile'), 'FROM scratch\nEXPOSE 8000\n');
    // No engine needed: the refusal comes before anything is built.
    gateway = await startTestGateway({ allowLocalSources: false, dockerHost: 'unix:///tmp/portico-no-engine.sock' });
  });

  afterAll(async () => {
    await gateway.stop({ removeData: true });
    await rm(demo, { recursive: true, force: true });
  });

  it.each([
    ['a directory path', () => demo],
    ['a file:// git URL', () => pathToFileURL(demo).href],
  ])('refuses %s with 400 naming the setting, and records no project', async (_what, repo) => {
    const created = await gateway.api('POST', '/api/projects', { repo: repo(), branch: 'main' });
    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ code: 'invalid_input', field: 'repo' });
    expect(created.body.error.message).toContain('PORTICO_ALLOW_LOCAL_SOURCES=true');
    expect((await gateway.api('GET', '/api/projects')).body).toEqual({ projects: [] });
  });

  it('is off unless the operator turns it on', () => {
    expect(loadConfig({}).allowLocalSources).toBe(false);
    expect(loadConfig({ PORTICO_ALLOW_LOCAL_SOURCES: 'true' }).allowLocalSources).toBe(true);
    expect(() => loadConfig({ PORTICO_ALLOW_LOCAL_SOURCES: 'maybe' })).toThrow(/PORTICO_ALLOW_LOCAL_SOURCES must be true or false/);
  });
});
