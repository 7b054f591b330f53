import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, GetDownloadUrlForLayerCommand, BatchGetImageCommand } from '@aws-sdk/client-ecr';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEcrImageStore } from '../../gateway/adapters/aws/ecr-image-store.ts';
import { createEcrRegistry } from '../../gateway/adapters/aws/ecr-registry.ts';
import { createLambdaReleaseQueue } from '../../gateway/adapters/aws/lambda-release-queue.ts';
import { createSqliteStore } from '../../gateway/adapters/local/sqlite-store.ts';
import { PorticoError } from '../../gateway/errors.ts';
import type { ReleaseJob } from '../../gateway/ports/release-queue.ts';
import type { RemoteBuilder } from '../../gateway/ports/remote-builder.ts';
import type { SourceFetcher } from '../../gateway/ports/source-fetcher.ts';
import { type EventPipelineSettings, createEventPipeline } from '../../gateway/services/event-pipeline.ts';
import { createProjectService } from '../../gateway/services/project-service.ts';
import { type KeptImages, startKeptImages } from '../support/ecr-kept-images.ts';
import { failure } from '../support/failure.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { memoryRuntime } from '../support/memory-runtime.ts';
import { steppedClock } from '../support/stepped-clock.ts';

/*
 * A rollback on AWS through the project service and the event pipeline, with the real ECR and
 * Lambda adapters over mocked SDK clients (the kept image's configuration downloaded for real):
 * the API records the queued deployment and hands its release to the release function; that
 * function's `onRelease` starts the kept image. Nothing is resolved, fetched or built.
 */

const MINUTE = 60_000;
const GIB = 2 ** 30;
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const PROJECT = 'main-gpt2-acme';
const OLD_COMMIT = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const NEW_COMMIT = '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a';
const OLD_IMAGE = `${REGISTRY}/portico/${PROJECT}:${OLD_COMMIT}`;
const NEW_IMAGE = `${REGISTRY}/portico/${PROJECT}:${NEW_COMMIT}`;
const T4 = { name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '550.54.14', maxGpus: 1, instanceTypes: ['g4dn.xlarge'] };
const SETTINGS: EventPipelineSettings = {
  gpuPools: [T4],
  containerMemoryBytes: 2 * GIB,
  containerNanoCpus: 1e9,
  startupTimeoutMs: 5_000,
  stuckAfterMs: 20 * MINUTE,
  buildTimeoutMs: 90 * MINUTE,
};
const GPU_PLACEMENT = { gpus: 1, cudaVersion: '12.1', pool: 't4', reason: 'CUDA 12.1 → 1 GPU in pool t4' };

const ecr = mockClient(ECRClient);
const lambda = mockClient(LambdaClient);
let kept: KeptImages;
let workDir: string;
let stores: { close(): void }[] = [];
let n = 0;

beforeAll(async () => {
  kept = await startKeptImages(ecr);
  workDir = await mkdtemp(join(tmpdir(), 'portico-event-rollback-'));
});
beforeEach(() => {
  ecr.reset();
  lambda.reset();
  kept.answer();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});
afterAll(async () => {
  await kept?.close();
  await rm(workDir, { recursive: true, force: true });
});

/** Nothing may be resolved, fetched or built: each of these records the call and refuses it. */
function refusing() {
  const asked: string[] = [];
  const refuse = (what: string) => async () => {
    asked.push(what);
    throw new PorticoError('build_failed', `a rollback must not ${what}`);
  };
  const source: SourceFetcher = { defaultBranch: refuse('resolve'), resolve: refuse('resolve'), readFile: refuse('read a file'), fetch: refuse('fetch') };
  const builder: RemoteBuilder = { start: refuse('build'), recent: async () => [], outputTail: async () => null };
  return { asked, source, builder };
}

