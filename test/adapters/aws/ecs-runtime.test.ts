import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchLogTail } from '../../../gateway/adapters/aws/cloudwatch-log-tail.ts';
import { createEcsRuntime } from '../../../gateway/adapters/aws/ecs-runtime.ts';
import type { StartRequest } from '../../../gateway/ports/container-runtime.ts';
import type { Clock } from '../../../gateway/ports/clock.ts';
import { failure } from '../../support/failure.ts';

const ecsMock = mockClient(ECSClient);
const logsMock = mockClient(CloudWatchLogsClient);
const TASK_DEF = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/portico-main-gpt2-acme:7';
const SERVICE = 'portico-main-gpt2-acme-3f2a9c1e';

/** A clock whose sleeps pass at once, so placement and probe timeouts take no real time. */
function instantClock(): Clock {
  let now = Date.parse('2026-11-25T12:00:00Z');
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      now += ms;
    },
  };
}

function runtime(overrides: { placementTimeoutMs?: number; log?: (line: string) => void } = {}) {
  return createEcsRuntime({
    client: new ECSClient({ region: 'eu-west-1' }),
    cluster: 'portico',
    subnets: ['subnet-a', 'subnet-b'],
    securityGroups: ['sg-demos'],
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    taskRoleArn: 'arn:aws:iam::123456789012:role/task',
    logGroup: '/portico/demos',
    region: 'eu-west-1',
    logTail: cloudWatchLogTail({ region: 'eu-west-1' }),
    capacityProviderFor: (pool) =>
      pool === null
        ? [
            { capacityProvider: 'FARGATE', weight: 1 },
            { capacityProvider: 'FARGATE_SPOT', weight: 3 },
          ]
        : [{ capacityProvider: `portico-gpu-${pool}`, weight: 1 }],
    clock: instantClock(),
    pollIntervalMs: 1_000,
    ...overrides,
  });
}

function request(overrides: Partial<StartRequest> = {}): StartRequest {
  return {
    projectId: 'main-gpt2-acme',
    deploymentId: '3f2a9c1e-0000-4000-8000-000000000000',
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/portico/main-gpt2-acme:3f2a9c1',
    port: 7860,
    env: {},
    memoryBytes: 2 * 2 ** 30,
    nanoCpus: 1e9,
    gpus: 0,
    ...overrides,
  };
}

