import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceName } from '../../gateway/adapters/aws/ecs-task-definition.ts';
import type { ReleaseJob } from '../../gateway/ports/release-queue.ts';
import { type KeptImages, startKeptImages } from '../support/ecr-kept-images.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { LAMBDA_ENV, LAMBDA_TOKEN, type LambdaHarness, payloadV2Event, startLambdaHarness } from '../support/lambda-harness.ts';
import { installAwsLambdaGlobal, lambdaContext } from '../support/lambda-runtime.ts';

/*
 * A rollback on AWS from end to end through the entry files: the gateway Lambda
 * (functions/gateway.ts) answers `POST /api/projects/:id/rollback` after reading the kept image
 * from ECR, records the queued deployment in DynamoDB (dynalite) and invokes the build-events
 * function asynchronously; functions/build-events.ts, given that invoke's payload, releases the
 * kept image on ECS. ECS, ECR and Lambda are mocked; the image's config blob is downloaded for real.
 */

const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const lambda = mockClient(LambdaClient);
const codebuild = mockClient(CodeBuildClient);

const CLUSTER = LAMBDA_ENV.PORTICO_CLUSTER_ARN;
const POOLS = '[{"name":"t4","gpuModel":"Tesla T4","computeCapability":"7.5","driverVersion":"550.54.14","maxGpus":1}]';
const RELEASE_FUNCTION = 'portico-buildevents';
const HTTP_API_HOST = 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/portico-main-gpt2-acme:7';
const PROJECT = 'main-gpt2-acme';
const OLD_COMMIT = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const NEW_COMMIT = '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a';
const OLD_IMAGE = `${LAMBDA_ENV.PORTICO_ECR_REGISTRY}/portico/${PROJECT}:${OLD_COMMIT}`;
const NEW_IMAGE = `${LAMBDA_ENV.PORTICO_ECR_REGISTRY}/portico/${PROJECT}:${NEW_COMMIT}`;
const GPU_PLACEMENT = { gpus: 1, cudaVersion: '12.1', pool: 't4', reason: 'CUDA 12.1 → 1 GPU in pool t4' };

let harness: LambdaHarness;
let gateway: typeof import('../../functions/gateway.ts');
let buildEvents: typeof import('../../functions/build-events.ts');
let kept: KeptImages;
let demo: Server;
let demoPort: number;