/** A project serving its newer deployment, with an older GPU deployment (superseded) whose image ECR may still keep. */
async function setUp(options: { queue?: boolean } = {}) {
  const store = createSqliteStore(join(workDir, `rollback-${n++}.sqlite`));
  stores.push(store);
  const clock = steppedClock();
  const runtime = memoryRuntime();
  const { asked, source, builder: remote } = refusing();
  const images = createEcrImageStore(createEcrRegistry({ client: new ECRClient({ region: 'eu-west-1' }), keepImages: 10 }));
  const queue = createLambdaReleaseQueue({ client: new LambdaClient({ region: 'eu-west-1' }), functionName: 'portico-buildevents' });
  const pipeline = createEventPipeline({ store, source, runtime, clock }, remote, SETTINGS, { images: { inspectImage: images.inspectImage!, keptImages: images.keptImages }, queue: options.queue === false ? undefined : queue });
  const projects = createProjectService({ store, source, runtime, clock, builder: images }, pipeline, { idleTimeoutSeconds: 900 });

  await store.createProject(makeProject({ id: PROJECT, env: { MODEL: 'gpt2' }, secrets: { HF_TOKEN: 'hf-1' } }));
  const target = makeDeployment({ id: 'd-old', projectId: PROJECT, status: 'superseded', commit: OLD_COMMIT, image: OLD_IMAGE, port: 7860, placement: GPU_PLACEMENT, createdAt: '2026-11-25T09:00:00.000Z' });
  const serving = makeDeployment({
    id: 'd-new',
    projectId: PROJECT,
    status: 'ready',
    commit: NEW_COMMIT,
    image: NEW_IMAGE,
    port: 8000,
    placement: { gpus: 0, cudaVersion: null, pool: null, reason: 'CPU image' },
    container: { id: 'c-d-new', upstream: 'http://10.0.0.8:8000' },
    createdAt: '2026-11-25T10:00:00.000Z',
  });
  await store.createDeployment(target);
  await store.createDeployment(serving);
  await store.updateProject(PROJECT, { currentDeploymentId: serving.id });
  runtime.containers.set('c-d-new', 'running');
  const get = async (id: string) => (await store.getDeployment(id))!;
  /** The job the release function receives: the payload of the (one) asynchronous invoke. */
  const invoked = (): ReleaseJob[] => lambda.commandCalls(InvokeCommand).map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as ReleaseJob);
  return { store, clock, runtime, pipeline, projects, asked, get, invoked };
}

