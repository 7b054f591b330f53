import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BatchGetBuildsCommand, CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUILD_VARIABLES } from '../../gateway/adapters/aws/build-variables.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { LAMBDA_ENV, type LambdaHarness, readFixture, startLambdaHarness } from '../support/lambda-harness.ts';

/*
 * functions/build-events.ts receiving real "CodeBuild Build State Change" events (EventBridge's
 * documented shape, carrying the build's PORTICO_* variables): a success starts the image on
 * ECS and makes the deployment ready once it answers; a failure fails it with CodeBuild's reason.
 */

const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const codebuild = mockClient(CodeBuildClient);
const cloudwatch = mockClient(CloudWatchLogsClient);

const CLUSTER = LAMBDA_ENV.PORTICO_CLUSTER_ARN;
const POOLS = '[{"name":"t4","gpuModel":"Tesla T4","computeCapability":"7.5","driverVersion":"550.54.14","maxGpus":1}]';
const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/portico-main-gpt2-acme:4';
const PROJECT = 'main-gpt2-acme';
const COMMIT = '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a';
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/portico/${PROJECT}:${COMMIT}`;

interface BuildEvent {
  detail: { 'build-id': string; 'additional-information': { environment: { 'environment-variables': { name: string; type: string; value: string }[] } } };
}

let harness: LambdaHarness;
let buildEvents: typeof import('../../functions/build-events.ts');
let demo: Server;
let demoPort: number;
let probes = 0;

/** The fixture with the build's variables pointing at this deployment and the local demo's port. */
function buildEvent(file: string, deploymentId: string): BuildEvent {
  const event = readFixture<BuildEvent>(file);
  for (const variable of event.detail['additional-information'].environment['environment-variables']) {
    if (variable.name === BUILD_VARIABLES.deploymentId) variable.value = deploymentId;
    if (variable.name === BUILD_VARIABLES.port) variable.value = String(demoPort);
  }
  return event;
}

/** A GPU deployment (or the placement given) waiting for its build, as the gateway left it after StartBuild. */
async function seedBuilding(deploymentId: string, placement = { gpus: 1, cudaVersion: '12.1', pool: 't4', reason: 'pool t4 fits' }): Promise<void> {
  await harness.store.createDeployment(
    makeDeployment({
      id: deploymentId,
      projectId: PROJECT,
      status: 'building',
      commit: COMMIT,
      phases: [
        { name: 'resolving', startedAt: '2026-11-25T09:30:00.000Z', endedAt: '2026-11-25T09:30:02.000Z' },
        { name: 'fetching', startedAt: '2026-11-25T09:30:02.000Z', endedAt: '2026-11-25T09:30:03.000Z' },
        { name: 'building', startedAt: '2026-11-25T09:30:03.000Z', endedAt: null },
      ],
      placement,
    }),
  );
}

beforeAll(async () => {
  demo = createServer((req, res) => {
    if (req.headers['user-agent'] === 'portico-probe') probes += 1;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => demo.listen(0, '127.0.0.1', resolve));
  demoPort = (demo.address() as AddressInfo).port;
  harness = await startLambdaHarness({ PORTICO_GPU_POOLS: POOLS });
  await harness.store.createProject(makeProject({ id: PROJECT, env: { MODEL: 'gpt2' } }));
  buildEvents = await import('../../functions/build-events.ts');
});

afterAll(async () => {
  await harness?.close();
  await new Promise<void>((resolve) => (demo ? demo.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  ecs.reset();
  ecr.reset();
  codebuild.reset();
  cloudwatch.reset();
  probes = 0;
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEFINITION } });
  ecs.on(UpdateServiceCommand).rejects(new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} }));
  ecs.on(CreateServiceCommand).resolves({});
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

describe('a SUCCEEDED build event', () => {
  const deploymentId = '9b1f6c2a-4d3e-4f5a-8b7c-1d2e3f4a5b6c';
  const service = `portico-${PROJECT}-9b1f6c2a`;

  it('registers the GPU task definition, creates the service on its pool’s capacity provider, probes the demo and makes the deployment ready', async () => {
    await seedBuilding(deploymentId);

    await buildEvents.handler(buildEvent('codebuild-build-succeeded.json', deploymentId) as never);

    expect(ecs.commandCalls(RegisterTaskDefinitionCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        family: `portico-${PROJECT}`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['EC2'],
        executionRoleArn: LAMBDA_ENV.PORTICO_TASK_EXECUTION_ROLE_ARN,
        taskRoleArn: LAMBDA_ENV.PORTICO_TASK_ROLE_ARN,
        containerDefinitions: [
          {
            name: 'app',
            image: IMAGE,
            essential: true,
            portMappings: [{ containerPort: demoPort, protocol: 'tcp' }],
            environment: [
              { name: 'PORT', value: String(demoPort) },
              { name: 'GRADIO_SERVER_NAME', value: '0.0.0.0' },
              { name: 'GRADIO_SERVER_PORT', value: String(demoPort) },
              { name: 'STREAMLIT_SERVER_PORT', value: String(demoPort) },
              { name: 'STREAMLIT_SERVER_ADDRESS', value: '0.0.0.0' },
              { name: 'MODEL', value: 'gpt2' },
            ],
            cpu: 1024,
            memory: 2048,
            resourceRequirements: [{ type: 'GPU', value: '1' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': LAMBDA_ENV.PORTICO_TASK_LOG_GROUP, 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': PROJECT },
            },
          },
        ],
        tags: [
          { key: 'portico.project', value: PROJECT },
          { key: 'portico.deployment', value: deploymentId },
        ],
      },
    ]);
    const networkConfiguration = { awsvpcConfiguration: { subnets: ['subnet-0a', 'subnet-0b'], securityGroups: ['sg-0demos'], assignPublicIp: 'DISABLED' } };
    const capacityProviderStrategy = [{ capacityProvider: 'portico-t4', weight: 1 }];
    expect(ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toStrictEqual([
      { cluster: CLUSTER, service, taskDefinition: TASK_DEFINITION, desiredCount: 1, capacityProviderStrategy, networkConfiguration, forceNewDeployment: true },
    ]);
    expect(ecs.commandCalls(CreateServiceCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        cluster: CLUSTER,
        serviceName: service,
        taskDefinition: TASK_DEFINITION,
        desiredCount: 1,
        capacityProviderStrategy,
        networkConfiguration,
        propagateTags: 'TASK_DEFINITION',
        tags: [
          { key: 'portico.project', value: PROJECT },
          { key: 'portico.deployment', value: deploymentId },
          { key: 'portico.port', value: String(demoPort) },
        ],
      },
    ]);
    expect(probes).toBeGreaterThanOrEqual(1);
    const deployment = await harness.store.getDeployment(deploymentId);
    expect(deployment).toMatchObject({ status: 'ready', image: IMAGE, container: { id: service, upstream: `http://127.0.0.1:${demoPort}` }, error: null });
    expect(deployment!.phases.map((phase) => phase.name)).toStrictEqual(['resolving', 'fetching', 'building', 'starting']);
    expect((await harness.store.getProject(PROJECT))?.currentDeploymentId).toBe(deploymentId);
  });

  it('changes nothing when EventBridge delivers the same event again', async () => {
    const before = await harness.store.getDeployment(deploymentId);

    await buildEvents.handler(buildEvent('codebuild-build-succeeded.json', deploymentId) as never);

    expect(ecs.calls()).toHaveLength(0);
    expect(await harness.store.getDeployment(deploymentId)).toStrictEqual(before);
  });
});