function task(ip: string, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/portico/${ip}`,
    taskDefinitionArn: TASK_DEF,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'subnetId', value: 'subnet-a' }, { name: 'privateIPv4Address', value: ip }] }],
    ...overrides,
  };
}

/** ListTasks answers `running` for desiredStatus RUNNING and `stopped` for STOPPED; DescribeTasks describes them. */
function tasks(running: Task[], stopped: Task[] = []) {
  ecsMock.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: running.map((t) => t.taskArn!) });
  ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: stopped.map((t) => t.taskArn!) });
  ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: [...running, ...stopped].filter((t) => input.tasks.includes(t.taskArn!)) }));
}

function service(status: string, runningCount: number) {
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [{ serviceName: SERVICE, status, runningCount, desiredCount: runningCount, tags: [{ key: 'portico.port', value: '7860' }] }],
  });
}

const notFound = () => new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} });

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEF } });
});

describe('start', () => {
  it('registers a Fargate task definition and creates a service with the Fargate strategy when the service is new', async () => {
    ecsMock.on(UpdateServiceCommand).rejects(notFound());
    ecsMock.on(CreateServiceCommand).resolves({});
    tasks([task('10.0.1.23')]);

    const ref = await runtime().start(request());

    expect(ref).toEqual({ id: SERVICE, upstream: 'http://10.0.1.23:7860' });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input.requiresCompatibilities).toEqual(['FARGATE']);
    expect(ecsMock.commandCalls(CreateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'portico',
      serviceName: SERVICE,
      taskDefinition: TASK_DEF,
      desiredCount: 1,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-demos'], assignPublicIp: 'DISABLED' } },
      propagateTags: 'TASK_DEFINITION',
      tags: [
        { key: 'portico.project', value: 'main-gpt2-acme' },
        { key: 'portico.deployment', value: '3f2a9c1e-0000-4000-8000-000000000000' },
        { key: 'portico.port', value: '7860' },
      ],
    });
  });

  it('registers an EC2 GPU task definition and uses the pool’s capacity provider for a GPU demo', async () => {
    ecsMock.on(UpdateServiceCommand).rejects(notFound());
    ecsMock.on(CreateServiceCommand).resolves({});
    tasks([task('10.0.2.5')]);

    await runtime().start(request({ gpus: 1, pool: 't4' }));

    const definition = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(definition.requiresCompatibilities).toEqual(['EC2']);
    expect(definition.networkMode).toBe('awsvpc');
    expect(definition.containerDefinitions?.[0]?.resourceRequirements).toEqual([{ type: 'GPU', value: '1' }]);
    expect(ecsMock.commandCalls(CreateServiceCommand)[0]!.args[0].input.capacityProviderStrategy).toEqual([{ capacityProvider: 'portico-gpu-t4', weight: 1 }]);
  });

  it('points an existing service at the new task definition instead of creating one', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({});
    tasks([task('10.0.1.9')]);

    await runtime().start(request());

    expect(ecsMock.commandCalls(CreateServiceCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'portico',
      service: SERVICE,
      taskDefinition: TASK_DEF,
      desiredCount: 1,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-demos'], assignPublicIp: 'DISABLED' } },
      forceNewDeployment: true,
    });
  });

  it('creates the service again when the old one of that name is INACTIVE', async () => {
    ecsMock.on(UpdateServiceCommand).rejects(new ServiceNotActiveException({ message: 'Service was not ACTIVE.', $metadata: {} }));
    ecsMock.on(CreateServiceCommand).resolves({});
    tasks([task('10.0.1.9')]);

    await runtime().start(request());

    expect(ecsMock.commandCalls(CreateServiceCommand)).toHaveLength(1);
  });

  it('waits past a task of the previous revision and a still-provisioning one for a running task of its own', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({});
    const old = task('10.0.1.1', { taskDefinitionArn: TASK_DEF.replace(':7', ':6') });
    ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecsMock
      .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
      .resolvesOnce({ taskArns: [old.taskArn!, 'pending'] })
      .resolves({ taskArns: [old.taskArn!, 'new'] });
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [old, task('10.0.1.2', { taskArn: 'pending', lastStatus: 'PROVISIONING', attachments: [] })] })
      .resolves({ tasks: [old, task('10.0.1.2', { taskArn: 'new' })] });

    expect((await runtime().start(request())).upstream).toBe('http://10.0.1.2:7860');
  });

  it('fails with ECS’s reason when its task stops before running', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({});
    tasks([], [task('10.0.1.3', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', containers: [{ exitCode: 3 }] })]);

    const error = await failure(runtime().start(request()));

    expect(error.code).toBe('start_failed');
    expect(error.message).toContain('Essential container in task exited; the app exited with code 3');
  });

  it('gives up when ECS places no task within the placement timeout', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({});
    tasks([]);

    const error = await failure(runtime({ placementTimeoutMs: 60_000 }).start(request()));

    expect(error.code).toBe('start_failed');
    expect(error.message).toMatch(/no running task .* within 60s/);
  });

  it('refuses a GPU demo without a pool before calling ECS', async () => {
    const error = await failure(runtime().start(request({ gpus: 1 })));

    expect(error.code).toBe('start_failed');
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it('reports missing credentials as engine_unavailable', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const error = await failure(runtime().start(request()));

    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toContain('Could not load credentials');
  });
});

describe('sleep and wake', () => {
  it('scales the service to zero to stop, and pause does the same', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({});
    const ecs = runtime();

    await ecs.stop(SERVICE);
    await ecs.pause(SERVICE);

    expect(ecsMock.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'portico', service: SERVICE, desiredCount: 0 },
      { cluster: 'portico', service: SERVICE, desiredCount: 0 },
    ]);
  });

  it('treats stopping a service that is gone as success', async () => {
    ecsMock.on(UpdateServiceCommand).rejects(notFound());

    await expect(runtime().stop(SERVICE)).resolves.toBeUndefined();
  });

  it('wakes by scaling to one and returns the new task’s private IP', async () => {
    service('ACTIVE', 0);
    ecsMock.on(UpdateServiceCommand).resolves({});
    tasks([task('10.0.3.7')]);

    const ref = await runtime().resume(SERVICE);

    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({ cluster: 'portico', service: SERVICE, desiredCount: 1 });
    expect(ref).toEqual({ id: SERVICE, upstream: 'http://10.0.3.7:7860' });
  });

  it('does not mistake a task stopped by an earlier sleep for a failed wake', async () => {
    service('ACTIVE', 0);
    ecsMock.on(UpdateServiceCommand).resolves({});
    const slept = task('10.0.3.1', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', createdAt: new Date('2026-11-25T11:00:00Z') });
    ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [slept.taskArn!] });
    ecsMock.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolvesOnce({ taskArns: [] }).resolves({ taskArns: ['woken'] });
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: [slept, task('10.0.3.8', { taskArn: 'woken' })].filter((t) => input.tasks.includes(t.taskArn!)),
    }));

    expect((await runtime().resume(SERVICE)).upstream).toBe('http://10.0.3.8:7860');
  });

  it('refuses to wake a service that was deleted', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: SERVICE, reason: 'MISSING' }] });

    const error = await failure(runtime().resume(SERVICE));

    expect(error.code).toBe('start_failed');
    expect(error.message).toContain('deploy the project again');
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

describe('status and locate', () => {
  it('reports running, stopped and missing from the service', async () => {
    const ecs = runtime();
    service('ACTIVE', 1);
    expect(await ecs.status(SERVICE)).toBe('running');
    service('ACTIVE', 0);
    expect(await ecs.status(SERVICE)).toBe('stopped');
    service('INACTIVE', 0);
    expect(await ecs.status(SERVICE)).toBe('missing');
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: SERVICE, reason: 'MISSING' }] });
    expect(await ecs.status(SERVICE)).toBe('missing');
  });

  it('locates a running service at its task’s IP and the port from its tag', async () => {
    service('ACTIVE', 1);
    tasks([task('10.0.4.4')]);

    expect(await runtime().locate(SERVICE)).toEqual({ id: SERVICE, upstream: 'http://10.0.4.4:7860' });
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({ cluster: 'portico', services: [SERVICE], include: ['TAGS'] });
  });

  it('locates nothing for a scaled-down service', async () => {
    service('ACTIVE', 0);
    tasks([]);

    expect(await runtime().locate(SERVICE)).toBeNull();
  });
});

describe('removal', () => {
  it('scales down and force-deletes the service', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({});
    ecsMock.on(DeleteServiceCommand).resolves({});

    await runtime().remove(SERVICE);

    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({ cluster: 'portico', service: SERVICE, desiredCount: 0 });
    expect(ecsMock.commandCalls(DeleteServiceCommand)[0]!.args[0].input).toEqual({ cluster: 'portico', service: SERVICE, force: true });
  });

  it('treats removing a service that is already gone as success', async () => {
    ecsMock.on(UpdateServiceCommand).rejects(notFound());
    ecsMock.on(DeleteServiceCommand).rejects(notFound());

    await expect(runtime().remove(SERVICE)).resolves.toBeUndefined();
  });

  it('removes every service of the project across pages and none of a project with a longer id', async () => {
    const arn = (name: string) => `arn:aws:ecs:eu-west-1:123456789012:service/portico/${name}`;
    ecsMock
      .on(ListServicesCommand)
      .resolvesOnce({ serviceArns: [arn('portico-main-gpt2-acme-11111111'), arn('portico-main-gpt2-acme-x-22222222')], nextToken: 'page2' })
      .resolves({ serviceArns: [arn('portico-main-gpt2-acme-33333333')] });
    ecsMock.on(UpdateServiceCommand).resolves({});
    ecsMock.on(DeleteServiceCommand).resolves({});

    await runtime().removeProjectContainers('main-gpt2-acme');

    expect(ecsMock.commandCalls(ListServicesCommand)[1]!.args[0].input).toEqual({ cluster: 'portico', nextToken: 'page2' });
    expect(ecsMock.commandCalls(DeleteServiceCommand).map((call) => call.args[0].input.service)).toEqual(['portico-main-gpt2-acme-11111111', 'portico-main-gpt2-acme-33333333']);
  });
});

describe('ping', () => {
  it('passes when the cluster is active', async () => {
    ecsMock.on(DescribeClustersCommand, { clusters: ['portico'] }).resolves({ clusters: [{ clusterName: 'portico', status: 'ACTIVE' }] });

    await expect(runtime().ping()).resolves.toBeUndefined();
  });

  it('reports a missing cluster as engine_unavailable with what to do', async () => {
    ecsMock.on(DescribeClustersCommand).resolves({ clusters: [], failures: [{ arn: 'portico', reason: 'MISSING' }] });

    const error = await failure(runtime().ping());

    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toContain('cdk deploy');
  });

  it('reports an unreachable endpoint as engine_unavailable', async () => {
    ecsMock.on(DescribeClustersCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND ecs.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }));

    expect((await failure(runtime().ping())).code).toBe('engine_unavailable');
  });
});

describe('waitUntilReady', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('resolves once the task answers HTTP, whatever the status', async () => {
    server = createServer((_req, res) => res.writeHead(503).end('warming up'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const ref = { id: SERVICE, upstream: `http://127.0.0.1:${port}` };
    await expect(runtime().waitUntilReady(ref, { startupTimeoutMs: 10_000 })).resolves.toStrictEqual({ container: ref, port });
  });

  /** A server on 127.0.0.1 that answers 200, standing in for the task's app; the service's port tag points at it. */
  async function answeringTask(overrides: Partial<Task> = {}): Promise<number> {
    server = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: SERVICE, status: 'ACTIVE', runningCount: 1, desiredCount: 1, tags: [{ key: 'portico.port', value: String(port) }] }] });
    ecsMock.on(UpdateServiceCommand).resolves({});
    // The instant clock reads 2026-11-25T12:00:00Z: the task answers 4 s after it started.
    tasks([task('127.0.0.1', { createdAt: new Date('2026-11-25T11:58:00Z'), pullStartedAt: new Date('2026-11-25T11:59:10Z'), pullStoppedAt: new Date('2026-11-25T11:59:52Z'), startedAt: new Date('2026-11-25T11:59:56Z'), ...overrides })]);
    return port;
  }
  const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/portico/127.0.0.1';
  const FARGATE_TIMINGS = { placementMs: 70_000, instanceLaunchMs: null, pullMs: 42_000, startMs: 4_000, firstAnswerMs: 4_000, totalMs: 120_000 };

  it('reports once what the task it woke waited on, from ECS’s timestamps to its first answer', async () => {
    const port = await answeringTask({ capacityProviderName: 'FARGATE' });
    const lines: string[] = [];
    const ecs = runtime({ log: (line) => lines.push(line) });

    await ecs.requestWake(SERVICE);
    const located = (await ecs.locate(SERVICE))!;
    expect(lines).toHaveLength(0); // running is not answering: nothing to report yet
    const first = await ecs.waitUntilReady(located, { startupTimeoutMs: 10_000 });
    await ecs.locate(SERVICE);
    const second = await ecs.waitUntilReady(located, { startupTimeoutMs: 10_000 });

    expect(first).toStrictEqual({ container: located, port, started: { runId: TASK_ARN, timings: FARGATE_TIMINGS } });
    expect(second).toStrictEqual({ container: located, port });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toStrictEqual({
      msg: 'ecs task timings',
      service: SERVICE,
      task: TASK_ARN,
      capacityProvider: 'FARGATE',
      ...FARGATE_TIMINGS,
      summary: 'placement 70.0 s, image pull 42.0 s, container start 4.0 s, first answer 4.0 s (total 120.0 s)',
    });
    expect(ecsMock.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0); // Fargate: no instance to ask about
  });

  it('reports the first answer of the task it started for a deployment', async () => {
    const port = await answeringTask();
    ecsMock.on(UpdateServiceCommand).rejects(notFound());
    ecsMock.on(CreateServiceCommand).resolves({});
    const lines: string[] = [];
    const ecs = runtime({ log: (line) => lines.push(line) });

    const ref = await ecs.start(request({ port }));
    const ready = await ecs.waitUntilReady(ref, { startupTimeoutMs: 10_000 });

    expect(ready).toStrictEqual({ container: ref, port, started: { runId: TASK_ARN, timings: FARGATE_TIMINGS } });
    expect(lines).toHaveLength(1);
  });

  it('reports nothing for a running task it neither started nor woke (another gateway instance’s wake, a deployment’s task)', async () => {
    await answeringTask();
    const lines: string[] = [];
    const ecs = runtime({ log: (line) => lines.push(line) });

    const located = (await ecs.locate(SERVICE))!;
    const ready = await ecs.waitUntilReady(located, { startupTimeoutMs: 10_000 });

    expect(ready.started).toBeUndefined();
    expect(lines).toStrictEqual([]);
  });

  it('counts the wait for a GPU instance that joined the cluster after the task was asked for', async () => {
    const instance = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/portico/5f1c0d9e8b7a4c3d';
    await answeringTask({ capacityProviderName: 'portico-gpu-a10g', containerInstanceArn: instance });
    ecsMock.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn: instance, registeredAt: new Date('2026-11-25T11:59:00Z') }] });
    const lines: string[] = [];
    const ecs = runtime({ log: (line) => lines.push(line) });

    await ecs.requestWake(SERVICE);
    const ready = await ecs.waitUntilReady((await ecs.locate(SERVICE))!, { startupTimeoutMs: 10_000 });

    expect(ecsMock.commandCalls(DescribeContainerInstancesCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: 'portico', containerInstances: [instance] }]);
    expect(ready.started?.timings).toStrictEqual({ ...FARGATE_TIMINGS, instanceLaunchMs: 60_000 });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      capacityProvider: 'portico-gpu-a10g',
      containerInstance: instance,
      summary: 'placement 70.0 s (of which 60.0 s waiting for a new instance to join the cluster), image pull 42.0 s, container start 4.0 s, first answer 4.0 s (total 120.0 s)',
    });
  });

  it('names no instance launch when the task was placed on an instance already in the cluster', async () => {
    const instance = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/portico/5f1c0d9e8b7a4c3d';
    await answeringTask({ capacityProviderName: 'portico-gpu-a10g', containerInstanceArn: instance });
    ecsMock.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn: instance, registeredAt: new Date('2026-11-25T09:00:00Z') }] });
    const ecs = runtime({ log: () => undefined });

    await ecs.requestWake(SERVICE);
    const ready = await ecs.waitUntilReady((await ecs.locate(SERVICE))!, { startupTimeoutMs: 10_000 });

    expect(ready.started?.timings).toStrictEqual(FARGATE_TIMINGS);
  });

  it('still reports the timings when ECS cannot say when the instance joined, and logs why', async () => {
    const instance = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/portico/5f1c0d9e8b7a4c3d';
    await answeringTask({ capacityProviderName: 'portico-gpu-a10g', containerInstanceArn: instance });
    ecsMock.on(DescribeContainerInstancesCommand).rejects(Object.assign(new Error('User is not authorized to perform: ecs:DescribeContainerInstances'), { name: 'AccessDeniedException' }));
    const lines: string[] = [];
    const ecs = runtime({ log: (line) => lines.push(line) });

    await ecs.requestWake(SERVICE);
    const ready = await ecs.waitUntilReady((await ecs.locate(SERVICE))!, { startupTimeoutMs: 10_000 });

    expect(ready.started?.timings).toStrictEqual(FARGATE_TIMINGS);
    expect(lines.map((line) => JSON.parse(line).msg)).toStrictEqual(['could not read when the task’s container instance joined the cluster', 'ecs task timings']);
  });

  it('fails with start_failed naming the address and the log group when nothing answers', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;

    const error = await failure(runtime().waitUntilReady({ id: SERVICE, upstream: `http://127.0.0.1:${port}` }, { startupTimeoutMs: 5_000, probeIntervalMs: 1_000 }));

    expect(error.code).toBe('start_failed');
    expect(error.message).toContain(`http://127.0.0.1:${port}`);
    expect(error.message).toContain('/portico/demos');
  });
});

