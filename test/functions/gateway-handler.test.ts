import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { serviceName } from '../../gateway/adapters/aws/ecs-task-definition.ts';
import type { Deployment } from '../../gateway/domain/types.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { LAMBDA_ENV, LAMBDA_TOKEN, type FakeService, type LambdaHarness, answerEcsReads, payloadV2Event, startLambdaHarness } from '../support/lambda-harness.ts';
import { installAwsLambdaGlobal, invokeStreaming, lambdaContext } from '../support/lambda-runtime.ts';

/*
 * The gateway Lambda (functions/gateway.ts, imported as Lambda imports it: after the runtime
 * installed `awslambda` and with the stack's environment) answering real payload-2.0 events:
 * the HTTP API of the wildcard domain through `bufferedHandler`, the streaming Function URL
 * through `handler`. State is in DynamoDB (dynalite); ECS, ECR and CodeBuild are mocked.
 */

const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const codebuild = mockClient(CodeBuildClient);
const cloudwatch = mockClient(CloudWatchLogsClient);

const DOMAIN = 'endpoint.example.com';
const FUNCTION_URL_HOST = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws';
/** The HTTP API's own execute-api host: not under the endpoint domain, so the gateway's API answers there. */
const HTTP_API_HOST = 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const CLUSTER = LAMBDA_ENV.PORTICO_CLUSTER_ARN;
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface DemoRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let harness: LambdaHarness;
let gateway: typeof import('../../functions/gateway.ts');
let demo: Server;
let demoPort: number;
/** Requests the demo served, probes (user-agent portico-probe) left out. */
const demoRequests: DemoRequest[] = [];
const services = new Map<string, FakeService>();

/** A ready deployment of `projectId` whose container is its ECS service; the project points at it. */
async function seedServingProject(projectId: string, deploymentId: string): Promise<string> {
  const service = serviceName(projectId, deploymentId);
  const deployment: Deployment = makeDeployment({
    id: deploymentId,
    projectId,
    status: 'ready',
    commit: '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a',
    image: `${LAMBDA_ENV.PORTICO_ECR_REGISTRY}/portico/${projectId}:3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a`,
    container: { id: service, upstream: `http://10.0.1.23:${demoPort}` },
    phases: [{ name: 'starting', startedAt: '2026-11-25T09:31:00.000Z', endedAt: '2026-11-25T09:32:00.000Z' }],
  });
  await harness.store.createProject(makeProject({ id: projectId, source: { kind: 'github', owner: 'acme', repo: projectId.split('-')[1]! } }));
  await harness.store.createDeployment(deployment);
  await harness.store.updateProject(projectId, { currentDeploymentId: deploymentId });
  return service;
}