describe('a SUCCEEDED build event whose task waited for a GPU instance', () => {
  afterEach(() => vi.useRealTimers());

  it('writes what the task’s start waited on into the deployment log, instance launch included', async () => {
    const deploymentId = '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
    await seedBuilding(deploymentId);
    // The probe answers at 10:04:32 by the function's clock; ECS's timestamps of the task, and the instance that joined for it.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-30T10:04:32.000Z') });
    const instance = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/portico/9f8e7d6c5b4a';
    const task = {
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/portico/fedcba9876543210',
      taskDefinitionArn: TASK_DEFINITION,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      capacityProviderName: 'portico-t4',
      containerInstanceArn: instance,
      createdAt: new Date('2026-11-30T10:00:00.000Z'),
      pullStartedAt: new Date('2026-11-30T10:03:10.000Z'),
      pullStoppedAt: new Date('2026-11-30T10:04:10.500Z'),
      startedAt: new Date('2026-11-30T10:04:12.000Z'),
      attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '127.0.0.1' }] }],
    };
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: [task.taskArn] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task] });
    ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn: instance, registeredAt: new Date('2026-11-30T10:02:55.000Z') }] });

    await buildEvents.handler(buildEvent('codebuild-build-succeeded.json', deploymentId) as never);

    expect(ecs.commandCalls(DescribeContainerInstancesCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: CLUSTER, containerInstances: [instance] }]);
    const log = (await harness.store.readLog(deploymentId)).text;
    expect(log).toContain(
      '\nstarted in 272.0 s: placement 190.0 s (of which 175.0 s waiting for a new instance to join the cluster), image pull 60.5 s, container start 1.5 s, first answer 20.0 s\n',
    );
    expect(log.indexOf('\nstarted in ')).toBeLessThan(log.indexOf('==> ready'));
    expect(await harness.store.getDeployment(deploymentId)).toMatchObject({ status: 'ready' });
  });
});