describe('logs', () => {
  beforeEach(() => logsMock.reset());

  const logReads = () => logsMock.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input);

  it('reads the last lines of the running task’s awslogs stream, oldest first', async () => {
    tasks([task('10.0.1.9')]);
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'loading model\n' }, { timestamp: 2, message: 'Uvicorn running on http://0.0.0.0:7860' }] });

    expect(await runtime().logs(SERVICE, { tail: 100 })).toBe('loading model\nUvicorn running on http://0.0.0.0:7860\n');
    expect(logReads()).toStrictEqual([{ logGroupName: '/portico/demos', logStreamName: 'main-gpt2-acme/app/10.0.1.9', limit: 100, startFromHead: false }]);
    expect(ecsMock.commandCalls(ListTasksCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: 'portico', serviceName: SERVICE, desiredStatus: 'RUNNING' }]);
  });

  it('falls back to the task stopped last, so a crashed demo’s last words can be read', async () => {
    const stopped = (ip: string, at: string) => task(ip, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: new Date(at) });
    tasks([], [stopped('10.0.1.5', '2026-11-25T11:00:00Z'), stopped('10.0.1.7', '2026-11-25T11:40:00Z'), stopped('10.0.1.6', '2026-11-25T11:20:00Z')]);
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'CUDA error: no kernel image is available' }] });

    expect(await runtime().logs(SERVICE, { tail: 20 })).toBe('CUDA error: no kernel image is available\n');
    expect(logReads()).toStrictEqual([{ logGroupName: '/portico/demos', logStreamName: 'main-gpt2-acme/app/10.0.1.7', limit: 20, startFromHead: false }]);
  });

  it('says so, naming where older output is, when there is no task or its stream does not exist yet', async () => {
    tasks([]);
    expect(await runtime().logs(SERVICE, { tail: 100 })).toBe(
      `${SERVICE} has no running or recently stopped task, so there is no recent output; older output is in CloudWatch Logs group /portico/demos (eu-west-1), streams starting main-gpt2-acme/.`,
    );
    expect(logReads()).toStrictEqual([]);

    tasks([task('10.0.1.9')]);
    logsMock.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }));
    expect(await runtime().logs(SERVICE, { tail: 100 })).toBe('task 10.0.1.9 of portico-main-gpt2-acme-3f2a9c1e has written no output yet (CloudWatch Logs group /portico/demos (eu-west-1), streams starting main-gpt2-acme/).');
  });
});