beforeAll(async () => {
  demo = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.headers['user-agent'] !== 'portico-probe') demoRequests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-demo': 'gpt2' });
      res.end(`demo answered ${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => demo.listen(0, '127.0.0.1', resolve));
  demoPort = (demo.address() as AddressInfo).port;

  harness = await startLambdaHarness({ PORTICO_ENDPOINT_DOMAIN: DOMAIN });
  installAwsLambdaGlobal();
  gateway = await import('../../functions/gateway.ts');
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
  demoRequests.length = 0;
  answerEcsReads(ecs, CLUSTER, services);
  ecs.on(UpdateServiceCommand).resolves({});
});

const apiEvent = (spec: Parameters<typeof payloadV2Event>[1]) => payloadV2Event('http-api-v2-event.json', spec);
/** The HTTP API's invocation: the buffered handler with the event and a Lambda context. */
const buffered = (spec: Parameters<typeof payloadV2Event>[1]) =>
  gateway.bufferedHandler(apiEvent(spec) as unknown as Parameters<typeof gateway.bufferedHandler>[0], lambdaContext() as unknown as Parameters<typeof gateway.bufferedHandler>[1]);
const urlEvent = (spec: Parameters<typeof payloadV2Event>[1]) => payloadV2Event('function-url-event.json', spec);

describe('an API call', () => {
  beforeAll(async () => {
    await harness.store.createProject(makeProject({ id: 'main-listed-acme', source: { kind: 'github', owner: 'acme', repo: 'listed' } }));
  });

  it('lists the stored projects through the HTTP API (buffered handler) with their wildcard-domain endpoints', async () => {
    const result = await buffered({ method: 'GET', path: '/api/projects', host: HTTP_API_HOST });

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/^application\/json/);
    const { projects } = JSON.parse(result.body) as { projects: { id: string; endpoint: string; repo: string }[] };
    expect(projects.find((project) => project.id === 'main-listed-acme')).toMatchObject({ endpoint: `https://main-listed-acme.${DOMAIN}`, repo: 'acme/listed' });
    expect(ecs.calls()).toHaveLength(0);
  });

  it('does not serve the API on a wildcard-domain host: there it is the label of a demo that does not exist', async () => {
    const result = await buffered({ method: 'GET', path: '/api/projects', host: `api.${DOMAIN}` });

    expect(result.statusCode).toBe(404);
    expect(result.body).toContain('No project has the endpoint label &#34;api&#34;');
  });

  it('lists the stored projects through the streaming Function URL handler, status and headers in the prelude', async () => {
    const response = await invokeStreaming(gateway.handler, urlEvent({ method: 'GET', path: '/api/projects', host: FUNCTION_URL_HOST }));

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const { projects } = JSON.parse(response.body) as { projects: { id: string }[] };
    expect(projects.map((project) => project.id)).toContain('main-listed-acme');
  });

  it('answers an unknown API route with the JSON 404 through both handlers', async () => {
    const viaHttpApi = await buffered({ method: 'GET', path: '/api/nothing', host: HTTP_API_HOST });
    const streamed = await invokeStreaming(gateway.handler, urlEvent({ method: 'GET', path: '/api/nothing', host: FUNCTION_URL_HOST }));

    for (const [status, body] of [[viaHttpApi.statusCode, viaHttpApi.body], [streamed.statusCode, streamed.body]] as const) {
      expect(status).toBe(404);
      expect(JSON.parse(body)).toStrictEqual({ error: { code: 'not_found', message: 'no API route GET /api/nothing' } });
    }
  });
});

