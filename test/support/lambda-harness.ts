import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DescribeServicesCommand, DescribeTasksCommand, type ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { createDynamoDbActivityLog } from '../../gateway/adapters/aws/dynamodb-activity-log.ts';
import { createDynamoDbStore, createTable } from '../../gateway/adapters/aws/dynamodb-store.ts';
import type { ActivityLog } from '../../gateway/ports/activity-log.ts';
import type { ProjectStore } from '../../gateway/ports/project-store.ts';
import { type RunningDynalite, startDynalite } from './dynalite.ts';

/** What the CDK stack sets on every Portico function (cdk/constructs/gateway.ts), with test values. */
/** The API token the Lambda tests call with, and the hash the stack would deploy for it. */
export const LAMBDA_TOKEN = 'lambda-test-token';
export const LAMBDA_TOKEN_SHA256 = createHash('sha256').update(LAMBDA_TOKEN).digest('hex');

export const LAMBDA_ENV = {
  AWS_REGION: 'eu-west-1',
  PORTICO_TABLE_NAME: 'portico-lambda-test',
  PORTICO_CLUSTER_ARN: 'arn:aws:ecs:eu-west-1:123456789012:cluster/portico',
  PORTICO_BUILD_PROJECT: 'portico-builds',
  PORTICO_ECR_REGISTRY: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  PORTICO_TASK_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/portico-task-execution',
  PORTICO_TASK_ROLE_ARN: 'arn:aws:iam::123456789012:role/portico-task',
  PORTICO_TASK_LOG_GROUP: '/portico/demos',
  PORTICO_TASK_SECURITY_GROUP: 'sg-0demos',
  PORTICO_TASK_SUBNETS: 'subnet-0a,subnet-0b',
  PORTICO_IDLE_TIMEOUT_SECONDS: '900',
  PORTICO_TOKEN_SHA256: LAMBDA_TOKEN_SHA256,
} as const;

export interface LambdaHarness {
  /** The environment the function modules were given (process.env while the harness runs). */
  readonly env: Readonly<Record<string, string>>;
  /** The same DynamoDB table the functions use, for seeding and checking state. */
  readonly store: ProjectStore;
  readonly activity: ActivityLog;
  close(): Promise<void>;
}

/**
 * Gives the entry files in functions/ what Lambda gives them: the stack's environment and a
 * DynamoDB to talk to (dynalite, a real DynamoDB API, reached the way the SDK is pointed at any
 * other endpoint: AWS_ENDPOINT_URL_DYNAMODB). Import the function module after this and close
 * the harness afterwards, which puts process.env back.
 */
export async function startLambdaHarness(extraEnv: Record<string, string> = {}): Promise<LambdaHarness> {
  const dynalite: RunningDynalite = await startDynalite();
  const env: Record<string, string> = {
    ...LAMBDA_ENV,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    ...extraEnv,
  };
  const saved = new Map(Object.keys(env).concat('AWS_SESSION_TOKEN', 'AWS_PROFILE').map((name) => [name, process.env[name]]));
  delete process.env['AWS_SESSION_TOKEN'];
  delete process.env['AWS_PROFILE'];
  Object.assign(process.env, env);

  const client = dynalite.client(env['AWS_REGION']!);
  await createTable(client, env['PORTICO_TABLE_NAME']!);
  return {
    env,
    store: createDynamoDbStore({ client, tableName: env['PORTICO_TABLE_NAME']! }),
    activity: createDynamoDbActivityLog({ client, tableName: env['PORTICO_TABLE_NAME']! }),
    async close() {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      client.destroy();
      await dynalite.close();
    },
  };
}

/** What a fake ECS knows about one demo service. */
export interface FakeService {
  runningCount: number;
  /** The app's port, as the service's `portico.port` tag says. */
  readonly port: number;
  /** The running task's private IP (the demo server here listens on 127.0.0.1). */
  readonly ip: string;
  /** More of what DescribeTasks says about the running task (its timestamps). */
  readonly task?: Partial<Task>;
}

/**
 * Answers the ECS read calls (DescribeServices, ListTasks, DescribeTasks) from `services`, so
 * a test flips a service between sleeping (runningCount 0, no task) and running by editing it.
 */
export function answerEcsReads(ecs: AwsClientStub<ECSClient>, cluster: string, services: Map<string, FakeService>): void {
  const taskArn = (name: string) => `${cluster.replace(':cluster/', ':task/')}/${name}-task`;
  const taskOf = (name: string, service: FakeService): Task => ({
    taskArn: taskArn(name),
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'subnetId', value: 'subnet-0a' }, { name: 'privateIPv4Address', value: service.ip }] }],
    ...service.task,
  });
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.flatMap((name) => {
      const service = services.get(name);
      if (!service) return [];
      return [{ serviceName: name, status: 'ACTIVE', runningCount: service.runningCount, desiredCount: service.runningCount, tags: [{ key: 'portico.port', value: String(service.port) }] }];
    }),
  }));
  ecs.on(ListTasksCommand).callsFake((input: { serviceName: string; desiredStatus: string }) => {
    const service = services.get(input.serviceName);
    return { taskArns: service && service.runningCount > 0 && input.desiredStatus === 'RUNNING' ? [taskArn(input.serviceName)] : [] };
  });
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: [...services].filter(([name, service]) => service.runningCount > 0 && input.tasks.includes(taskArn(name))).map(([name, service]) => taskOf(name, service)),
  }));
}

/** A JSON fixture from test/functions/fixtures, parsed afresh each time so tests can change it. */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../functions/fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export interface HttpRequestSpec {
  readonly method: string;
  /** Path with an optional query, e.g. `/p/main-hello-acme/predict?x=1`. */
  readonly path: string;
  readonly host: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A payload-2.0 event (HTTP API or Function URL fixture) for another request: path, host, method, headers and body replaced. */
export function payloadV2Event(fixture: string, request: HttpRequestSpec): Record<string, unknown> {
  const event = readFixture<{ headers: Record<string, string>; requestContext: { domainName: string; domainPrefix: string; http: { method: string; path: string } } } & Record<string, unknown>>(fixture);
  const [path, query = ''] = request.path.split('?', 2) as [string, string?];
  event['rawPath'] = path;
  event['rawQueryString'] = query;
  event.requestContext.http.method = request.method;
  event.requestContext.http.path = path;
  event.requestContext.domainName = request.host;
  event.requestContext.domainPrefix = request.host.split('.')[0]!;
  event.headers = { ...event.headers, host: request.host, ...request.headers };
  if (query) event['queryStringParameters'] = Object.fromEntries(new URLSearchParams(query));
  if (request.body !== undefined) event['body'] = request.body;
  return event;
}
