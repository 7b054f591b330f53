import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { Builds } from './builds.ts';
import type { Cluster } from './cluster.ts';
import type { State } from './state.ts';
import { grantCore } from './core-access.ts';
import { gatewayCode } from './lambda-bundling.ts';

export interface GatewayProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly state: State;
  readonly builds: Builds;
  readonly cluster: Cluster;
  readonly idleTimeoutSeconds: number;
  /** SHA-256 (hex) of the API token; see cdk/config.ts. */
  readonly apiTokenSha256: string;
  /** Secrets Manager secret with the GitHub webhook's secret; absent: webhooks are refused. See cdk/config.ts. */
  readonly githubWebhookSecretName?: string;
  /** Demos are `{label}.endpoint.<domain>` (served by the stack's data plane); absent: the Function URL only. */
  readonly domain?: { readonly name: string; readonly hostedZoneId: string };
}

export { bundling, functionEntry } from './lambda-bundling.ts';

/**
 * The gateway Lambda: the same Hono core as `npm start`, behind a streaming Function URL,
 * fronted (with a domain) by the stack's data plane: CloudFront (edge.ts) or the gateway service (gateway-service.ts).
 * Its role holds exactly what the core calls (core-access.ts).
 */
export class Gateway extends Construct {
  /** `functions/gateway.ts` `handler` (streamHandle) behind the Function URL. */
  readonly function: lambda.Function;
  readonly functionUrl: lambda.FunctionUrl;
  readonly securityGroup: ec2.SecurityGroup;
  /** Environment every Portico function gets; gateway/aws-config.ts reads it. */
  readonly environment: Record<string, string>;
  private readonly props: GatewayProps;
  private readonly webhookSecret: secretsmanager.ISecret | undefined;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    this.props = props;
    const { cluster, builds, state } = props;
    const stack = Stack.of(this);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Portico gateway Lambda',
      allowAllOutbound: true,
    });
    cluster.taskSecurityGroup.connections.allowFrom(this.securityGroup, ec2.Port.allTcp(), 'gateway proxies to demos');

    this.environment = {
      PORTICO_TABLE_NAME: state.table.tableName,
      PORTICO_CLUSTER_ARN: cluster.cluster.clusterArn,
      PORTICO_BUILD_PROJECT: builds.project.projectName,
      // Where CodeBuild pushes and ECS pulls: `<account>.dkr.ecr.<region>.amazonaws.com` (another suffix in China).
      PORTICO_ECR_REGISTRY: `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}`,
      PORTICO_GPU_POOLS: JSON.stringify(cluster.gpuPools),
      PORTICO_IDLE_TIMEOUT_SECONDS: String(props.idleTimeoutSeconds),
      PORTICO_TOKEN_SHA256: props.apiTokenSha256,
      PORTICO_TASK_EXECUTION_ROLE_ARN: cluster.taskExecutionRole.roleArn,
      PORTICO_TASK_ROLE_ARN: cluster.taskRole.roleArn,
      PORTICO_TASK_LOG_GROUP: cluster.taskLogGroup.logGroupName,
      PORTICO_TASK_SECURITY_GROUP: cluster.taskSecurityGroup.securityGroupId,
      PORTICO_TASK_SUBNETS: props.vpc.selectSubnets(props.subnets).subnetIds.join(','),
      ...(props.domain ? { PORTICO_ENDPOINT_DOMAIN: `endpoint.${props.domain.name}` } : {}),
      ...(props.githubWebhookSecretName ? { PORTICO_GITHUB_WEBHOOK_SECRET_ID: props.githubWebhookSecretName } : {}),
    };
    // The operator creates the secret; the stack only names it and lets the gateway read it.
    this.webhookSecret = props.githubWebhookSecretName
      ? secretsmanager.Secret.fromSecretNameV2(this, 'GithubWebhookSecret', props.githubWebhookSecretName)
      : undefined;

    this.function = this.gatewayFunction('Function', 'handler', {
      // A demo's own answer may be slow (inference); the streaming Function URL allows up to 15 minutes.
      timeout: Duration.minutes(5),
    });
    this.functionUrl = this.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    new CfnOutput(this, 'Url', { value: this.functionUrl.url, description: 'Portico gateway Function URL' });
  }

  /** One gateway function from `functions/gateway.ts`, in the VPC, with the core's permissions. */
  private gatewayFunction(id: string, handler: 'handler', options: { timeout: Duration }): lambda.Function {
    const fn = new lambda.Function(this, id, {
      code: gatewayCode(), // split at its import()s: lambda-bundling.ts
      handler: `index.${handler}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: options.timeout,
      vpc: this.props.vpc,
      vpcSubnets: this.props.subnets,
      securityGroups: [this.securityGroup],
      environment: this.environment,
    });
    grantCore(fn, this.props);
    // Reading the value is all the webhook route does (secrets-manager-secret.ts); grantRead would add DescribeSecret.
    // A secret named without its ARN matches on the six random characters Secrets Manager appends.
    if (this.webhookSecret) fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadWebhookSecret', actions: ['secretsmanager:GetSecretValue'], resources: [`${this.webhookSecret.secretArn}-??????`] }));
    return fn;
  }
}