describe('a mutating API call', () => {
  it('needs the API token whose hash the stack deployed: 401 without it or with a wrong one, through to the route with it', async () => {
    const call = (headers: Record<string, string>) =>
      invokeStreaming(gateway.handler, urlEvent({ method: 'DELETE', path: '/api/projects/main-nothing-acme', host: FUNCTION_URL_HOST, headers }));

    const missing = await call({});
    const wrong = await call({ authorization: 'Bearer not-the-token' });
    const right = await call({ authorization: `Bearer ${LAMBDA_TOKEN}` });

    expect([missing.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(JSON.parse(missing.body).error.code).toBe('unauthorized');
    expect(right.statusCode).toBe(404); // past the token check: the project does not exist
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('an endpoint request to a warm project', () => {
  let service: string;
  beforeAll(async () => {
    service = await seedServingProject('main-hello-acme', 'a1b2c3d4-0000-4000-8000-000000000001');
    services.set(service, { runningCount: 1, port: demoPort, ip: '127.0.0.1' });
  });

  it('is proxied to the task at its private IP and port tag, and the demo’s answer comes back through the HTTP API', async () => {
    const event = apiEvent({ method: 'POST', path: '/predict?x=1', host: `main-hello-acme.${DOMAIN}`, headers: { 'content-type': 'application/json' }, body: '{"prompt":"once"}' });

    const result = await gateway.bufferedHandler(event as unknown as Parameters<typeof gateway.bufferedHandler>[0], lambdaContext() as unknown as Parameters<typeof gateway.bufferedHandler>[1]);

    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('demo answered POST /predict?x=1');
    expect(result.headers?.['x-demo']).toBe('gpt2');
    expect(demoRequests).toHaveLength(1);
    expect(demoRequests[0]).toMatchObject({ method: 'POST', url: '/predict?x=1', body: '{"prompt":"once"}' });
    expect(demoRequests[0]!.headers).toMatchObject({ 'x-forwarded-for': '192.0.2.1', 'x-forwarded-host': `main-hello-acme.${DOMAIN}` });
    // Where the task is comes from ECS, exactly these reads; nothing is woken.
    expect(ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: CLUSTER, services: [service], include: ['TAGS'] }]);
    expect(ecs.commandCalls(ListTasksCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: CLUSTER, serviceName: service, desiredStatus: 'RUNNING' }]);
    expect(ecs.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: CLUSTER, tasks: [`arn:aws:ecs:eu-west-1:123456789012:task/portico/${service}-task`] }]);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('is proxied under /p/{label}/ on the Function URL, streamed back with the demo’s status and headers', async () => {
    const response = await invokeStreaming(gateway.handler, urlEvent({ method: 'GET', path: '/p/main-hello-acme/status', host: FUNCTION_URL_HOST }));

    expect(response.statusCode).toBe(200);
    expect(response.headers['x-demo']).toBe('gpt2');
    expect(response.body).toBe('demo answered GET /status');
    expect(demoRequests.map((request) => request.url)).toStrictEqual(['/status']);
    expect(demoRequests[0]!.headers).toMatchObject({ 'x-forwarded-prefix': '/p/main-hello-acme', 'x-forwarded-for': '123.123.123.123' });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

describe('the dashboard’s runtime log of a serving project', () => {
  it('is the end of its task’s CloudWatch Logs stream', async () => {
    const service = await seedServingProject('main-chatty-acme', 'e5f6a7b8-0000-4000-8000-000000000009');
    services.set(service, { runningCount: 1, port: demoPort, ip: '127.0.0.1' });
    cloudwatch.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'model loaded' }, { timestamp: 2, message: 'listening on :7860' }] });

    const response = await invokeStreaming(gateway.handler, urlEvent({ method: 'GET', path: '/ui/projects/main-chatty-acme/runtime-log', host: FUNCTION_URL_HOST }));

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('model loaded\nlistening on :7860\n');
    expect(cloudwatch.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input)).toStrictEqual([
      { logGroupName: LAMBDA_ENV.PORTICO_TASK_LOG_GROUP, logStreamName: `main-chatty-acme/app/${service}-task`, limit: 100, startFromHead: false },
    ]);
  });
});

describe('the dashboard’s runtime log of a woken project', () => {
  afterEach(() => vi.useRealTimers());

  it('begins with what the last wake waited on, recorded when the woken task first answered', async () => {
    const service = await seedServingProject('main-woken-acme', 'f6a7b8c9-0000-4000-8000-000000000010');
    services.set(service, { runningCount: 0, port: demoPort, ip: '127.0.0.1' });
    const host = `main-woken-acme.${DOMAIN}`;
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-30T13:00:00.000Z') });
    expect((await buffered({ method: 'GET', path: '/', host, headers: { accept: BROWSER } })).statusCode).toBe(503);

    // ECS ran the task; the browser's reload 75 s after the wake was asked for finds it answering.
    services.set(service, {
      runningCount: 1,
      port: demoPort,
      ip: '127.0.0.1',
      task: { createdAt: new Date('2026-11-30T13:00:00.400Z'), pullStartedAt: new Date('2026-11-30T13:00:31.400Z'), pullStoppedAt: new Date('2026-11-30T13:01:09.900Z'), startedAt: new Date('2026-11-30T13:01:12.000Z') },
    });
    vi.setSystemTime(new Date('2026-11-30T13:01:14.640Z'));
    expect((await buffered({ method: 'GET', path: '/', host, headers: { accept: BROWSER } })).statusCode).toBe(200);
    cloudwatch.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'model loaded' }] });

    const response = await invokeStreaming(gateway.handler, urlEvent({ method: 'GET', path: '/ui/projects/main-woken-acme/runtime-log', host: FUNCTION_URL_HOST }));

    expect(response.body).toBe('[portico] woke at 2026-11-30 13:01:14 UTC in 74.2 s: placement 31.0 s, image pull 38.5 s, container start 2.1 s, first answer 2.6 s\nmodel loaded\n');
  });
});

