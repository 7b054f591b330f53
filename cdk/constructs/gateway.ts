import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { Builds } from './builds.ts';
import { REPOSITORY_PREFIX } from './builds.ts';
import type { Cluster } from './cluster.ts';
import type { State } from './state.ts';
import { acknowledge, acknowledgeVpcLambdaRole, arnPrefix, refOf, wildcardResource } from '../nag.ts';

export interface GatewayProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly state: State;
  readonly builds: Builds;
  readonly cluster: Cluster;
  readonly idleTimeoutSeconds: number;
  /** Serve `*.endpoint.<domain>` from this hosted zone; absent: the Function URL only. */
  readonly domain?: { readonly name: string; readonly hostedZoneId: string };
}

/** Shared by every Portico Lambda so they all bundle offline with the local esbuild. */
export const bundling = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  format: OutputFormat.ESM,
  target: 'node24',
  // ESM bundles still meet CommonJS dependencies that call require().
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const;

export const functionEntry = (name: string): string => fileURLToPath(new URL(`../../functions/${name}.ts`, import.meta.url));

/**
 * The gateway Lambda: the same Hono core as `npm start`, behind a streaming Function URL,
 * plus (with a domain) the wildcard `*.endpoint.<domain>` on an HTTP API custom domain.
 * Its role holds exactly what the deploy pipeline and scaler call.
 */
export class Gateway extends Construct {
  readonly function: NodejsFunction;
  readonly functionUrl: lambda.FunctionUrl;
  readonly securityGroup: ec2.SecurityGroup;
  /** Environment every Portico function gets: where the table, cluster, project and pools are. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    const { cluster, builds, state } = props;
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
      PORTICO_REPOSITORY_PREFIX: REPOSITORY_PREFIX,
      PORTICO_GPU_POOLS: Stack.of(this).toJsonString(cluster.gpuPools),
      PORTICO_IDLE_TIMEOUT_SECONDS: String(props.idleTimeoutSeconds),
      PORTICO_TASK_EXECUTION_ROLE_ARN: cluster.taskExecutionRole.roleArn,
      PORTICO_TASK_ROLE_ARN: cluster.taskRole.roleArn,
      PORTICO_TASK_LOG_GROUP: cluster.taskLogGroup.logGroupName,
      PORTICO_TASK_SECURITY_GROUP: cluster.taskSecurityGroup.securityGroupId,
      PORTICO_TASK_SUBNETS: props.vpc.selectSubnets(props.subnets).subnetIds.join(','),
      ...(props.domain ? { PORTICO_ENDPOINT_DOMAIN: `endpoint.${props.domain.name}` } : {}),
    };

    this.function = new NodejsFunction(this, 'Function', {
      entry: functionEntry('gateway'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      // A cold demo may take minutes to wake; requests wait for it (bounded by the core).
      timeout: Duration.minutes(5),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      environment: this.environment,
      bundling,
    });
    this.functionUrl = this.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    new CfnOutput(this, 'Url', { value: this.functionUrl.url, description: 'Portico gateway Function URL' });

    this.grantGatewayPermissions(props);
    if (props.domain) this.addWildcardDomain(props.domain);
  }

  private grantGatewayPermissions({ cluster, builds, state }: GatewayProps): void {
    const stack = Stack.of(this);
    const clusterName = cluster.cluster.clusterName;
    const fn = this.function;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageDemoServices',
        actions: ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DescribeServices', 'ecs:DeleteService'],
        resources: [stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${clusterName}/*` })],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadDemoTasks',
        actions: ['ecs:DescribeTasks', 'ecs:ListTasks'],
        resources: [
          stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${clusterName}/*` }),
          stack.formatArn({ service: 'ecs', resource: 'container-instance', resourceName: `${clusterName}/*` }),
        ],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RegisterDemoTaskDefinitions',
        actions: ['ecs:RegisterTaskDefinition'],
        // RegisterTaskDefinition supports no resource-level permissions.
        resources: ['*'],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PassDemoTaskRoles',
        actions: ['iam:PassRole'],
        resources: [cluster.taskExecutionRole.roleArn, cluster.taskRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'StartBuilds', actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'], resources: [builds.project.projectArn] }),
    );
    fn.addToRolePolicy(
      // The ECS runtime's health check of the engine (ping).
      new iam.PolicyStatement({ sid: 'DescribeCluster', actions: ['ecs:DescribeClusters'], resources: [cluster.cluster.clusterArn] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageProjectRepositories',
        actions: ['ecr:CreateRepository', 'ecr:DeleteRepository', 'ecr:PutLifecyclePolicy'],
        resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: `${REPOSITORY_PREFIX}*` })],
      }),
    );
    state.grantReadWrite(fn);

    const clusterRef = refOf(cluster.cluster);
    acknowledge(
      fn,
      'Demo services and tasks are created at deploy time; access is limited to this cluster.',
      wildcardResource(`${arnPrefix('ecs')}:service/${clusterRef}/*`),
      wildcardResource(`${arnPrefix('ecs')}:task/${clusterRef}/*`),
      wildcardResource(`${arnPrefix('ecs')}:container-instance/${clusterRef}/*`),
    );
    acknowledge(
      fn,
      'Per-project ECR repositories are created at deploy time; management is limited to the portico/ prefix.',
      wildcardResource(`${arnPrefix('ecr')}:repository/${REPOSITORY_PREFIX}*`),
    );
    acknowledge(fn, 'ecs:RegisterTaskDefinition supports no resource-level permissions.', wildcardResource('*'));
    acknowledgeVpcLambdaRole(fn);
  }

  private addWildcardDomain(domain: { readonly name: string; readonly hostedZoneId: string }): void {
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.name,
    });
    const wildcard = `*.endpoint.${domain.name}`;
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: wildcard,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    const domainName = new apigw.DomainName(this, 'DomainName', { domainName: wildcard, certificate });
    const api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Portico: *.endpoint domain in front of the gateway Lambda',
      defaultIntegration: new HttpLambdaIntegration('Gateway', this.function),
      createDefaultStage: false,
      disableExecuteApiEndpoint: true,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      domainMapping: { domainName },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    new route53.ARecord(this, 'WildcardAlias', {
      zone,
      recordName: wildcard,
      target: route53.RecordTarget.fromAlias(
        new targets.ApiGatewayv2DomainProperties(domainName.regionalDomainName, domainName.regionalHostedZoneId),
      ),
    });
    acknowledge(api, 'Demo endpoints are public by design; the gateway enforces per-project access itself.', 'AwsSolutions-APIG4');
  }
}
