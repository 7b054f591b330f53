import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PorticoStack } from '../../cdk/portico-stack.ts';
import { repositoryName } from '../../gateway/adapters/aws/ecr-registry.ts';
import { serviceName, taskDefinitionInput, taskFamily } from '../../gateway/adapters/aws/ecs-task-definition.ts';
import { type SdkCall, sdkCallsOf } from '../support/aws-calls.ts';
import { ACCOUNT, type AwsRequest, type CfnTemplate, PARTITION, REGION, type ResolvedStatement, allows, resolve, statementsOfRole, unusedGrants } from '../support/iam.ts';
import { makeApp, makeProps } from './make-props.ts';

/*
 * Every permission proven offline. For each configuration the stack is synthesized (Lambda code
 * bundled as for a deploy); then for every Lambda function the AWS calls are read from its own
 * bundle in the cloud assembly (test/support/aws-calls.ts), each call becomes the IAM request(s)
 * AWS authorizes for it, with the resource ARN built from the environment the template gives
 * the function, and the role's statements in the template must allow each one; and every
 * (action, resource) the role is granted must serve some request. The same for the task
 * execution role against the task definition the ECS runtime registers, the demo task role
 * (no calls at all) and the CodeBuild role against the buildspec's commands.
 */

const arn = (service: string, resource: string) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
const PROJECT = 'main-gpt2-acme';
const DEPLOYMENT = '0f3c9a1e-5b7d-4f6a-8c0e-2b4d6f8a0c2e';
const COMMIT = '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a';
const TASK_ID = '0123456789abcdef0123456789abcdef';

/**
 * Resource ARNs that AWS requires to be `*`, each with the reason; any other `*` fails the test.
 * (The AWS managed policies Lambda's roles attach are AWS's own; see AWS_MANAGED_POLICIES.)
 */
const REQUIRED_WILDCARDS: Record<string, string> = {
  'ecs:RegisterTaskDefinition': 'supports no resource-level permissions',
  'ecs:ListServices': 'takes no resource ARN; limited to the cluster by the ecs:cluster condition',
  'ecs:ListTasks': 'authorized on no resource in practice (awsdocs/amazon-ecs-developer-guide#211); limited to the cluster by the ecs:cluster condition',
  'ecr:GetAuthorizationToken': 'supports no resource-level permissions',
};

interface Synthesized {
  readonly template: CfnTemplate;
  readonly assemblyDir: string;
}

function synthesize(context: Record<string, unknown>): Synthesized {
  const app = makeApp();
  new PorticoStack(app, 'Portico', makeProps(context));
  const assembly = app.synth();
  return { template: assembly.getStackByName('Portico').template as CfnTemplate, assemblyDir: assembly.directory };
}

const resourcesOf = (template: CfnTemplate, type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** A function's bundle in the cloud assembly: what `cdk deploy` uploads, `index.mjs` and the chunks it loads (the gateway's is split). */
function bundleOf(synth: Synthesized, fn: Record<string, unknown>): string {
  const key = (fn['Code'] as { S3Key: string }).S3Key.replace(/\.zip$/, '');
  const dir = join(synth.assemblyDir, `asset.${key}`);
  const modules = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.mjs'));
  if (!modules.includes('index.mjs')) throw new Error(`no index.mjs in ${dir}`);
  return modules.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
}

