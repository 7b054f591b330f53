import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBuilder } from '../../gateway/adapters/local/docker-builder.ts';
import { createDockerClient } from '../../gateway/adapters/local/docker-client.ts';
import { PorticoError } from '../../gateway/errors.ts';
import type { BuildRequest } from '../../gateway/ports/image-builder.ts';
import { BUSYBOX } from '../support/demo-app.ts';
import { makeContext, removeProjects, requireDocker, testDocker, uniqueProjectId } from '../support/docker.ts';

const { docker, where } = testDocker();
const builder = createDockerBuilder({ docker, where });
const projectA = uniqueProjectId('builder-a');
const projectB = uniqueProjectId('builder-b');
const contexts: Array<{ remove(): Promise<void> }> = [];

async function context(files: Record<string, string>): Promise<string> {
  const made = await makeContext(files);
  contexts.push(made);
  return made.dir;
}

function request(contextDir: string, project: string, tag: string, overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    contextDir,
    dockerfile: 'Dockerfile',
    tag: `portico/${project}:${tag}`,
    labels: { 'portico.project': project, 'portico.commit': `commit-${tag}` },
    buildArgs: {},
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<PorticoError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the build to fail');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PorticoError);
  return error as PorticoError;
}

const imagesOf = (project: string) => docker.listImages({ filters: { label: [`portico.project=${project}`] } });

describe('docker builder', () => {
  beforeAll(() => requireDocker(docker, where));

  afterAll(async () => {
    await removeProjects(docker, [projectA, projectB]);
    await Promise.all(contexts.map((made) => made.remove()));
  });

  it('builds a context into an image tagged and labelled with project and commit', async () => {
    const dir = await context({ Dockerfile: `FROM ${BUSYBOX}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "8000", "-h", "/www"]\n`, 'index.html': 'hi\n' });
    const built = await builder.build(request(dir, projectA, 'one'), () => undefined);

    const image = await docker.getImage(`portico/${projectA}:one`).inspect();
    expect(built).toEqual({ imageId: image.Id, tag: `portico/${projectA}:one`, facts: expect.objectContaining({ cmd: ['httpd', '-f', '-p', '8000', '-h', '/www'] }) });
    expect(image.Config.Labels).toMatchObject({ 'portico.project': projectA, 'portico.commit': 'commit-one' });
  });

  it('streams the build log while the build runs, not after it', async () => {
    // The project id makes the step new to BuildKit's cache, so it really runs.
    const dir = await context({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo first-line ${projectA} && sleep 2 && echo second-line\n` });
    const seen: Array<{ text: string; at: number }> = [];
    await builder.build(request(dir, projectA, 'streamed'), (text) => seen.push({ text, at: Date.now() }));
    const done = Date.now();

    const log = seen.map((entry) => entry.text).join('');
    expect(log).toMatch(/^#\d+ \[1\/2\] FROM docker\.io\/portico-test\/busybox:latest$/m);
    expect(log).toContain('second-line');
    const first = seen.find((entry) => entry.text.includes('first-line'));
    expect(first).toBeDefined();
    expect(done - first!.at).toBeGreaterThan(1_500); // it arrived before the sleep ended
  });

  it('passes build args and builds a Dockerfile at a path inside the context', async () => {
    const dir = await context({ 'docker/App.Dockerfile': `FROM ${BUSYBOX}\nARG GREETING\nRUN echo "greeting is $GREETING"\n` });
    let log = '';
    await builder.build(request(dir, projectA, 'args', { dockerfile: 'docker/App.Dockerfile', buildArgs: { GREETING: 'hola' } }), (text) => (log += text));
    expect(log).toContain('greeting is hola');
  });

  it('fails a build whose RUN step fails with the step and the engine message, and tags nothing', async () => {
    const dir = await context({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo fine\nRUN exit 3\nRUN echo never\n` });
    let log = '';
    const error = await failureOf(builder.build(request(dir, projectA, 'broken'), (text) => (log += text)));

    expect(error.code).toBe('build_failed');
    expect(error.message).toBe('step [3/4] RUN exit 3 failed: executor failed running [/bin/sh -c exit 3]: exit code: 3');
    expect(log).toMatch(/^#\d+ ERROR: executor failed running \[\/bin\/sh -c exit 3\]: exit code: 3$/m); // the failure is in the streamed log too
    await expect(docker.getImage(`portico/${projectA}:broken`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('says a missing base image is not available locally, within seconds', async () => {
    const dir = await context({ Dockerfile: 'FROM portico-test/does-not-exist:1.0 AS base\nRUN true\n' });
    const started = Date.now();
    const error = await failureOf(builder.build(request(dir, projectA, 'nobase'), () => undefined));

    expect(error.code).toBe('build_failed');
    expect(error.message).toContain(
      'base image portico-test/does-not-exist:1.0 is not available locally and no registry is reachable; build or load it first (docker load / docker import)',
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('fails with build_failed when the Dockerfile is not in the context', async () => {
    const dir = await context({ 'index.html': 'no Dockerfile here\n' });
    const error = await failureOf(builder.build(request(dir, projectA, 'nofile'), () => undefined));
    expect(error.code).toBe('build_failed');
    expect(error.message).toMatch(/Dockerfile/);
  });

  it('fails with build_failed when the context directory does not exist', async () => {
    const error = await failureOf(builder.build(request('/nonexistent/portico-context', projectA, 'nodir'), () => undefined));
    expect(error.code).toBe('build_failed');
    expect(error.message).toContain('/nonexistent/portico-context is not a directory');
  });

  it('removes every image of one project and leaves other projects alone, twice over', async () => {
    const dir = await context({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo one > /one\n` });
    await builder.build(request(dir, projectB, 'first'), () => undefined);
    await builder.build(request(dir, projectB, 'second', { labels: { 'portico.project': projectB, 'portico.commit': 'other' } }), () => undefined);
    const before = await imagesOf(projectA);
    expect(before.length).toBeGreaterThan(0);
    expect((await imagesOf(projectB)).length).toBe(2);

    await builder.removeProjectImages(projectB);
    expect(await imagesOf(projectB)).toEqual([]);
    expect((await imagesOf(projectA)).map((image) => image.Id).sort()).toEqual(before.map((image) => image.Id).sort());

    await builder.removeProjectImages(projectB); // already gone is success
  });

  it('reports engine_unavailable naming the socket when no engine answers', async () => {
    const bogus = createDockerClient('unix:///tmp/portico-no-engine.sock');
    const dir = await context({ Dockerfile: `FROM ${BUSYBOX}\n` });
    const error = await failureOf(createDockerBuilder(bogus).build(request(dir, projectA, 'noengine'), () => undefined));
    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toContain('No Docker engine reachable at unix:///tmp/portico-no-engine.sock');
  });
});
