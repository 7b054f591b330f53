import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceName } from '../../gateway/adapters/aws/ecs-task-definition.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { LAMBDA_ENV, type FakeService, type LambdaHarness, answerEcsReads, readFixture, startLambdaHarness } from '../support/lambda-harness.ts';
import { installAwsLambdaGlobal, invokeStreaming, lambdaContext } from '../support/lambda-runtime.ts';

/*
 * The gateway Lambda answering the event shapes its invokers really send: a Function URL event
 * that came through CloudFront (the `lambda` data plane on a custom domain: the Function URL's own
 * Host, the demo's host in X-Forwarded-Host, CloudFront's headers; fixture from a CloudFront
 * origin request), and an Application Load Balancer target event (AWS's documented example).
 * The plain Function URL event is covered in gateway-handler.test.ts.
 */

const ecs = mockClient(ECSClient);
const DOMAIN = 'endpoint.example.com';
const PROJECT = 'main-hello-acme';
const DEPLOYMENT = 'c0ffee00-0000-4000-8000-000000000001';

let harness: LambdaHarness;
let gateway: typeof import('../../functions/gateway.ts');
let demo: Server;
const demoRequests: { url: string; headers: IncomingHttpHeaders }[] = [];
const services = new Map<string, FakeService>();

type Event = Record<string, unknown> & { headers: Record<string, string>; rawPath?: string; path?: string };

beforeAll(async () => {
  demo = createServer((req, res) => {
    if (req.headers['user-agent'] !== 'portico-probe') demoRequests.push({ url: req.url!, headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`demo answered ${req.url}`);
  });
  await new Promise<void>((resolve) => demo.listen(0, '127.0.0.1', resolve));
  harness = await startLambdaHarness({ PORTICO_ENDPOINT_DOMAIN: DOMAIN });
  installAwsLambdaGlobal();
  gateway = await import('../../functions/gateway.ts');

  const service = serviceName(PROJECT, DEPLOYMENT);
  await harness.store.createProject(makeProject({ id: PROJECT, source: { kind: 'github', owner: 'acme', repo: 'hello' } }));
  const port = (demo.address() as AddressInfo).port;
  await harness.store.createDeployment(
    makeDeployment({ id: DEPLOYMENT, projectId: PROJECT, status: 'ready', container: { id: service, upstream: `http://127.0.0.1:${port}` }, image: `${LAMBDA_ENV.PORTICO_ECR_REGISTRY}/portico/${PROJECT}:abc` }),
  );
  await harness.store.updateProject(PROJECT, { currentDeploymentId: DEPLOYMENT });
  services.set(service, { runningCount: 1, port, ip: '127.0.0.1' });
});

afterAll(async () => {
  await harness?.close();
  await new Promise<void>((resolve) => (demo ? demo.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  ecs.reset();
  demoRequests.length = 0;
  answerEcsReads(ecs, LAMBDA_ENV.PORTICO_CLUSTER_ARN, services);
});

function cloudFrontEvent(path: string, demoHost: string): Event {
  const event = readFixture<Event & { requestContext: { http: { path: string } } }>('cloudfront-function-url-event.json');
  event.rawPath = path;
  event.requestContext.http.path = path;
  event.headers['x-forwarded-host'] = demoHost;
  return event;
}

const albInvoke = (event: Event) =>
  gateway.bufferedHandler(event as unknown as Parameters<typeof gateway.bufferedHandler>[0], lambdaContext() as unknown as Parameters<typeof gateway.bufferedHandler>[1]) as Promise<{
    statusCode: number;
    headers?: Record<string, string>;
    body: string;
  }>;

describe('a request through CloudFront to the Function URL', () => {
  it('reaches the demo named by X-Forwarded-Host, not the Function URL’s own host, with the viewer’s address', async () => {
    const response = await invokeStreaming(gateway.handler, cloudFrontEvent('/predict', `${PROJECT}.${DOMAIN}`));

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('demo answered /predict');
    expect(demoRequests).toHaveLength(1);
    expect(demoRequests[0]!.headers['x-forwarded-host']).toBe(`${PROJECT}.${DOMAIN}`);
    // The gateway adds the viewer (CloudFront-Viewer-Address), not CloudFront's own address, to what came in.
    expect(demoRequests[0]!.headers['x-forwarded-for']).toBe('203.0.113.7, 203.0.113.7');
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('answers a label no project has with the not-found page for that label', async () => {
    const response = await invokeStreaming(gateway.handler, cloudFrontEvent('/', `main-nothing-acme.${DOMAIN}`));

    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('main-nothing-acme');
  });

  it('is the gateway itself when X-Forwarded-Host is not under the endpoint domain', async () => {
    const response = await invokeStreaming(gateway.handler, cloudFrontEvent('/api/projects', 'portico.example.com'));

    expect(response.statusCode).toBe(200);
    expect((JSON.parse(response.body) as { projects: { id: string }[] }).projects.map((project) => project.id)).toContain(PROJECT);
    expect(demoRequests).toHaveLength(0);
  });

  it('does not take X-Forwarded-Host from a request CloudFront did not send (no X-Amz-Cf-Id): the Function URL host is the gateway', async () => {
    const event = cloudFrontEvent('/api/projects', `${PROJECT}.${DOMAIN}`);
    delete event.headers['x-amz-cf-id'];

    const response = await invokeStreaming(gateway.handler, event);

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(demoRequests).toHaveLength(0);
  });
});

describe('an Application Load Balancer target event', () => {
  it('gets the API on the load balancer’s own host through the buffered handler', async () => {
    const event = readFixture<Event>('alb-event.json');
    event.path = '/api/projects';

    const result = await albInvoke(event);

    expect(result.statusCode).toBe(200);
    expect((JSON.parse(result.body) as { projects: { id: string }[] }).projects.map((project) => project.id)).toContain(PROJECT);
  });

  it('is proxied to the demo on a demo host, with the address the load balancer saw', async () => {
    const event = readFixture<Event>('alb-event.json');
    event.headers['host'] = `${PROJECT}.${DOMAIN}`;
    event.headers['x-forwarded-for'] = '198.51.100.9, 72.12.164.125';

    const result = await albInvoke(event);

    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('demo answered /lambda?query=1234ABCD');
    // The gateway adds the address the load balancer appended, never the one the client claimed.
    expect(demoRequests[0]!.headers['x-forwarded-for']).toBe('198.51.100.9, 72.12.164.125, 72.12.164.125');
  });
});
