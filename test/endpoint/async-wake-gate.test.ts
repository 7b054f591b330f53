import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, ServiceNotFoundException, UpdateServiceCommand, type Task } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbActivityLog } from '../../gateway/adapters/aws/dynamodb-activity-log.ts';
import { createTable } from '../../gateway/adapters/aws/dynamodb-store.ts';
import { createEcsRuntime } from '../../gateway/adapters/aws/ecs-runtime.ts';
import { createAsyncWakeGate } from '../../gateway/endpoint/async-wake-gate.ts';
import type { ContainerTarget } from '../../gateway/endpoint/resolve-endpoint.ts';
import type { ActivityLog } from '../../gateway/ports/activity-log.ts';
import type { Clock } from '../../gateway/ports/clock.ts';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { freePort } from '../support/net.ts';

const ecsMock = mockClient(ECSClient);
const SERVICE = 'portico-main-gpt2-acme-3f2a9c1e';
const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/portico/0a1b2c';
const SETTINGS = { probeTimeoutMs: 1_000, retryAfterSeconds: 5, routeCacheMs: 10_000, activityWriteIntervalMs: 60_000, wakeRequestIntervalMs: 30_000 };
const target: ContainerTarget = { kind: 'container', projectId: 'main-gpt2-acme', deploymentId: 'd1', container: { id: SERVICE, upstream: 'http://10.0.0.9:8000' } };

let dynamo: RunningDynalite;
let dynamoClient: DynamoDBClient;
let tables = 0;
/** The demo's task: a real HTTP server on loopback. */
let app: Server;
let appPort: number;

beforeAll(async () => {
  dynamo = await startDynalite();
  dynamoClient = dynamo.client();
  app = createServer((_, res) => res.end('hello from the demo'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appPort = (app.address() as AddressInfo).port;
});

afterAll(async () => {
  dynamoClient?.destroy();
  await dynamo?.close();
  app?.closeAllConnections();
  await new Promise((resolve) => app?.close(resolve));
});

beforeEach(() => ecsMock.reset());

/** A clock that only moves when told, or by what a probe loop sleeps, so probe timeouts take no real time. */
function testClock(): Clock & { advance(ms: number): void } {
  let now = Date.parse('2026-11-25T12:00:00Z');
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    advance: (ms) => void (now += ms),
  };
}

/** ECS's view of the service: `runningCount` tasks, the app's port in its tag, and the running task (if any) at 127.0.0.1. */
function ecsService(options: { running: boolean; port?: number; status?: string; task?: Partial<Task> } | 'missing') {
  if (options === 'missing') {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: SERVICE, reason: 'MISSING' }] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    return;
  }
  const port = String(options.port ?? appPort);
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [{ serviceName: SERVICE, status: options.status ?? 'ACTIVE', runningCount: options.running ? 1 : 0, desiredCount: options.running ? 1 : 0, tags: [{ key: 'portico.port', value: port }] }],
  });
  const task: Task = {
    taskArn: TASK_ARN,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '127.0.0.1' }] }],
    ...options.task,
  };
  ecsMock.on(ListTasksCommand).resolves({ taskArns: options.running ? [TASK_ARN] : [] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: options.running ? [task] : [] });
  ecsMock.on(UpdateServiceCommand).resolves({});
}

/** The gate over the real ECS runtime (SDK mocked) and the real DynamoDB activity log, recording each touch. */
async function setUp(shared?: { readonly tableName: string }) {
  const tableName = shared?.tableName ?? `portico-gate-${tables++}`;
  if (!shared) await createTable(dynamoClient, tableName);
  const log = createDynamoDbActivityLog({ client: dynamoClient, tableName });
  const touches: string[] = [];
  const activity: ActivityLog = {
    touch: async (projectId, at) => (touches.push(`${projectId} ${at.toISOString()}`), log.touch(projectId, at)),
    lastActive: (projectId) => log.lastActive(projectId),
  };
  const clock = testClock();
  const runtime = createEcsRuntime({
    client: new ECSClient({ region: 'eu-west-1' }),
    cluster: 'portico',
    subnets: ['subnet-a'],
    securityGroups: ['sg-demos'],
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    taskRoleArn: 'arn:aws:iam::123456789012:role/task',
    logGroup: '/portico/demos',
    logTail: async () => null, // logs are not read here
    region: 'eu-west-1',
    capacityProviderFor: () => [{ capacityProvider: 'FARGATE', weight: 1 }],
    clock,
  });
  const gate = createAsyncWakeGate({ runtime, activity, clock, wakes: log }, SETTINGS);
  return { gate, clock, touches, log, tableName };
}

