import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGithubSource } from '../../gateway/adapters/local/github-source.ts';
import { createSqliteStore } from '../../gateway/adapters/local/sqlite-store.ts';
import type { Deployment, Project } from '../../gateway/domain/types.ts';
import { PorticoError } from '../../gateway/errors.ts';
import type { RemoteBuild, RemoteBuildRequest, RemoteBuilder } from '../../gateway/ports/remote-builder.ts';
import { type EventPipelineSettings, createEventPipeline } from '../../gateway/services/event-pipeline.ts';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { repoTracker } from '../support/git-repo.ts';
import { NVIDIA_CUDA_12_1_RUNTIME } from '../support/image-env.ts';
import { memoryRuntime } from '../support/memory-runtime.ts';
import { steppedClock } from '../support/stepped-clock.ts';

const MINUTE = 60_000;
const GIB = 2 ** 30;
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const T4 = { name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '550.54.14', maxGpus: 1, instanceTypes: ['g4dn.xlarge'] };
const SETTINGS: EventPipelineSettings = {
  gpuPools: [T4],
  containerMemoryBytes: 2 * GIB,
  containerNanoCpus: 1e9,
  startupTimeoutMs: 5_000,
  stuckAfterMs: 20 * MINUTE,
  buildTimeoutMs: 90 * MINUTE,
};
const CPU_DOCKERFILE = 'FROM node:20-slim\nCOPY . /app\nEXPOSE 7860\nCMD ["node", "/app/server.js"]\n';

let github: FakeGithub;
let workDir: string;
const repos = repoTracker();
let stores: { close(): void }[] = [];

beforeAll(async () => {
  github = await startFakeGithub();
  workDir = await mkdtemp(join(tmpdir(), 'portico-event-pipeline-'));
});

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

afterAll(async () => {
  await github?.close();
  await repos.removeAll();
  await rm(workDir, { recursive: true, force: true });
});

/** A CodeBuild stand-in (CodeBuild cannot run here): records each request and answers `recent` with what the test sets. */
function recordingBuilder() {
  const requests: RemoteBuildRequest[] = [];
  let recent: RemoteBuild[] = [];
  /** What outputTail answers: lines, null (no output), or an error it throws. */
  let output: string[] | null | Error = null;
  const outputAsked: { buildId: string; lines: number }[] = [];
  /** What `describe` reports for a build: its image facts, as CodeBuild's BatchGetBuilds would. */
  const described = new Map<string, RemoteBuild>();
  const builder: RemoteBuilder = {
    describe: async (buildId) => described.get(buildId) ?? null,
    async start(request) {
      requests.push(request);
      return { buildId: `portico-builds:b${requests.length}`, image: `${REGISTRY}/portico/${request.projectId}:${request.source.commit}` };
    },
    recent: async () => recent,
    async outputTail(build, lines) {
      outputAsked.push({ buildId: build.buildId, lines });
      if (output instanceof Error) throw output;
      return output;
    },
  };
  return { builder, requests, outputAsked, described, setRecent: (builds: RemoteBuild[]) => void (recent = builds), setOutput: (answer: string[] | null | Error) => void (output = answer) };
}

let projects = 0;

/** A GitHub repository served by the fake GitHub, its project in a real SQLite file, and the pipeline over them. */
async function setUp(files: Record<string, string> = { Dockerfile: CPU_DOCKERFILE, 'server.js': '// the demo' }, projectOverrides: Partial<Project> = {}) {
  const name = `demo${projects++}`;
  const repo = await repos.create(files);
  github.addRepo('acme', name, repo.dir);
  const store = createSqliteStore(join(workDir, `${name}.sqlite`));
  stores.push(store);
  const project = makeProject({ id: `main-${name}-acme`, source: { kind: 'github', owner: 'acme', repo: name }, env: { GREETING: 'hi' }, secrets: { API_KEY: 'sk-1' }, ...projectOverrides });
  await store.createProject(project);
  const runtime = memoryRuntime();
  const clock = steppedClock();
  const source = createGithubSource({ apiBaseUrl: github.url, maxSourceBytes: 10 * 2 ** 20 });
  const remote = recordingBuilder();
  const pipeline = createEventPipeline({ store, source, runtime, clock }, remote.builder, SETTINGS);
  /** The build event CodeBuild would send for the nth build started. */
  const buildOf = (request: RemoteBuildRequest, status: RemoteBuild['status'], n = remote.requests.indexOf(request) + 1): RemoteBuild => ({
    buildId: `portico-builds:b${n}`,
    deploymentId: request.deploymentId,
    status,
    image: `${REGISTRY}/portico/${request.projectId}:${request.source.commit}`,
    port: request.port,
    memoryBytes: request.memoryBytes,
    ...(request.guess ? { guess: request.guess } : {}),
  });
  const current = async () => (await store.getProject(project.id))!.currentDeploymentId;
  const get = async (id: string) => (await store.getDeployment(id))!;
  return { repo, store, project, runtime, clock, pipeline, remote, buildOf, current, get };
}