describe('a SUCCEEDED build event of an image whose configuration says CUDA', () => {
  it('reads the exported image configuration from CodeBuild and runs the CPU-guessed image on the GPU pool', async () => {
    const deploymentId = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
    await seedBuilding(deploymentId, { gpus: 0, cudaVersion: null, pool: null, reason: 'CPU image' } as never);
    const event = buildEvent('codebuild-build-succeeded.json', deploymentId);
    // The guess the gateway started the build with: a base image whose name says CPU.
    event.detail['additional-information'].environment['environment-variables'].push(
      { name: BUILD_VARIABLES.baseImage, type: 'PLAINTEXT', value: 'acme/ml-base:latest' },
      { name: BUILD_VARIABLES.gpuGuess, type: 'PLAINTEXT', value: '0' },
      { name: BUILD_VARIABLES.cudaGuess, type: 'PLAINTEXT', value: '' },
      { name: BUILD_VARIABLES.gpuLabel, type: 'PLAINTEXT', value: '' },
    );
    const buildId = (event.detail as { 'build-id': string })['build-id'];
    codebuild.on(BatchGetBuildsCommand).resolves({
      builds: [
        {
          id: buildId,
          buildStatus: 'SUCCEEDED',
          environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_MEDIUM', environmentVariables: event.detail['additional-information'].environment['environment-variables'] as never },
          exportedEnvironmentVariables: [
            { name: 'PORTICO_IMAGE_CONFIG', value: 'read' },
            { name: 'PORTICO_IMAGE_CUDA_VERSION', value: '12.1.0' },
            { name: 'PORTICO_IMAGE_REQUIRE_CUDA', value: 'cuda>=12.1' },
            { name: 'PORTICO_IMAGE_VISIBLE_DEVICES', value: 'all' },
            { name: 'PORTICO_IMAGE_GPU_LABEL', value: '' },
          ],
        },
      ],
    });

    await buildEvents.handler(event as never);

    expect(codebuild.commandCalls(BatchGetBuildsCommand).map((call) => call.args[0].input)).toStrictEqual([{ ids: [buildId] }]);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input.containerDefinitions![0]!.resourceRequirements).toStrictEqual([{ type: 'GPU', value: '1' }]);
    expect(ecs.commandCalls(CreateServiceCommand)[0]!.args[0].input.capacityProviderStrategy).toStrictEqual([{ capacityProvider: 'portico-t4', weight: 1 }]);
    const deployment = await harness.store.getDeployment(deploymentId);
    expect(deployment).toMatchObject({ status: 'ready', placement: { gpus: 1, pool: 't4', cudaVersion: '12.1' } });
    expect((await harness.store.readLog(deploymentId)).text).toMatch(/image configuration: CUDA_VERSION=12\.1\.0 → 1 GPU in pool t4 \(/);
  });
});

describe('a FAILED build event', () => {
  it('fails the deployment with the phase and CodeBuild’s reason, starts nothing and leaves the serving deployment alone', async () => {
    const deploymentId = '0c4d5e6f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
    await seedBuilding(deploymentId);
    const servingBefore = (await harness.store.getProject(PROJECT))?.currentDeploymentId;

    cloudwatch.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'Step 4/6 : RUN pip install -r requirements.txt\n' }, { timestamp: 2, message: 'ERROR: Could not find a version that satisfies the requirement torch==9.9\n' }] });

    await buildEvents.handler(buildEvent('codebuild-build-failed.json', deploymentId) as never);

    // The end of CodeBuild's output, from the stream its event names, lands in the deployment log.
    expect(cloudwatch.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input)).toStrictEqual([
      { logGroupName: '/aws/codebuild/portico-builds', logStreamName: '8745a7a9-c340-456a-9166-edf953571bEX', limit: 50, startFromHead: false },
    ]);
    expect((await harness.store.readLog(deploymentId)).text).toContain(
      '--- the last 2 lines of the build output ---\nStep 4/6 : RUN pip install -r requirements.txt\nERROR: Could not find a version that satisfies the requirement torch==9.9\n---\n',
    );
    const deployment = await harness.store.getDeployment(deploymentId);
    expect(deployment?.status).toBe('failed');
    expect(deployment?.error).toBe(
      'the CodeBuild build failed in phase BUILD: COMMAND_EXECUTION_ERROR: Error while executing command: docker build -f "$DOCKERFILE" -t "$IMAGE_REPOSITORY_URI:$COMMIT_SHA" "$BUILD_CONTEXT". Reason: exit status 1; see its log in CloudWatch for details',
    );
    expect((await harness.store.readLog(deploymentId)).text).toContain('==> failed: the CodeBuild build failed in phase BUILD');
    expect(ecs.calls()).toHaveLength(0);
    expect(probes).toBe(0);
    expect((await harness.store.getProject(PROJECT))?.currentDeploymentId).toBe(servingBefore);
  });

  it('ignores a build Portico did not start (no PORTICO_DEPLOYMENT_ID among its variables)', async () => {
    const event = readFixture<BuildEvent>('codebuild-build-succeeded.json');
    const variables = event.detail['additional-information'].environment;
    variables['environment-variables'] = variables['environment-variables'].filter((variable) => variable.name !== BUILD_VARIABLES.deploymentId);

    await buildEvents.handler(event as never);

    expect(ecs.calls()).toHaveLength(0);
  });
});