function environmentOf(template: CfnTemplate, fn: Record<string, unknown>): Record<string, string> {
  const variables = ((fn['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(template, value)]));
}

const roleOf = (value: unknown) => (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

/** The one CodeBuild project. */
function buildProject(template: CfnTemplate): { Properties: Record<string, unknown> } {
  const projects = resourcesOf(template, 'AWS::CodeBuild::Project');
  if (projects.length !== 1) throw new Error(`expected one CodeBuild project, found ${projects.length}`);
  return projects[0]![1] as { Properties: Record<string, unknown> };
}

/** The CodeBuild project's log group, where a failed build's output is read from. */
function buildLogGroup(template: CfnTemplate): string {
  const project = buildProject(template);
  const logs = (project.Properties['LogsConfig'] as { CloudWatchLogs: { GroupName: unknown } }).CloudWatchLogs;
  return resolve(template, logs.GroupName);
}

/**
 * The IAM requests one SDK call turns into, from the function's environment: the resource each
 * API authorizes on (the Service Authorization Reference), named the way Portico names things,
 * and the actions AWS authorizes along with it. A call with no entry fails the test: a new call
 * must say what it touches. An empty list: the call cannot happen in this configuration.
 */
function requestsFor(call: SdkCall, env: Record<string, string>, template: CfnTemplate): AwsRequest[] {
  const cluster = env['PORTICO_CLUSTER_ARN']!;
  const clusterName = cluster.split('/').pop()!;
  const service = arn('ecs', `service/${clusterName}/${serviceName(PROJECT, DEPLOYMENT)}`);
  const why = `${call.command} (${call.pkg})`;
  const one = (resource: string, context?: Record<string, string>): AwsRequest[] => [{ action: call.action, resource, why, ...(context ? { context } : {}) }];
  const table = arn('dynamodb', `table/${env['PORTICO_TABLE_NAME']}`);
  switch (call.action) {
    case 'ecs:CreateService':
      // ecs-runtime.ts creates the service with tags, which ECS authorizes as ecs:TagResource.
      return [...one(service), { action: 'ecs:TagResource', resource: service, context: { 'ecs:CreateAction': 'CreateService' }, why: `${why} with tags` }];
    case 'ecs:UpdateService':
    case 'ecs:DescribeServices':
    case 'ecs:DeleteService':
      return one(service);
    case 'ecs:ListServices':
      return one('*', { 'ecs:cluster': cluster });
    case 'ecs:ListTasks':
      return one('*', { 'ecs:cluster': cluster });
    case 'ecs:DescribeTasks':
      return one(arn('ecs', `task/${clusterName}/${TASK_ID}`), { 'ecs:cluster': cluster });
    case 'ecs:DescribeContainerInstances':
      return one(arn('ecs', `container-instance/${clusterName}/${TASK_ID}`), { 'ecs:cluster': cluster });
    case 'ecs:DescribeClusters':
      return one(cluster);
    case 'ecs:RegisterTaskDefinition': {
      // What it sends decides what else AWS authorizes: tags (ecs:TagResource) and roles (iam:PassRole).
      const input = taskDefinitionInput(
        { projectId: PROJECT, deploymentId: DEPLOYMENT, image: `${env['PORTICO_ECR_REGISTRY']}/${repositoryName(PROJECT)}:${COMMIT}`, port: 7860, env: {}, gpus: 0, memoryBytes: 2 ** 31, nanoCpus: 1e9 } as Parameters<typeof taskDefinitionInput>[0],
        { executionRoleArn: env['PORTICO_TASK_EXECUTION_ROLE_ARN']!, taskRoleArn: env['PORTICO_TASK_ROLE_ARN']!, logGroup: env['PORTICO_TASK_LOG_GROUP']!, region: REGION },
      );
      const requests = one('*');
      if (input.tags?.length) requests.push({ action: 'ecs:TagResource', resource: arn('ecs', `task-definition/${taskFamily(PROJECT)}:1`), context: { 'ecs:CreateAction': 'RegisterTaskDefinition' }, why: `${why} with tags` });
      for (const role of [input.executionRoleArn, input.taskRoleArn]) {
        if (role) requests.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }, why: `${why} naming ${role}` });
      }
      return requests;
    }
    case 'ecr:CreateRepository':
    case 'ecr:DeleteRepository':
    case 'ecr:PutLifecyclePolicy':
    case 'ecr:BatchGetImage': // a rollback's kept image (ecr-registry.ts imageFacts, hasImage)
    case 'ecr:GetDownloadUrlForLayer':
      return one(arn('ecr', `repository/${repositoryName(PROJECT)}`));
    case 'lambda:InvokeFunction': {
      // lambda-release-queue.ts hands a rollback's release to the function PORTICO_RELEASE_FUNCTION names (the gateway's only).
      const name = env['PORTICO_RELEASE_FUNCTION'];
      return name === undefined ? [] : one(arn('lambda', `function:${name}`));
    }
    case 'codebuild:StartBuild':
    case 'codebuild:BatchGetBuilds':
    case 'codebuild:ListBuildsForProject':
      return one(arn('codebuild', `project/${env['PORTICO_BUILD_PROJECT']}`));
    case 'logs:GetLogEvents': {
      // A demo's output (ecs-runtime.ts logs: `<project>/app/<task>` in the task log group) and a failed build's (codebuild-builder.ts outputTail).
      const group = (name: string) => arn('logs', `log-group:${name}:log-stream:`);
      return [
        { action: call.action, resource: `${group(env['PORTICO_TASK_LOG_GROUP']!)}${PROJECT}/app/${TASK_ID}`, why: `${why}: a demo's output` },
        { action: call.action, resource: `${group(buildLogGroup(template))}${TASK_ID}`, why: `${why}: a failed build's output` },
      ];
    }
    case 'secretsmanager:CreateSecret':
    case 'secretsmanager:PutSecretValue':
      // secrets-manager-build-secrets.ts keeps a project's build secrets in `portico/build-secrets/<project>`.
      return one(arn('secretsmanager', `secret:portico/build-secrets/${PROJECT}-AbCdEf`));
    case 'secretsmanager:GetSecretValue': {
      const name = env['PORTICO_GITHUB_WEBHOOK_SECRET_ID'];
      // Secrets Manager appends six random characters to a secret's name in its ARN.
      return name === undefined ? [] : one(arn('secretsmanager', `secret:${name}-AbCdEf`));
    }
    default:
      if (call.action.startsWith('dynamodb:')) return one(table);
      throw new Error(`the code calls ${call.action} (${why}); say in requestsFor which resource it touches`);
  }
}

/** What Lambda itself does with a function's role: its log stream, and network interfaces in the VPC. */
function lambdaServiceRequests(functionId: string, inVpc: boolean): AwsRequest[] {
  const stream = arn('logs', `log-group:/aws/lambda/${functionId.toLowerCase()}:log-stream:2026/11/30/[$LATEST]0123`);
  const requests: AwsRequest[] = ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({ action, resource: stream, why: 'Lambda writes the function’s log' }));
  if (inVpc) {
    for (const action of ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface']) {
      requests.push({ action, resource: '*', why: 'Lambda manages the function’s network interfaces in the VPC' });
    }
  }
  return requests;
}