const api = (method: string, path: string, body?: unknown) =>
  gateway.bufferedHandler(
    payloadV2Event('http-api-v2-event.json', {
      method,
      path,
      host: HTTP_API_HOST,
      headers: { authorization: `Bearer ${LAMBDA_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }) as unknown as Parameters<typeof gateway.bufferedHandler>[0],
    lambdaContext() as unknown as Parameters<typeof gateway.bufferedHandler>[1],
  );

/** The payloads the gateway invoked the release function with. */
const invoked = (): ReleaseJob[] => lambda.commandCalls(InvokeCommand).map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as ReleaseJob);

/** The project serving `serving` (its ECS service running), with `target`, an earlier GPU deployment, superseded. */
async function seed(suffix: string): Promise<{ projectId: string; servingService: string }> {
  const projectId = `${PROJECT}-${suffix}`;
  await harness.store.createProject(makeProject({ id: projectId, env: { MODEL: 'gpt2' } }));
  await harness.store.createDeployment(
    makeDeployment({ id: `old-${suffix}`, projectId, status: 'superseded', commit: OLD_COMMIT, image: OLD_IMAGE, port: demoPort, placement: GPU_PLACEMENT, createdAt: '2026-11-25T09:00:00.000Z' }),
  );
  const servingService = serviceName(projectId, `new-${suffix}`);
  await harness.store.createDeployment(
    makeDeployment({
      id: `new-${suffix}`,
      projectId,
      status: 'ready',
      commit: NEW_COMMIT,
      image: NEW_IMAGE,
      port: 8000,
      container: { id: servingService, upstream: 'http://10.0.1.23:8000' },
      createdAt: '2026-11-25T10:00:00.000Z',
    }),
  );
  await harness.store.updateProject(projectId, { currentDeploymentId: `new-${suffix}` });
  return { projectId, servingService };
}

beforeAll(async () => {
  demo = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  await new Promise<void>((resolve) => demo.listen(0, '127.0.0.1', resolve));
  demoPort = (demo.address() as AddressInfo).port;
  kept = await startKeptImages(ecr);
  harness = await startLambdaHarness({ PORTICO_GPU_POOLS: POOLS, PORTICO_RELEASE_FUNCTION: RELEASE_FUNCTION });
  installAwsLambdaGlobal();
  gateway = await import('../../functions/gateway.ts');
  buildEvents = await import('../../functions/build-events.ts');
});

afterAll(async () => {
  await harness?.close();
  await kept?.close();
  await new Promise<void>((resolve) => (demo ? demo.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  ecs.reset();
  ecr.reset();
  lambda.reset();
  codebuild.reset();
  kept.answer();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEFINITION } });
  ecs.on(UpdateServiceCommand).rejects(new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} }));
  ecs.on(CreateServiceCommand).resolves({});
  ecs.on(DeleteServiceCommand).resolves({});
  const task = {
    taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/portico/0123456789abcdef',
    taskDefinitionArn: TASK_DEFINITION,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '127.0.0.1' }] }],
  };
  ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: [task.taskArn] });
  ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [task] });
});

describe('POST /api/projects/:id/rollback on AWS', () => {
  it('answers 202 with a queued deployment, invokes the build-events function with the job, and that function releases the kept image on the target’s GPU pool: ready, nothing built', async () => {
    kept.keep(OLD_IMAGE, { Env: ['CUDA_VERSION=12.1.0'], ExposedPorts: { '80/tcp': {} }, Labels: { 'portico.memory': '6g' } });
    const { projectId, servingService } = await seed('a');

    const response = await api('POST', `/api/projects/${projectId}/rollback`, { deploymentId: 'old-a' });

    expect(response.statusCode).toBe(202);
    const queued = JSON.parse(response.body) as { id: string; status: string; commit: string };
    expect(queued).toMatchObject({ status: 'queued', commit: OLD_COMMIT });
    expect(lambda.commandCalls(InvokeCommand).map((call) => ({ ...call.args[0].input, Payload: invoked()[0] }))).toStrictEqual([
      { FunctionName: RELEASE_FUNCTION, InvocationType: 'Event', Payload: { kind: 'rollback', deploymentId: queued.id, targetId: 'old-a' } },
    ]);
    expect(ecs.calls()).toHaveLength(0); // nothing started in the request

    await buildEvents.handler(invoked()[0]!);

    const service = serviceName(projectId, queued.id);
    const [definition] = ecs.commandCalls(RegisterTaskDefinitionCommand).map((call) => call.args[0].input);
    expect(definition?.requiresCompatibilities).toStrictEqual(['EC2']);
    expect(definition?.containerDefinitions?.map(({ image, portMappings, memory, resourceRequirements }) => ({ image, portMappings, memory, resourceRequirements }))).toStrictEqual([
      { image: OLD_IMAGE, portMappings: [{ containerPort: demoPort, protocol: 'tcp' }], memory: 6144, resourceRequirements: [{ type: 'GPU', value: '1' }] },
    ]);
    expect(ecs.commandCalls(CreateServiceCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        cluster: CLUSTER,
        serviceName: service,
        taskDefinition: TASK_DEFINITION,
        desiredCount: 1,
        capacityProviderStrategy: [{ capacityProvider: 'portico-t4', weight: 1 }],
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a', 'subnet-0b'], securityGroups: ['sg-0demos'], assignPublicIp: 'DISABLED' } },
        propagateTags: 'TASK_DEFINITION',
        tags: [
          { key: 'portico.project', value: projectId },
          { key: 'portico.deployment', value: queued.id },
          { key: 'portico.port', value: String(demoPort) },
        ],
      },
    ]);
    // The deployment it replaces is retired: its service scaled to zero and deleted.
    expect(ecs.commandCalls(DeleteServiceCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: CLUSTER, service: servingService, force: true }]);
    const deployment = await harness.store.getDeployment(queued.id);
    expect(deployment).toMatchObject({ status: 'ready', image: OLD_IMAGE, placement: GPU_PLACEMENT, container: { id: service, upstream: `http://127.0.0.1:${demoPort}` }, error: null });
    expect(deployment!.phases.map((phase) => phase.name)).toStrictEqual(['starting']);
    expect((await harness.store.getProject(projectId))?.currentDeploymentId).toBe(queued.id);
    expect((await harness.store.getDeployment('new-a'))?.status).toBe('superseded');
    expect(codebuild.calls()).toHaveLength(0);
  });

  it('answers 409 naming ECR’s lifecycle policy when the kept image was expired, and invokes nothing', async () => {
    const { projectId } = await seed('b');
    kept.expire(OLD_IMAGE);

    const response = await api('POST', `/api/projects/${projectId}/rollback`, { deploymentId: 'old-b' });

    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toMatchObject({
      error: {
        code: 'conflict',
        message: `the image of deployment "old-b" (${OLD_IMAGE}) was pruned: ECR's lifecycle policy keeps only the newest 10 images of a project; redeploy commit ${OLD_COMMIT.slice(0, 12)} instead`,
      },
    });
    expect(lambda.calls()).toHaveLength(0);
    expect(await harness.store.listDeployments(projectId)).toHaveLength(2);
  });

  it('offers the rollback on the dashboard’s history page, and marks an expired image as pruned', async () => {
    const { projectId } = await seed('c');
    kept.keep(OLD_IMAGE, { Env: [] });
    const page = async () => (await api('GET', `/projects/${projectId}/history`)).body;

    expect(await page()).toContain(`<input type="hidden" name="deploymentId" value="old-c"`);
    kept.expire(OLD_IMAGE);
    const pruned = await page();
    expect(pruned).toContain('image pruned');
    expect(pruned).not.toContain(`<input type="hidden" name="deploymentId" value="old-c"`);
  });
});
