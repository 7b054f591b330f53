import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { Builds } from './builds.ts';
import { REPOSITORY_PREFIX, buildSecretsArn } from './builds.ts';
import { BUILD_SECRETS_NAME_PREFIX } from '../../gateway/adapters/aws/build-variables.ts';
import type { Cluster } from './cluster.ts';
import type { State } from './state.ts';
import { acknowledge, acknowledgeVpcLambdaRole, arnPrefix, refOf, wildcardResource } from '../nag.ts';

export interface CoreAccessProps {
  readonly cluster: Cluster;
  readonly builds: Builds;
  readonly state: State;
}

/** Task definitions the ECS runtime registers: one family per project, `portico-<project>` (ecs-task-definition.ts). */
const TASK_FAMILY_PATTERN = 'portico-*:*';

/**
 * What the Portico core (gateway/lambda-gateway.ts) calls, granted to one function or task role.
 * The gateway, build-events and reaper functions and the gateway service all run that same core
 * (any of them may deploy, wake, sleep or remove a demo), so they all get exactly this and
 * nothing else. Each statement names the adapter calls it exists for.
 */
export function grantCore(fn: IConstruct & iam.IGrantable, { cluster, builds, state }: CoreAccessProps): void {
  const stack = Stack.of(fn);
  const clusterName = cluster.cluster.clusterName;
  const inCluster = (resource: string) => stack.formatArn({ service: 'ecs', resource, resourceName: `${clusterName}/*` });
  const taskDefinitions = stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: TASK_FAMILY_PATTERN });
  const statements = [
    // ecs-runtime.ts: start (create/update), wake and sleep (update), status/locate (describe), remove (delete).
    new iam.PolicyStatement({
      sid: 'ManageDemoServices',
      actions: ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DescribeServices', 'ecs:DeleteService'],
      resources: [inCluster('service')],
    }),
    // CreateService and RegisterTaskDefinition send tags (portico.project, .deployment, .port);
    // ECS authorizes those as ecs:TagResource. The condition allows tagging only while creating.
    new iam.PolicyStatement({
      sid: 'TagDemoResourcesOnCreate',
      actions: ['ecs:TagResource'],
      resources: [inCluster('service'), taskDefinitions],
      conditions: { StringEquals: { 'ecs:CreateAction': ['CreateService', 'RegisterTaskDefinition'] } },
    }),
    // removeProjectContainers lists the cluster's services; start, resume and locate list a
    // service's tasks. ListServices takes no resource ARN, and ListTasks is authorized on none in
    // practice (awsdocs/amazon-ecs-developer-guide#211): the ecs:cluster condition keeps both to this cluster.
    new iam.PolicyStatement({
      sid: 'ListDemoServicesAndTasks',
      actions: ['ecs:ListServices', 'ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': cluster.cluster.clusterArn } },
    }),
    // Finding a service's task and its private IP (start, resume, locate).
    new iam.PolicyStatement({ sid: 'ReadDemoTasks', actions: ['ecs:DescribeTasks'], resources: [inCluster('task')] }),
    // When a GPU task's instance joined the cluster: the instance launch a wake waited on (task-timings.ts).
    new iam.PolicyStatement({ sid: 'ReadDemoInstances', actions: ['ecs:DescribeContainerInstances'], resources: [inCluster('container-instance')] }),
    new iam.PolicyStatement({
      sid: 'RegisterDemoTaskDefinitions',
      actions: ['ecs:RegisterTaskDefinition'],
      // RegisterTaskDefinition supports no resource-level permissions.
      resources: ['*'],
    }),
    // The ECS runtime's health check of the engine (ping).
    new iam.PolicyStatement({ sid: 'DescribeCluster', actions: ['ecs:DescribeClusters'], resources: [cluster.cluster.clusterArn] }),
    new iam.PolicyStatement({
      sid: 'PassDemoTaskRoles',
      actions: ['iam:PassRole'],
      resources: [cluster.taskExecutionRole.roleArn, cluster.taskRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
    // The end of a demo's output (ecs-runtime.ts logs, from the task log group) and of a failed
    // build's (codebuild-builder.ts outputTail, from the build log group).
    new iam.PolicyStatement({
      sid: 'ReadOutput',
      actions: ['logs:GetLogEvents'],
      resources: [cluster.taskLogGroup, builds.logGroup].map((group) => logStreamsOf(stack, group.logGroupName)),
    }),
    // codebuild-builder.ts: start a build; reconcile reads recent builds (missed events).
    new iam.PolicyStatement({
      sid: 'RunBuilds',
      actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:ListBuildsForProject'],
      resources: [builds.project.projectArn],
    }),
    // secrets-manager-build-secrets.ts: a project's build secrets, written before each of its builds.
    new iam.PolicyStatement({
      sid: 'WriteBuildSecrets',
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
      resources: [buildSecretsArn(stack)],
    }),
    // ecr-registry.ts: one repository per project, created before its first build, deleted with it.
    new iam.PolicyStatement({
      sid: 'ManageProjectRepositories',
      actions: ['ecr:CreateRepository', 'ecr:DeleteRepository', 'ecr:PutLifecyclePolicy'],
      resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: `${REPOSITORY_PREFIX}*` })],
    }),
    // ecr-registry.ts: a rollback checks that its kept image is still there and reads its configuration (manifest, config blob).
    new iam.PolicyStatement({
      sid: 'ReadKeptImages',
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: `${REPOSITORY_PREFIX}*` })],
    }),
  ];
  for (const statement of statements) fn.grantPrincipal.addToPrincipalPolicy(statement);
  state.grantReadWrite(fn);

  const clusterRef = refOf(cluster.cluster);
  acknowledge(
    fn,
    'Demo services and tasks are created at deploy time with generated names, and GPU instances join the cluster as the pools scale; access is limited to this cluster.',
    wildcardResource(`${arnPrefix('ecs')}:service/${clusterRef}/*`),
    wildcardResource(`${arnPrefix('ecs')}:task/${clusterRef}/*`),
    wildcardResource(`${arnPrefix('ecs')}:container-instance/${clusterRef}/*`),
  );
  acknowledge(
    fn,
    'Tags may be set only while creating a service or a portico-* task definition (ecs:CreateAction condition).',
    wildcardResource(`${arnPrefix('ecs')}:task-definition/${TASK_FAMILY_PATTERN}`),
  );
  acknowledge(
    fn,
    'Each demo task and each build writes its own log stream, named at run time; reading is limited to the task and build log groups.',
    wildcardResource(`${arnPrefix('logs')}:log-group:${refOf(cluster.taskLogGroup)}:log-stream:*`),
    wildcardResource(`${arnPrefix('logs')}:log-group:${refOf(builds.logGroup)}:log-stream:*`),
  );
  acknowledge(
    fn,
    'Per-project ECR repositories are created at deploy time; management is limited to the portico/ prefix.',
    wildcardResource(`${arnPrefix('ecr')}:repository/${REPOSITORY_PREFIX}*`),
  );
  acknowledge(
    fn,
    'Each project with build secrets gets its own secret, created at deploy time; writing is limited to the portico/build-secrets/ prefix.',
    wildcardResource(`${arnPrefix('secretsmanager')}:secret:${BUILD_SECRETS_NAME_PREFIX}*`),
  );
  acknowledge(
    fn,
    'ecs:RegisterTaskDefinition supports no resource-level permissions; ecs:ListServices and ecs:ListTasks take no resource ARN and are limited to this cluster by the ecs:cluster condition.',
    wildcardResource('*'),
  );
  if (fn instanceof lambda.Function) acknowledgeVpcLambdaRole(fn);
}

/** Every stream of a log group, as GetLogEvents authorizes them. */
function logStreamsOf(stack: Stack, logGroupName: string): string {
  return stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${logGroupName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