describe('an endpoint request to a sleeping project', () => {
  it('starts the wake once, shows browsers the waking page and API clients 503 + Retry-After, then routes once the task runs (HTTP API)', async () => {
    const service = await seedServingProject('main-sleepy-acme', 'b2c3d4e5-0000-4000-8000-000000000002');
    services.set(service, { runningCount: 0, port: demoPort, ip: '127.0.0.1' });
    const host = `main-sleepy-acme.${DOMAIN}`;

    const browser = await buffered({ method: 'GET', path: '/', host, headers: { accept: BROWSER } });
    const client = await buffered({ method: 'GET', path: '/generate', host, headers: { accept: 'application/json' } });

    expect(browser.statusCode).toBe(503);
    expect(browser.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(browser.headers?.['retry-after']).toBe('5');
    expect(browser.body).toContain('Waking up main-sleepy-acme');
    expect(browser.body).toContain('<meta http-equiv="refresh" content="5">');
    expect(client.statusCode).toBe(503);
    expect(client.headers?.['retry-after']).toBe('5');
    expect(JSON.parse(client.body)).toStrictEqual({ error: { code: 'waking', message: 'main-sleepy-acme is waking up; retry in 5 s' } });
    expect(ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: CLUSTER, service, desiredCount: 1 }]);
    expect(demoRequests).toHaveLength(0);
    // The wake counts as activity, so the reaper leaves it alone until someone is served.
    expect(await harness.activity.lastActive('main-sleepy-acme')).not.toBeNull();

    services.get(service)!.runningCount = 1; // ECS placed the task
    const routed = await buffered({ method: 'GET', path: '/generate', host, headers: { accept: 'application/json' } });

    expect(routed.statusCode).toBe(200);
    expect(routed.body).toBe('demo answered GET /generate');
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('starts the wake once, shows browsers the waking page and API clients 503 + Retry-After, then routes once the task runs (Function URL)', async () => {
    const service = await seedServingProject('main-dozy-acme', 'c3d4e5f6-0000-4000-8000-000000000003');
    services.set(service, { runningCount: 0, port: demoPort, ip: '127.0.0.1' });

    const browser = await invokeStreaming(gateway.handler, urlEvent({ method: 'GET', path: '/p/main-dozy-acme/', host: FUNCTION_URL_HOST, headers: { accept: BROWSER } }));
    const client = await invokeStreaming(gateway.handler, urlEvent({ method: 'GET', path: '/p/main-dozy-acme/generate', host: FUNCTION_URL_HOST, headers: { accept: 'application/json' } }));

    expect(browser.statusCode).toBe(503);
    expect(browser.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'retry-after': '5', 'cache-control': 'no-store' });
    expect(browser.body).toContain('Waking up main-dozy-acme');
    expect(client.statusCode).toBe(503);
    expect(client.headers).toMatchObject({ 'content-type': 'application/json', 'retry-after': '5' });
    expect(JSON.parse(client.body)).toMatchObject({ error: { code: 'waking' } });
    expect(ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: CLUSTER, service, desiredCount: 1 }]);

    services.get(service)!.runningCount = 1;
    const routed = await invokeStreaming(gateway.handler, urlEvent({ method: 'GET', path: '/p/main-dozy-acme/generate', host: FUNCTION_URL_HOST, headers: { accept: 'application/json' } }));

    expect(routed.statusCode).toBe(200);
    expect(routed.body).toBe('demo answered GET /generate');
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });
});