const phaseNames = (deployment: Deployment) => deployment.phases.map((phase) => phase.name);

describe('enqueue', () => {
  it('resolves the commit, reads the Dockerfile, places, starts a build of that commit and leaves the deployment building', async () => {
    const { repo, store, project, pipeline, remote, runtime } = await setUp();

    const deployment = await pipeline.enqueue(project);

    const commit = await repo.head();
    expect(deployment).toMatchObject({ status: 'building', commit, error: null, image: null, container: null, placement: { gpus: 0, pool: null, cudaVersion: null } });
    expect(phaseNames(deployment)).toStrictEqual(['resolving', 'fetching', 'building']);
    expect(deployment.phases.at(-1)?.endedAt).toBeNull();
    expect(remote.requests).toStrictEqual([
      {
        projectId: project.id,
        deploymentId: deployment.id,
        source: { spec: project.source, branch: 'main', commit },
        dockerfile: 'Dockerfile',
        context: '.',
        port: 7860,
        memoryBytes: 2 * GIB,
        guess: { baseImage: 'node:20-slim', gpu: false, cudaVersion: null, gpuLabel: null },
        secrets: { API_KEY: 'sk-1' }, // for the build's RUN --mount=type=secret
      },
    ]);
    expect(runtime.calls).toStrictEqual([]);
    const { text } = await store.readLog(deployment.id);
    expect(text).toContain(`commit ${commit}\n`);
    expect(text).toContain('base image node:20-slim\n');
    expect(text).toMatch(/^port 7860: .+$/m);
    expect(text).toContain(`build portico-builds:b1 started; image ${REGISTRY}/portico/${project.id}:${commit}\n`);
    expect(await store.getDeployment(deployment.id)).toStrictEqual(deployment);
  });

  it('places a CUDA image in a GPU pool that fits and passes the Dockerfile’s memory limit to the build', async () => {
    const dockerfile = 'FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nLABEL portico.memory=8g\nEXPOSE 8000\n';
    const { project, pipeline, remote } = await setUp({ 'gpu/Dockerfile': dockerfile }, { dockerfile: 'gpu/Dockerfile', context: 'gpu' });

    const deployment = await pipeline.enqueue(project);

    expect(deployment.status).toBe('building');
    expect(deployment.placement).toMatchObject({ gpus: 1, pool: 't4', cudaVersion: '12.4' });
    expect(remote.requests[0]).toMatchObject({ dockerfile: 'gpu/Dockerfile', context: 'gpu', port: 8000 });
  });

  it('fails in resolving, starting no build, when the Dockerfile is missing', async () => {
    const { repo, project, pipeline, remote } = await setUp({ 'README.md': 'no Dockerfile here' });

    const deployment = await pipeline.enqueue(project);

    expect(deployment.status).toBe('failed');
    expect(phaseNames(deployment)).toStrictEqual(['resolving']);
    const commit = (await repo.head()).slice(0, 7);
    expect(deployment.error).toBe(`no Dockerfile at "Dockerfile" in acme/${project.source.kind === 'github' ? project.source.repo : ''}@main (${commit}); add one, or set "dockerfile" to its path`);
    expect(remote.requests).toStrictEqual([]);
  });

  it('fails in resolving, starting no build, when the Dockerfile cannot be analysed', async () => {
    const { project, pipeline, remote } = await setUp({ Dockerfile: 'RUN echo no base image\n' });

    const deployment = await pipeline.enqueue(project);

    expect(deployment.status).toBe('failed');
    expect(phaseNames(deployment)).toStrictEqual(['resolving']);
    expect(deployment.error).toMatch(/^Dockerfile in acme\/demo\d+@main \([0-9a-f]{7}\): /);
    expect(remote.requests).toStrictEqual([]);
  });

  it('fails in fetching with the builder’s reason when CodeBuild refuses the build', async () => {
    const { project, pipeline, remote } = await setUp();
    remote.builder.start = async () => {
      throw new PorticoError('build_failed', 'CodeBuild refused to start a build of acme/demo@3f2a9c1: Project cannot be found');
    };

    const deployment = await pipeline.enqueue(project);

    expect(deployment).toMatchObject({ status: 'failed', error: 'CodeBuild refused to start a build of acme/demo@3f2a9c1: Project cannot be found' });
    expect(phaseNames(deployment)).toStrictEqual(['resolving', 'fetching']);
  });

  it('fails in resolving, starting no build, when no GPU pool can run the image', async () => {
    const { project, pipeline, remote } = await setUp({ Dockerfile: 'FROM nvidia/cuda:13.0.0-runtime-ubuntu24.04\n' });

    const deployment = await pipeline.enqueue(project);

    expect(deployment.status).toBe('failed');
    expect(phaseNames(deployment)).toStrictEqual(['resolving']);
    expect(deployment.error).toContain('13.0');
    expect(remote.requests).toStrictEqual([]);
  });
});