function denied(statements: readonly ResolvedStatement[], requests: readonly AwsRequest[]): string[] {
  return requests.filter((request) => !statements.some((statement) => allows(statement, request))).map((request) => `${request.action} on ${request.resource} (${request.why})`);
}

/** Statements written for Portico (AWS managed policies aside): their `*` resources must be required ones. */
function unexplainedWildcards(statements: readonly ResolvedStatement[]): string[] {
  return statements
    .filter((statement) => !statement.source.startsWith('AWS managed') && statement.resources.includes('*'))
    .flatMap((statement) => statement.actions.filter((action) => !REQUIRED_WILDCARDS[action]).map((action) => `${statement.sid}: ${action} on *`));
}

const portico = (statements: readonly ResolvedStatement[]) => statements.filter((statement) => !statement.source.startsWith('AWS managed'));

/** The buildspec's commands and what each needs from the CodeBuild role (ECR repository of the build's image). */
function buildspecRequests(template: CfnTemplate): { requests: AwsRequest[]; unknown: string[] } {
  const project = buildProject(template);
  const spec = JSON.parse((project.Properties['Source'] as { BuildSpec: string }).BuildSpec) as { phases: Record<string, { commands: string[] }> };
  const repository = arn('ecr', `repository/${repositoryName(PROJECT)}`);
  const requests: AwsRequest[] = [];
  const unknown: string[] = [];
  const push = ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];
  const pull = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
  for (const command of Object.values(spec.phases).flatMap((phase) => phase.commands)) {
    const needs: AwsRequest[] = [];
    if (/\baws ecr get-login-password\b/.test(command)) needs.push({ action: 'ecr:GetAuthorizationToken', resource: '*', why: command.slice(0, 60) });
    if (/\bdocker buildx build\b/.test(command)) {
      // The image and the BuildKit cache live in the project's repository: pushing both, reading the cache back.
      if (/--push\b|--cache-to "type=registry/.test(command)) needs.push(...push.map((action) => ({ action, resource: repository, why: 'docker buildx build --push / --cache-to' })));
      if (/--cache-from "type=registry/.test(command) || /--cache-to "type=registry/.test(command)) needs.push(...pull.map((action) => ({ action, resource: repository, why: 'docker buildx build --cache-from' })));
    }
    // Reading the pushed image's configuration back (its GPU facts): the manifest and the config blob.
    if (/\bdocker buildx imagetools inspect\b/.test(command)) needs.push(...pull.map((action) => ({ action, resource: repository, why: 'docker buildx imagetools inspect' })));
    // Commands that call no AWS API: shell checks, docker login with the token above, git over HTTPS, buildx setup, the secret flags.
    const local = /^(for name in|git init|docker buildx create|cd src && docker buildx build|SECRET_FLAGS=)/.test(command) || /\| docker login/.test(command);
    if (needs.length === 0 && !local) unknown.push(command);
    requests.push(...needs);
  }
  // CodeBuild itself writes the build's output to the project's log group with the role.
  const stream = `${arn('logs', `log-group:${buildLogGroup(template)}:log-stream:`)}${TASK_ID}`;
  requests.push(...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({ action, resource: stream, why: 'CodeBuild writes the build log' })));
  // CodeBuild resolves a build's SECRETS_MANAGER variables (the project's build secrets) with the role.
  requests.push({ action: 'secretsmanager:GetSecretValue', resource: arn('secretsmanager', `secret:portico/build-secrets/${PROJECT}-AbCdEf`), why: 'CodeBuild reads the build secrets' });
  return { requests, unknown };
}

