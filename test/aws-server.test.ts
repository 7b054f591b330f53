import { type IncomingMessage, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { serviceName } from '../gateway/adapters/aws/ecs-task-definition.ts';
import { loadAwsConfig } from '../gateway/aws-config.ts';
import { type AwsServer, startAwsServer } from '../gateway/aws-server.ts';
import { makeDeployment, makeProject } from './support/fixtures.ts';
import { LAMBDA_ENV, type FakeService, type LambdaHarness, answerEcsReads, startLambdaHarness } from './support/lambda-harness.ts';

/*
 * The `service` data plane's gateway (gateway/aws-server.ts): the Node listener with the AWS
 * adapters, as the ECS service runs it behind the load balancer. State in DynamoDB (dynalite),
 * ECS mocked; the demo is a real HTTP + WebSocket server. What the Lambda data plane cannot do
 * is what this one is for: WebSocket upgrades and long streamed answers.
 */

const ecs = mockClient(ECSClient);
const DOMAIN = 'endpoint.example.com';
const PROJECT = 'main-chat-acme';
const DEPLOYMENT = 'beefcafe-0000-4000-8000-000000000001';

let harness: LambdaHarness;
let gateway: AwsServer;
let demo: Server;
const services = new Map<string, FakeService>();

beforeAll(async () => {
  demo = createServer((req, res) => {
    if (req.url === '/slow') {
      // An answer that streams for longer than any buffered proxy would wait for it whole.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`data: ${sent}\n\n`);
        if (++sent === 3) {
          clearInterval(timer);
          res.end();
        }
      }, 200);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`demo answered ${req.url}`);
  });
  new WebSocketServer({ server: demo }).on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)));
  await new Promise<void>((resolve) => demo.listen(0, '127.0.0.1', resolve));
  const port = (demo.address() as AddressInfo).port;

  harness = await startLambdaHarness({ PORTICO_ENDPOINT_DOMAIN: DOMAIN });
  const service = serviceName(PROJECT, DEPLOYMENT);
  await harness.store.createProject(makeProject({ id: PROJECT, source: { kind: 'github', owner: 'acme', repo: 'chat' } }));
  await harness.store.createDeployment(makeDeployment({ id: DEPLOYMENT, projectId: PROJECT, status: 'ready', container: { id: service, upstream: `http://127.0.0.1:${port}` }, image: `${LAMBDA_ENV.PORTICO_ECR_REGISTRY}/portico/${PROJECT}:abc` }));
  await harness.store.updateProject(PROJECT, { currentDeploymentId: DEPLOYMENT });
  services.set(service, { runningCount: 1, port, ip: '127.0.0.1' });
  gateway = await startAwsServer(loadAwsConfig(harness.env), { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await gateway?.close();
  await harness?.close();
  await new Promise<void>((resolve) => (demo ? demo.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  ecs.reset();
  answerEcsReads(ecs, LAMBDA_ENV.PORTICO_CLUSTER_ARN, services);
});

const url = (path: string) => `http://127.0.0.1:${gateway.port}${path}`;

/** A GET with a Host of our choosing (fetch does not let a caller set Host), as the load balancer forwards it. */
function get(path: string, host: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request({ host: '127.0.0.1', port: gateway.port, path, headers: { host } }, resolve).on('error', reject).end());
}

async function text(response: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return body;
}

describe('the gateway service', () => {
  it('answers the load balancer’s health check on its own address', async () => {
    const response = await fetch(url('/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('proxies a demo host straight to the demo task', async () => {
    const response = await get('/hello?x=1', `${PROJECT}.${DOMAIN}`);
    expect(response.statusCode).toBe(200);
    expect(await text(response)).toBe('demo answered /hello?x=1');
  });

  it('streams a server-sent-events answer as the demo writes it', async () => {
    const response = await get('/slow', `${PROJECT}.${DOMAIN}`);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const chunks: string[] = [];
    for await (const chunk of response) chunks.push(String(chunk));
    // Three writes 200 ms apart arrive as three chunks, not one buffered body.
    expect(chunks).toEqual(['data: 0\n\n', 'data: 1\n\n', 'data: 2\n\n']);
  });

  it('relays a WebSocket to the demo and back', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${gateway.port}/ws`, { headers: { host: `${PROJECT}.${DOMAIN}` } });
    const reply = await new Promise<string>((resolve, reject) => {
      socket.once('open', () => socket.send('hi'));
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    socket.close();
    expect(reply).toBe('echo hi');
  });
});