describe('onBuild', () => {
  it('starts the container with the build’s port and memory and the placement, makes it current and retires the previous one', async () => {
    const { project, pipeline, remote, runtime, buildOf, current, get, clock } = await setUp();
    const first = await pipeline.enqueue(project);
    await pipeline.onBuild(buildOf(remote.requests[0]!, 'succeeded'));
    clock.advance(MINUTE);
    const second = await pipeline.enqueue(project);

    const released = await pipeline.onBuild(buildOf(remote.requests[1]!, 'succeeded'));

    expect(released).toMatchObject({ id: second.id, status: 'ready', image: `${REGISTRY}/portico/${project.id}:${second.commit}`, container: { id: `c-${second.id}` } });
    expect(phaseNames(released!)).toStrictEqual(['resolving', 'fetching', 'building', 'starting']);
    expect(runtime.started[1]).toStrictEqual({
      projectId: project.id,
      deploymentId: second.id,
      image: `${REGISTRY}/portico/${project.id}:${second.commit}`,
      port: 7860,
      env: { GREETING: 'hi', API_KEY: 'sk-1' },
      memoryBytes: 2 * GIB,
      nanoCpus: 1e9,
      gpus: 0,
      pool: null,
    });
    expect(await current()).toBe(second.id);
    expect((await get(first.id)).status).toBe('superseded');
    expect(runtime.calls).toStrictEqual([`start c-${first.id}`, `start c-${second.id}`, `remove c-${first.id}`]);
  });

  it('runs a GPU deployment on its pool with its GPUs', async () => {
    const { project, pipeline, remote, runtime, buildOf } = await setUp({ Dockerfile: 'FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nEXPOSE 8000\n' });
    await pipeline.enqueue(project);

    await pipeline.onBuild(buildOf(remote.requests[0]!, 'succeeded'));

    expect(runtime.started[0]).toMatchObject({ port: 8000, gpus: 1, pool: 't4' });
  });

  it('decides the GPU again from the image configuration the build reported: a CPU guess becomes a GPU on the pool', async () => {
    const { store, project, pipeline, remote, runtime, buildOf } = await setUp({ Dockerfile: 'FROM acme/ml-base:latest\nEXPOSE 8000\n' });
    const deployment = await pipeline.enqueue(project);
    expect(deployment.placement).toMatchObject({ gpus: 0, pool: null });

    const released = await pipeline.onBuild({ ...buildOf(remote.requests[0]!, 'succeeded'), imageFacts: { env: NVIDIA_CUDA_12_1_RUNTIME, labels: {} } });

    expect(released).toMatchObject({ status: 'ready', placement: { gpus: 1, pool: 't4', cudaVersion: '12.1' } });
    expect(runtime.started[0]).toMatchObject({ gpus: 1, pool: 't4' });
    expect((await store.readLog(deployment.id)).text).toMatch(/image configuration: CUDA_VERSION=12\.1\.0 → 1 GPU in pool t4 \(.*corrected from the Dockerfile's guess of CPU/);
  });

  it('asks the builder for the image configuration when the event does not carry it', async () => {
    const { project, pipeline, remote, runtime, buildOf } = await setUp({ Dockerfile: 'FROM acme/ml-base:latest\nEXPOSE 8000\n' });
    await pipeline.enqueue(project);
    const build = buildOf(remote.requests[0]!, 'succeeded');
    remote.described.set(build.buildId, { ...build, imageFacts: { env: { CUDA_VERSION: '12.1.0' }, labels: {} } });

    await pipeline.onBuild(build);

    expect(runtime.started[0]).toMatchObject({ gpus: 1, pool: 't4' });
  });

  it('fails before starting anything when the image reveals a CUDA no pool runs, and the serving deployment stays', async () => {
    const { project, pipeline, remote, runtime, buildOf, current } = await setUp({ Dockerfile: 'FROM acme/ml-base:latest\nEXPOSE 8000\n' });
    const serving = await pipeline.enqueue(project);
    await pipeline.onBuild(buildOf(remote.requests[0]!, 'succeeded'));
    const next = await pipeline.enqueue(project);

    const failed = await pipeline.onBuild({ ...buildOf(remote.requests[1]!, 'succeeded'), imageFacts: { env: { CUDA_VERSION: '13.1.0' }, labels: {} } });

    expect(failed).toMatchObject({ id: next.id, status: 'failed', error: expect.stringContaining("the built image's configuration has CUDA_VERSION=13.1.0") });
    expect(phaseNames(failed!)).toStrictEqual(['resolving', 'fetching', 'building']);
    expect(runtime.calls).toStrictEqual([`start c-${serving.id}`]);
    expect(await current()).toBe(serving.id);
  });

  it('keeps the placement decided from the Dockerfile when the build reported no image configuration, and says so', async () => {
    const { store, project, pipeline, remote, runtime, buildOf } = await setUp({ Dockerfile: 'FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nEXPOSE 8000\n' });
    const deployment = await pipeline.enqueue(project);

    await pipeline.onBuild(buildOf(remote.requests[0]!, 'succeeded'));

    expect(runtime.started[0]).toMatchObject({ gpus: 1, pool: 't4' });
    expect((await store.readLog(deployment.id)).text).toContain('image configuration: not reported by the build; the placement decided from the Dockerfile stays\n');
  });

  it('fails with CodeBuild’s reason and leaves the serving deployment serving', async () => {
    const { store, project, pipeline, remote, runtime, buildOf, current, get, clock } = await setUp();
    const serving = await pipeline.enqueue(project);
    await pipeline.onBuild(buildOf(remote.requests[0]!, 'succeeded'));
    clock.advance(MINUTE);
    const broken = await pipeline.enqueue(project);
    const reason = 'the CodeBuild build failed in phase BUILD: exit status 1; see its log in CloudWatch for details';

    const failed = await pipeline.onBuild(buildOf(remote.requests[1]!, { failed: reason }));

    expect(failed).toMatchObject({ id: broken.id, status: 'failed', error: reason });
    expect(await current()).toBe(serving.id);
    expect(await get(serving.id)).toMatchObject({ status: 'ready', container: { id: `c-${serving.id}` } });
    expect(runtime.calls).toStrictEqual([`start c-${serving.id}`]);
    expect((await store.readLog(broken.id)).text).toContain(`build portico-builds:b2: ${reason}\n==> failed: ${reason}\n`);
  });

  it('puts the end of the failed build’s output in the deployment log, before the reason', async () => {
    const { store, project, pipeline, remote, buildOf } = await setUp();
    const deployment = await pipeline.enqueue(project);
    remote.setOutput(['Step 3/5 : RUN pip install -r requirements.txt', 'ERROR: No matching distribution found for torch==9.9', 'The command returned a non-zero code: 1']);
    const reason = 'the CodeBuild build failed in phase BUILD: exit status 1';

    await pipeline.onBuild(buildOf(remote.requests[0]!, { failed: reason }));

    expect(remote.outputAsked).toStrictEqual([{ buildId: 'portico-builds:b1', lines: 50 }]);
    expect((await store.readLog(deployment.id)).text).toContain(
      '--- the last 3 lines of the build output ---\nStep 3/5 : RUN pip install -r requirements.txt\nERROR: No matching distribution found for torch==9.9\n' +
        `The command returned a non-zero code: 1\n---\nbuild portico-builds:b1: ${reason}\n==> failed: ${reason}\n`,
    );
  });

  it('still fails with the reason when the build output cannot be read, and says why it is missing', async () => {
    const { store, project, pipeline, remote, buildOf, get } = await setUp();
    const deployment = await pipeline.enqueue(project);
    remote.setOutput(new Error('CloudWatch Logs could not be reached (AccessDeniedException)'));

    await pipeline.onBuild(buildOf(remote.requests[0]!, { failed: 'the CodeBuild build failed in phase BUILD: exit status 1' }));

    expect(await get(deployment.id)).toMatchObject({ status: 'failed', error: 'the CodeBuild build failed in phase BUILD: exit status 1' });
    expect((await store.readLog(deployment.id)).text).toContain('(could not read the build output: CloudWatch Logs could not be reached (AccessDeniedException))\nbuild portico-builds:b1:');
  });

  it('fails a deployment whose container never answers, removes that container and keeps the previous one serving', async () => {
    const { project, pipeline, remote, runtime, buildOf, current, clock } = await setUp();
    const serving = await pipeline.enqueue(project);
    await pipeline.onBuild(buildOf(remote.requests[0]!, 'succeeded'));
    clock.advance(MINUTE);
    const silent = await pipeline.enqueue(project);
    runtime.neverReady.add(`c-${silent.id}`);

    const failed = await pipeline.onBuild(buildOf(remote.requests[1]!, 'succeeded'));

    expect(failed).toMatchObject({ status: 'failed', error: `c-${silent.id} did not answer HTTP on its port` });
    expect(await current()).toBe(serving.id);
    expect(runtime.calls).toStrictEqual([`start c-${serving.id}`, `start c-${silent.id}`, `remove c-${silent.id}`]);
  });

  it('changes nothing when the same event arrives twice', async () => {
    const { project, pipeline, remote, runtime, buildOf, get } = await setUp();
    const deployment = await pipeline.enqueue(project);
    const event = buildOf(remote.requests[0]!, 'succeeded');
    const released = await pipeline.onBuild(event);
    const calls = [...runtime.calls];

    expect(await pipeline.onBuild(event)).toBeNull();
    expect(runtime.calls).toStrictEqual(calls);
    expect(await get(deployment.id)).toStrictEqual(released);
  });

  it('starts one container when the same event is delivered twice at the same moment', async () => {
    const { project, pipeline, remote, runtime, buildOf } = await setUp();
    const deployment = await pipeline.enqueue(project);
    const event = buildOf(remote.requests[0]!, 'succeeded');

    const results = await Promise.all([pipeline.onBuild(event), pipeline.onBuild(event)]);

    expect(results.filter((result) => result === null)).toHaveLength(1);
    expect(results.find((result) => result !== null)).toMatchObject({ id: deployment.id, status: 'ready' });
    expect(runtime.calls.filter((call) => call.startsWith('start '))).toHaveLength(1);
  });

  it('changes nothing when a failure event arrives twice', async () => {
    const { project, pipeline, remote, buildOf, get, store } = await setUp();
    const deployment = await pipeline.enqueue(project);
    const event = buildOf(remote.requests[0]!, { failed: 'the CodeBuild build was stopped; see its log in CloudWatch for details' });
    const failed = await pipeline.onBuild(event);
    const log = await store.readLog(deployment.id);

    expect(await pipeline.onBuild(event)).toBeNull();
    expect(await get(deployment.id)).toStrictEqual(failed);
    expect(await store.readLog(deployment.id)).toStrictEqual(log);
  });

  it('ignores in-progress builds and builds of deployments it does not know', async () => {
    const { project, pipeline, remote, runtime, buildOf, get } = await setUp();
    const deployment = await pipeline.enqueue(project);

    expect(await pipeline.onBuild(buildOf(remote.requests[0]!, 'building'))).toBeNull();
    expect(await pipeline.onBuild({ ...buildOf(remote.requests[0]!, 'succeeded'), deploymentId: 'no-such-deployment' })).toBeNull();
    expect((await get(deployment.id)).status).toBe('building');
    expect(runtime.calls).toStrictEqual([]);
  });

  it('fails an older build that finishes after a newer deployment already serves: the later deploy wins', async () => {
    const { project, pipeline, remote, runtime, buildOf, current, get, clock } = await setUp();
    const older = await pipeline.enqueue(project);
    clock.advance(MINUTE);
    const newer = await pipeline.enqueue(project);
    await pipeline.onBuild(buildOf(remote.requests[1]!, 'succeeded'));

    const late = await pipeline.onBuild(buildOf(remote.requests[0]!, 'succeeded'));

    expect(late).toMatchObject({ id: older.id, status: 'failed', error: `superseded: deployment ${newer.id}, started later, already serves` });
    expect(await current()).toBe(newer.id);
    expect((await get(newer.id)).status).toBe('ready');
    expect(runtime.calls).toStrictEqual([`start c-${newer.id}`]);
  });
});

describe('reconcile', () => {
  it('advances a build whose completion event was missed', async () => {
    const { project, pipeline, remote, buildOf, current } = await setUp();
    const deployment = await pipeline.enqueue(project);
    remote.setRecent([buildOf(remote.requests[0]!, 'succeeded')]);

    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 1, interrupted: 0 });
    expect(await current()).toBe(deployment.id);

    // The next tick finds the same build again and does nothing.
    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 0, interrupted: 0 });
  });

  it('leaves builds still running alone until buildTimeoutMs, then fails them', async () => {
    const { project, pipeline, remote, buildOf, get, clock } = await setUp();
    const deployment = await pipeline.enqueue(project);
    remote.setRecent([buildOf(remote.requests[0]!, 'building')]);

    clock.advance(SETTINGS.buildTimeoutMs - 1);
    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 0, interrupted: 0 });
    expect((await get(deployment.id)).status).toBe('building');

    clock.advance(1);
    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 0, interrupted: 1 });
    expect(await get(deployment.id)).toMatchObject({ status: 'failed', error: 'interrupted: no build outcome arrived within 90 minutes; deploy again' });
  });

  it('fails a deployment stuck in starting past stuckAfterMs and removes its container', async () => {
    const { store, project, pipeline, runtime, clock, get, current } = await setUp();
    const startedAt = clock.now().toISOString();
    const stuck = makeDeployment({
      id: 'stuck-1',
      projectId: project.id,
      status: 'starting',
      createdAt: startedAt,
      phases: [
        { name: 'resolving', startedAt, endedAt: startedAt },
        { name: 'fetching', startedAt, endedAt: startedAt },
        { name: 'building', startedAt, endedAt: startedAt },
        { name: 'starting', startedAt, endedAt: null },
      ],
      container: { id: 'c-stuck-1', upstream: 'http://10.0.0.7:7860' },
    });
    await store.createDeployment(stuck);
    runtime.containers.set('c-stuck-1', 'running');

    clock.advance(SETTINGS.stuckAfterMs - 1);
    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 0, interrupted: 0 });
    expect((await get('stuck-1')).status).toBe('starting');

    clock.advance(1);
    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 0, interrupted: 1 });
    expect(await get('stuck-1')).toMatchObject({ status: 'failed', error: 'interrupted: the deployment stopped while starting; deploy again' });
    expect(runtime.calls).toStrictEqual(['remove c-stuck-1']);
    expect(await current()).toBeNull();
  });

  it('keeps going when one stuck deployment cannot be failed', async () => {
    const { store, project, pipeline, runtime, clock, get } = await setUp();
    const at = clock.now().toISOString();
    for (const id of ['stuck-a', 'stuck-b']) {
      await store.createDeployment(
        makeDeployment({ id, projectId: project.id, status: 'starting', createdAt: at, phases: [{ name: 'starting', startedAt: at, endedAt: null }], container: { id: `c-${id}`, upstream: 'http://10.0.0.7:7860' } }),
      );
    }
    runtime.remove = async (id) => {
      if (id === 'c-stuck-a') throw new Error('ECS is down');
    };
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    clock.advance(SETTINGS.stuckAfterMs);

    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 0, interrupted: 1 });
    expect((await get('stuck-b')).status).toBe('failed');
    expect((await get('stuck-a')).status).toBe('starting');
    expect(errors).toHaveBeenCalledWith('could not fail stuck deployment stuck-a: ECS is down');
    errors.mockRestore();
  });
});