const CONFIGURATIONS: Record<string, Record<string, unknown>> = {
  'the default context': {},
  'a domain, a webhook secret, interface endpoints and no GPU pool': {
    domain: 'example.com',
    hostedZoneId: 'Z0123456789ABC',
    githubWebhookSecretName: 'portico/github-webhook',
    vpc: { natGateways: 1, useInterfaceEndpoints: true },
    gpuPools: [],
  },
  'the service data plane': { domain: 'example.com', hostedZoneId: 'Z0123456789ABC', dataPlane: 'service' },
};

/** Functions in the template that run CDK's code, not Portico's, with the role CDK gives them. */
const CDK_FUNCTIONS = [/CertificateRequestorFunction/];

/** The tag of a container image asset (`…container-assets-…:<hash>`): its directory in the cloud assembly is `asset.<hash>`. */
function imageAssetDir(synth: Synthesized, image: unknown): string {
  const text = JSON.stringify(image);
  const hash = /container-assets-.*:([0-9a-f]{64})"/.exec(text)?.[1];
  if (!hash) throw new Error(`not an image asset: ${text}`);
  return join(synth.assemblyDir, `asset.${hash}`);
}

describe.each(Object.entries(CONFIGURATIONS))('permissions with %s', (_name, context) => {
  let synth: Synthesized;
  let template: CfnTemplate;
  beforeAll(() => {
    synth = synthesize(context);
    template = synth.template;
  }, 180_000);

  it('lets every Lambda function make each AWS call its bundled code names, on the resources it names, and grants nothing else', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => !CDK_FUNCTIONS.some((pattern) => pattern.test(id)));
    expect(functions.length).toBeGreaterThanOrEqual(3);
    const report: Record<string, { calls: string[]; denied: string[]; unused: string[]; wildcards: string[] }> = {};
    for (const [id, fn] of functions) {
      const props = fn.Properties!;
      const env = environmentOf(template, props);
      const calls = sdkCallsOf(bundleOf(synth, props));
      const requests = [...calls.flatMap((call) => requestsFor(call, env, template)), ...lambdaServiceRequests(id, props['VpcConfig'] !== undefined)];
      const statements = statementsOfRole(template, roleOf(props['Role']));
      report[id] = {
        calls: calls.map((call) => call.action),
        denied: denied(statements, requests),
        unused: unusedGrants(portico(statements), requests),
        wildcards: unexplainedWildcards(statements),
      };
    }
    for (const entry of Object.values(report)) expect(entry.calls.length).toBeGreaterThan(10); // the bundles were really read
    expect(Object.fromEntries(Object.entries(report).map(([id, entry]) => [id, { denied: entry.denied, unused: entry.unused, wildcards: entry.wildcards }]))).toStrictEqual(
      Object.fromEntries(Object.keys(report).map((id) => [id, { denied: [], unused: [], wildcards: [] }])),
    );
  });

  it('lets the gateway service’s task make each AWS call its bundled code names, and grants nothing else; its execution role only pulls its image and writes its log', () => {
    const tasks = resourcesOf(template, 'AWS::ECS::TaskDefinition');
    if (context['dataPlane'] !== 'service') return expect(tasks).toEqual([]);
    expect(tasks).toHaveLength(1);
    const task = tasks[0]![1] as { Properties: Record<string, unknown> };
    const [container] = task.Properties['ContainerDefinitions'] as { Image: unknown; Environment: { Name: string; Value: unknown }[]; LogConfiguration: { Options: Record<string, unknown> } }[];
    const env = Object.fromEntries(container!.Environment.map(({ Name, Value }) => [Name, resolve(template, Value)]));
    const calls = sdkCallsOf(readFileSync(join(imageAssetDir(synth, container!.Image), 'index.mjs'), 'utf8'));
    expect(calls.length).toBeGreaterThan(10);
    const taskStatements = statementsOfRole(template, roleOf(task.Properties['TaskRoleArn']));
    const requests = calls.flatMap((call) => requestsFor(call, env, template));
    expect({ denied: denied(taskStatements, requests), unused: unusedGrants(portico(taskStatements), requests), wildcards: unexplainedWildcards(taskStatements) }).toStrictEqual({ denied: [], unused: [], wildcards: [] });

    // ECS pulls the gateway image from CDK's asset repository and sends its output to the log group.
    const repository = arn('ecr', `repository/cdk-hnb659fds-container-assets-${ACCOUNT}-${REGION}`);
    const logGroup = resolve(template, container!.LogConfiguration.Options['awslogs-group']);
    const pulls: AwsRequest[] = [
      { action: 'ecr:GetAuthorizationToken', resource: '*', why: 'pull the gateway image' },
      ...['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].map((action) => ({ action, resource: repository, why: 'pull the gateway image' })),
      ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({ action, resource: `${arn('logs', `log-group:${logGroup}:log-stream:`)}gateway/gateway/${TASK_ID}`, why: 'awslogs driver' })),
    ];
    const execution = statementsOfRole(template, roleOf(task.Properties['ExecutionRoleArn']));
    expect({ denied: denied(execution, pulls), unused: unusedGrants(portico(execution), pulls), wildcards: unexplainedWildcards(execution) }).toStrictEqual({ denied: [], unused: [], wildcards: [] });
  });

  it('lets ECS pull the task definition’s image and write its logs with the task execution role, and nothing else', () => {
    const [, gateway] = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('GatewayFunction'))!;
    const env = environmentOf(template, gateway.Properties!);
    const input = taskDefinitionInput(
      { projectId: PROJECT, deploymentId: DEPLOYMENT, image: `${env['PORTICO_ECR_REGISTRY']}/${repositoryName(PROJECT)}:${COMMIT}`, port: 7860, env: {}, gpus: 0, memoryBytes: 2 ** 31, nanoCpus: 1e9 } as Parameters<typeof taskDefinitionInput>[0],
      { executionRoleArn: env['PORTICO_TASK_EXECUTION_ROLE_ARN']!, taskRoleArn: env['PORTICO_TASK_ROLE_ARN']!, logGroup: env['PORTICO_TASK_LOG_GROUP']!, region: REGION },
    );
    const requests: AwsRequest[] = [];
    for (const container of input.containerDefinitions ?? []) {
      const [registry, ...path] = container.image!.split('/');
      if (registry === env['PORTICO_ECR_REGISTRY']) {
        const repository = arn('ecr', `repository/${path.join('/').replace(/[:@].*$/, '')}`);
        requests.push({ action: 'ecr:GetAuthorizationToken', resource: '*', why: `pull ${container.image}` });
        for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']) requests.push({ action, resource: repository, why: `pull ${container.image}` });
      }
      const log = container.logConfiguration;
      if (log?.logDriver === 'awslogs') {
        const stream = `${arn('logs', `log-group:${log.options!['awslogs-group']}:log-stream:`)}${log.options!['awslogs-stream-prefix']}/${container.name}/${TASK_ID}`;
        for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) requests.push({ action, resource: stream, why: 'awslogs driver' });
      }
    }
    const statements = statementsOfRole(template, findRole(template, input.executionRoleArn!));
    expect(requests.length).toBeGreaterThan(0);
    expect({ denied: denied(statements, requests), unused: unusedGrants(portico(statements), requests), wildcards: unexplainedWildcards(statements) }).toStrictEqual({ denied: [], unused: [], wildcards: [] });
  });

  it('gives the demo containers’ task role no permission at all', () => {
    const [, gateway] = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('GatewayFunction'))!;
    const env = environmentOf(template, gateway.Properties!);
    expect(statementsOfRole(template, findRole(template, env['PORTICO_TASK_ROLE_ARN']!))).toStrictEqual([]);
  });

  it('lets CodeBuild do what each buildspec command needs, write its log, and nothing else', () => {
    const project = buildProject(template);
    const { requests, unknown } = buildspecRequests(template);
    expect(unknown).toStrictEqual([]);
    const statements = statementsOfRole(template, roleOf(project.Properties['ServiceRole']));
    expect({ denied: denied(statements, requests), unused: unusedGrants(portico(statements), requests), wildcards: unexplainedWildcards(statements) }).toStrictEqual({ denied: [], unused: [], wildcards: [] });
  });
});

/** The logical id of the role whose resolved ARN is `roleArn`. */
function findRole(template: CfnTemplate, roleArn: string): string {
  const found = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => resolve(template, { 'Fn::GetAtt': [id, 'Arn'] }) === roleArn);
  if (!found) throw new Error(`no role ${roleArn} in the template`);
  return found[0];
}