const wakes = () => ecsMock.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input);

describe('async wake gate', () => {
  it('admits a warm demo at its task’s address and records the activity', async () => {
    const { gate, touches, log } = await setUp();
    ecsService({ running: true });

    const admission = await gate.admit(target);

    expect(admission).toMatchObject({ kind: 'go', upstream: `http://127.0.0.1:${appPort}` });
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toStrictEqual({ cluster: 'portico', services: [SERVICE], include: ['TAGS'] });
    expect(ecsMock.commandCalls(ListTasksCommand)[0]!.args[0].input).toStrictEqual({ cluster: 'portico', serviceName: SERVICE, desiredStatus: 'RUNNING' });
    expect(ecsMock.commandCalls(DescribeTasksCommand)[0]!.args[0].input).toStrictEqual({ cluster: 'portico', tasks: [TASK_ARN] });
    expect(wakes()).toStrictEqual([]);
    expect(touches).toStrictEqual(['main-gpt2-acme 2026-11-25T12:00:00.000Z']);
    expect(await log.lastActive('main-gpt2-acme')).toStrictEqual(new Date('2026-11-25T12:00:00.000Z'));
  });

  it('reuses an address that answered within routeCacheMs, and asks ECS again after', async () => {
    const { gate, clock } = await setUp();
    ecsService({ running: true });
    await gate.admit(target);
    const asked = ecsMock.commandCalls(DescribeServicesCommand).length;

    clock.advance(SETTINGS.routeCacheMs - 1);
    expect(await gate.admit(target)).toMatchObject({ kind: 'go', upstream: `http://127.0.0.1:${appPort}` });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(asked);

    clock.advance(1);
    expect(await gate.admit(target)).toMatchObject({ kind: 'go' });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(asked + 1);
  });

  it('writes a warm demo’s activity at most once per activityWriteIntervalMs', async () => {
    const { gate, clock, touches } = await setUp();
    ecsService({ running: true });

    for (let i = 0; i < 5; i++) {
      await gate.admit(target);
      clock.advance(11_000); // past the route cache each time, so ECS is asked every time
    }
    expect(touches).toStrictEqual(['main-gpt2-acme 2026-11-25T12:00:00.000Z']);

    clock.advance(SETTINGS.activityWriteIntervalMs - 5 * 11_000);
    await gate.admit(target);
    expect(touches).toStrictEqual(['main-gpt2-acme 2026-11-25T12:00:00.000Z', 'main-gpt2-acme 2026-11-25T12:01:00.000Z']);
  });

  it('answers still-waking for a task that runs but does not listen yet, without asking for a wake', async () => {
    const { gate, touches } = await setUp();
    ecsService({ running: true, port: await freePort() });

    expect(await gate.admit(target)).toStrictEqual({ kind: 'still-waking', retryAfterSeconds: 5 });
    expect(wakes()).toStrictEqual([]);
    expect(touches).toStrictEqual([]);
  });

  it('asks ECS once to wake a stopped demo, answers still-waking, and routes once the task answers', async () => {
    const { gate, clock, touches } = await setUp();
    ecsService({ running: false });

    expect(await gate.admit(target)).toStrictEqual({ kind: 'still-waking', retryAfterSeconds: 5 });
    expect(wakes()).toStrictEqual([{ cluster: 'portico', service: SERVICE, desiredCount: 1 }]);
    // Waking counts as activity, so the reaper does not stop the demo before anyone is served.
    expect(touches).toStrictEqual(['main-gpt2-acme 2026-11-25T12:00:00.000Z']);

    clock.advance(SETTINGS.wakeRequestIntervalMs - 1);
    expect(await gate.admit(target)).toStrictEqual({ kind: 'still-waking', retryAfterSeconds: 5 });
    expect(wakes()).toHaveLength(1);

    ecsService({ running: true });
    expect(await gate.admit(target)).toMatchObject({ kind: 'go', upstream: `http://127.0.0.1:${appPort}` });
    expect(wakes()).toHaveLength(1);
  });

  /** ECS's timestamps of the woken task: asked for 2 minutes before the gate's clock starts, running 4 s before it. */
  const WOKEN_TASK = {
    createdAt: new Date('2026-11-25T11:58:00Z'),
    pullStartedAt: new Date('2026-11-25T11:59:10Z'),
    pullStoppedAt: new Date('2026-11-25T11:59:52Z'),
    startedAt: new Date('2026-11-25T11:59:56Z'),
  };

  it('records what the wake it asked for waited on, for the runtime log, when the task first answers', async () => {
    const { gate, clock, log } = await setUp();
    ecsService({ running: false });
    await gate.admit(target);
    clock.advance(6_000);

    ecsService({ running: true, task: WOKEN_TASK });
    expect(await gate.admit(target)).toMatchObject({ kind: 'go' });

    expect(await log.lastWake(target.projectId)).toStrictEqual({
      containerId: SERVICE,
      runId: TASK_ARN,
      at: new Date('2026-11-25T12:00:06Z'),
      timings: { placementMs: 70_000, instanceLaunchMs: null, pullMs: 42_000, startMs: 4_000, firstAnswerMs: 10_000, totalMs: 126_000 },
    });
  });

  it('keeps the first record when two gateway instances woke the same task', async () => {
    const first = await setUp();
    const second = await setUp({ tableName: first.tableName });
    ecsService({ running: false });
    await first.gate.admit(target);
    await second.gate.admit(target);
    first.clock.advance(6_000);
    second.clock.advance(9_000);

    ecsService({ running: true, task: WOKEN_TASK });
    await first.gate.admit(target);
    await second.gate.admit(target);

    expect((await first.log.lastWake(target.projectId))?.at).toStrictEqual(new Date('2026-11-25T12:00:06Z'));
  });

  it('records no wake for a demo it found running (a deployment’s task, or one another instance woke)', async () => {
    const { gate, log } = await setUp();
    ecsService({ running: true, task: WOKEN_TASK });

    expect(await gate.admit(target)).toMatchObject({ kind: 'go' });

    expect(await log.lastWake(target.projectId)).toBeNull();
  });

  it('asks again for a wake that has not come within wakeRequestIntervalMs', async () => {
    const { gate, clock } = await setUp();
    ecsService({ running: false });

    await gate.admit(target);
    clock.advance(SETTINGS.wakeRequestIntervalMs);
    await gate.admit(target);

    expect(wakes()).toStrictEqual([
      { cluster: 'portico', service: SERVICE, desiredCount: 1 },
      { cluster: 'portico', service: SERVICE, desiredCount: 1 },
    ]);
  });

  it.each([
    ['ECS has no such service', 'missing' as const],
    ['the service was deleted', { running: false, status: 'INACTIVE' }],
  ])('fails with a message saying to redeploy when %s', async (_, service) => {
    const { gate, touches } = await setUp();
    ecsService(service);

    expect(await gate.admit(target)).toStrictEqual({ kind: 'failed', reason: 'this demo’s container no longer exists; deploy the project again' });
    expect(wakes()).toStrictEqual([]);
    expect(touches).toStrictEqual([]);
  });

  it('answers failed, and asks again on the next request, when ECS refuses the wake', async () => {
    const { gate, touches } = await setUp();
    ecsService({ running: false });
    ecsMock.on(UpdateServiceCommand).rejectsOnce(new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} })).resolves({});

    expect(await gate.admit(target)).toStrictEqual({ kind: 'failed', reason: `service ${SERVICE} no longer exists, so it cannot be woken; deploy the project again` });
    expect(touches).toStrictEqual([]);

    expect(await gate.admit(target)).toStrictEqual({ kind: 'still-waking', retryAfterSeconds: 5 });
    expect(wakes()).toHaveLength(2);
  });
});