describe('a rollback on AWS', () => {
  it('records a queued deployment, hands its release to the release function, and the release starts the kept image with the target’s port, memory and GPU placement, building nothing', async () => {
    kept.keep(OLD_IMAGE, { Env: ['CUDA_VERSION=12.1.0'], ExposedPorts: { '80/tcp': {} }, Labels: { 'portico.memory': '6g' } });
    const { projects, pipeline, runtime, store, asked, get, invoked } = await setUp();

    const queued = await projects.rollback(PROJECT, 'd-old');

    expect(queued).toMatchObject({ projectId: PROJECT, status: 'queued', commit: OLD_COMMIT, placement: GPU_PLACEMENT, image: null, phases: [] });
    expect(lambda.commandCalls(InvokeCommand).map((call) => ({ ...call.args[0].input, Payload: undefined }))).toStrictEqual([
      { FunctionName: 'portico-buildevents', InvocationType: 'Event', Payload: undefined },
    ]);
    expect(invoked()).toStrictEqual([{ kind: 'rollback', deploymentId: queued.id, targetId: 'd-old' }]);
    expect(runtime.started).toStrictEqual([]); // nothing runs in the request

    const released = await pipeline.onRelease(invoked()[0]!);

    expect(runtime.started).toStrictEqual([
      { projectId: PROJECT, deploymentId: queued.id, image: OLD_IMAGE, port: 7860, env: { MODEL: 'gpt2', HF_TOKEN: 'hf-1' }, memoryBytes: 6 * GIB, nanoCpus: 1e9, gpus: 1, pool: 't4' },
    ]);
    expect(released).toMatchObject({ id: queued.id, status: 'ready', image: OLD_IMAGE, placement: GPU_PLACEMENT, error: null });
    expect(released!.phases.map((phase) => phase.name)).toStrictEqual(['starting']);
    expect((await store.getProject(PROJECT))?.currentDeploymentId).toBe(queued.id);
    expect((await get('d-new')).status).toBe('superseded');
    expect(runtime.calls).toContain('remove c-d-new');
    expect((await store.readLog(queued.id)).text).toContain(`rollback to deployment d-old (commit ${OLD_COMMIT}): releasing its kept image ${OLD_IMAGE}; nothing is resolved, fetched or built\n`);
    expect(asked).toStrictEqual([]);
  });

  it('changes nothing when the same job is delivered again', async () => {
    kept.keep(OLD_IMAGE, { Env: [] });
    const { projects, pipeline, runtime, get, invoked } = await setUp();
    const queued = await projects.rollback(PROJECT, 'd-old');
    await pipeline.onRelease(invoked()[0]!);
    const before = await get(queued.id);

    expect(await pipeline.onRelease(invoked()[0]!)).toBeNull();

    expect(runtime.started).toHaveLength(1);
    expect(await get(queued.id)).toStrictEqual(before);
  });

  it('answers 409 naming ECR’s lifecycle policy when the image was expired, and records and invokes nothing', async () => {
    kept.expire(OLD_IMAGE);
    const { projects, store } = await setUp();

    const error = await failure(projects.rollback(PROJECT, 'd-old'));

    expect(error.code).toBe('conflict');
    expect(error.message).toBe(
      `the image of deployment "d-old" (${OLD_IMAGE}) was pruned: ECR's lifecycle policy keeps only the newest 10 images of a project; redeploy commit ${OLD_COMMIT.slice(0, 12)} instead`,
    );
    expect(await store.listDeployments(PROJECT)).toHaveLength(2);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('fails the rollback, starting nothing, when the image expired between the request and the release', async () => {
    kept.keep(OLD_IMAGE, { Env: [] });
    const { projects, pipeline, runtime, store, invoked } = await setUp();
    const queued = await projects.rollback(PROJECT, 'd-old');
    kept.expire(OLD_IMAGE);

    const failed = await pipeline.onRelease(invoked()[0]!);

    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^the image of deployment "d-old" \(.+\) was pruned: ECR's lifecycle policy keeps only the newest 10 images/) });
    expect(runtime.started).toStrictEqual([]);
    expect((await store.getProject(PROJECT))?.currentDeploymentId).toBe('d-new');
    expect(queued.id).toBe(failed!.id);
  });

  it('fails the queued deployment with Lambda’s reason when the release cannot be handed over', async () => {
    kept.keep(OLD_IMAGE, { Env: [] });
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const { projects } = await setUp();

    const deployment = await projects.rollback(PROJECT, 'd-old');

    expect(deployment).toMatchObject({ status: 'failed', error: `Lambda refused to queue the release of deployment ${deployment.id} on portico-buildevents: Rate exceeded; try again` });
  });

  it('is failed by reconcile when its release never ran, once stuckAfterMs has passed', async () => {
    kept.keep(OLD_IMAGE, { Env: [] });
    const { projects, pipeline, clock, get } = await setUp();
    const queued = await projects.rollback(PROJECT, 'd-old');

    clock.advance(SETTINGS.stuckAfterMs - 1);
    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 0, interrupted: 0 });
    clock.advance(1);
    expect(await pipeline.reconcile()).toStrictEqual({ advanced: 0, interrupted: 1 });

    expect(await get(queued.id)).toMatchObject({ status: 'failed', error: 'interrupted: the deployment stopped while queued; deploy again' });
    expect(await get('d-new')).toMatchObject({ status: 'ready' });
  });

  it('is offered where a release queue is configured, and tells a kept image with one BatchGetImage', async () => {
    kept.keep(OLD_IMAGE, { Env: [] });
    const withQueue = await setUp();
    const without = await setUp({ queue: false });

    expect(withQueue.projects.canRollBack()).toBe(true);
    expect(await withQueue.projects.imageKept(OLD_IMAGE)).toBe(true);
    expect(await withQueue.projects.imageKept(NEW_IMAGE)).toBe(false);
    expect(ecr.commandCalls(BatchGetImageCommand)).toHaveLength(2);
    expect(ecr.commandCalls(GetDownloadUrlForLayerCommand)).toHaveLength(0);

    expect(without.projects.canRollBack()).toBe(false);
    expect((await failure(without.projects.rollback(PROJECT, 'd-old'))).code).toBe('conflict');
  });
});

