import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsConfig } from '../../aws-config.ts';
import type { ActivityLog } from '../../ports/activity-log.ts';
import type { DeliveryLog } from '../../ports/delivery-log.ts';
import type { ReleaseQueue } from '../../ports/release-queue.ts';
import type { WakeLog } from '../../ports/wake-log.ts';
import { type Clock, systemClock } from '../../ports/clock.ts';
import type { AsyncWake, ContainerRuntime } from '../../ports/container-runtime.ts';
import type { RemoteBuilder } from '../../ports/remote-builder.ts';
import type { SourceReader } from '../../ports/source-fetcher.ts';
import type { SourceSpec } from '../../domain/types.ts';
import { PorticoError } from '../../errors.ts';
import type { Ports } from '../../services/ports.ts';
import { createGithubApi } from '../local/github-api.ts';
import { capacityProviderFor } from './capacity.ts';
import { cloudWatchLogTail } from './cloudwatch-log-tail.ts';
import { createCodeBuildBuilder } from './codebuild-builder.ts';
import { createDynamoDbActivityLog } from './dynamodb-activity-log.ts';
import { createDynamoDbDeliveryLog } from './dynamodb-delivery-log.ts';
import { createDynamoDbStore } from './dynamodb-store.ts';
import { createEcrImageStore } from './ecr-image-store.ts';
import { createEcrRegistry } from './ecr-registry.ts';
import { createEcsRuntime } from './ecs-runtime.ts';
import { createLambdaReleaseQueue } from './lambda-release-queue.ts';
import { createSecretsManagerBuildSecrets } from './secrets-manager-build-secrets.ts';
import { clientOnFirstUse } from './sdk-on-first-use.ts';
import { secretsManagerSecret } from './secrets-manager-secret.ts';

export interface AwsPorts extends Ports {
  readonly runtime: ContainerRuntime & AsyncWake;
  readonly remoteBuilder: RemoteBuilder;
  /** The activity log also keeps each project's last wake, for its runtime log. */
  readonly activity: ActivityLog & WakeLog;
  readonly deliveries: DeliveryLog;
  /** The GitHub webhook's HMAC key, read from Secrets Manager when a delivery arrives; undefined: none configured. */
  readonly webhookSecret: (() => Promise<string>) | undefined;
  /** Where the API hands a rollback's release (the build-events function); undefined: this function cannot roll back. */
  readonly releases: ReleaseQueue | undefined;
}

export interface AwsPortsOptions {
  /** How long `start` may wait for ECS to place a task (the build-events function waits; the gateway never starts tasks). */
  readonly placementTimeoutMs?: number;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
}

/** Portico on AWS: DynamoDB state, GitHub as the source, CodeBuild → ECR builds, ECS tasks. */
export function createAwsPorts(config: AwsConfig, options: AwsPortsOptions = {}): AwsPorts {
  const clientConfig = { region: config.region };
  // Every request reads the project table, so DynamoDB's SDK loads with the module. ECS is only
  // needed to wake or inspect a demo, ECR and CodeBuild only to deploy: those load on first use.
  const dynamo = new DynamoDBClient(clientConfig);
  const ecr = clientOnFirstUse(async () => new (await import('@aws-sdk/client-ecr')).ECRClient(clientConfig));
  const codebuild = clientOnFirstUse(async () => new (await import('@aws-sdk/client-codebuild')).CodeBuildClient(clientConfig));
  const ecs = clientOnFirstUse(async () => new (await import('@aws-sdk/client-ecs')).ECSClient(clientConfig));
  const registry = createEcrRegistry({ client: ecr, keepImages: config.keepImages, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const logTail = cloudWatchLogTail({ region: config.region });
  const clock = options.clock ?? systemClock;
  return {
    store: createDynamoDbStore({ client: dynamo, tableName: config.tableName }),
    activity: createDynamoDbActivityLog({ client: dynamo, tableName: config.tableName }),
    deliveries: createDynamoDbDeliveryLog({ client: dynamo, tableName: config.tableName }),
    webhookSecret: config.githubWebhookSecretId === null ? undefined : secretsManagerSecret({ secretId: config.githubWebhookSecretId, region: config.region, clock }),
    source: githubOnly(createGithubApi({ apiBaseUrl: config.githubApiUrl, token: config.githubToken, ...(options.fetch ? { fetch: options.fetch } : {}) })),
    builder: createEcrImageStore(registry),
    // Lambda's SDK loads on the first rollback only.
    releases:
      config.releaseFunction === null
        ? undefined
        : createLambdaReleaseQueue({ client: clientOnFirstUse(async () => new (await import('@aws-sdk/client-lambda')).LambdaClient(clientConfig)), functionName: config.releaseFunction }),
    remoteBuilder: createCodeBuildBuilder({
      client: codebuild,
      projectName: config.buildProject,
      ecrRegistry: config.ecrRegistry,
      registry,
      logTail,
      buildSecrets: createSecretsManagerBuildSecrets({ region: config.region }),
    }),
    runtime: createEcsRuntime({
      client: ecs,
      cluster: config.cluster,
      subnets: config.taskSubnets,
      securityGroups: config.taskSecurityGroups,
      executionRoleArn: config.taskExecutionRoleArn,
      taskRoleArn: config.taskRoleArn,
      logGroup: config.taskLogGroup,
      region: config.region,
      logTail,
      capacityProviderFor,
      clock,
      ...(options.fetch ? { fetchImpl: options.fetch } : {}),
      ...(options.placementTimeoutMs ? { placementTimeoutMs: options.placementTimeoutMs } : {}),
    }),
    clock,
  };
}

/** CodeBuild clones from GitHub, so on AWS a project's source must be a GitHub repository, and only read here (never downloaded). */
function githubOnly(github: SourceReader): SourceReader {
  const check = (spec: SourceSpec) => {
    if (spec.kind !== 'github') throw new PorticoError('invalid_input', `on AWS Portico deploys GitHub repositories (owner/repo or https://github.com/owner/repo); "${spec.kind === 'git' ? spec.url : spec.path}" is not one`, { field: 'repo' });
  };
  return {
    defaultBranch: async (spec) => (check(spec), github.defaultBranch(spec)),
    resolve: async (spec, branch) => (check(spec), github.resolve(spec, branch)),
    readFile: (source, path) => github.readFile(source, path),
  };
}
