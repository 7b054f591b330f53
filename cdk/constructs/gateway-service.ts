import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import type { Builds } from './builds.ts';
import type { Cluster } from './cluster.ts';
import { grantCore } from './core-access.ts';
import { bundling } from './gateway.ts';
import type { State } from './state.ts';
import { acknowledge, wildcardResource } from '../nag.ts';

export interface GatewayServiceProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly cluster: Cluster;
  readonly builds: Builds;
  readonly state: State;
  readonly zone: route53.IHostedZone;
  /** `*.endpoint.<domain>`. */
  readonly wildcard: string;
  /** The gateway functions' environment (aws-config.ts reads the same). */
  readonly environment: Record<string, string>;
}

/** The port the gateway service listens on inside its task. */
export const SERVICE_PORT = 8080;
/** How long the load balancer keeps an idle connection (a quiet WebSocket, a long inference) open: an hour (ALB allows 4000 s). */
export const IDLE_TIMEOUT_SECONDS = 3600;
export const MIN_TASKS = 1;
export const MAX_TASKS = 4;

/**
 * The gateway service's image: gateway/aws-server.ts bundled with the Lambda functions' esbuild
 * options (aliases included, the AWS SDK external as on Lambda), on Node's slim image, with the
 * SDK clients installed at the versions this checkout uses. Bundled by esbuild at synth, so
 * `cdk synth` needs no Docker; `cdk deploy` builds and pushes the image from this directory.
 */
function imageDirectory(): string {
  const dir = join(tmpdir(), `portico-gateway-service-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  buildSync({
    entryPoints: [fileURLToPath(new URL('../../gateway/aws-server.ts', import.meta.url))],
    outfile: join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    banner: { js: bundling.banner },
    alias: Object.fromEntries(Object.entries(bundling.esbuildArgs).map(([flag, path]) => [flag.replace('--alias:', ''), path])),
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  const sdk = Object.fromEntries(SDK_PACKAGES.map((name) => [name, (require(`${name}/package.json`) as { version: string }).version]));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'portico-gateway-service', private: true, type: 'module', dependencies: sdk }, null, 2)}\n`);
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM public.ecr.aws/docker/library/node:20-slim',
      'WORKDIR /app',
      'COPY package.json .',
      'RUN npm install --omit=dev --no-audit --no-fund',
      'COPY index.mjs .',
      'USER node',
      `EXPOSE ${SERVICE_PORT}`,
      'CMD ["node", "index.mjs"]',
      '',
    ].join('\n'),
  );
  return dir;
}

/** The SDK packages the gateway's adapters import (gateway/adapters/aws/). */
const SDK_PACKAGES = ['@aws-sdk/client-cloudwatch-logs', '@aws-sdk/client-codebuild', '@aws-sdk/client-dynamodb', '@aws-sdk/client-ecr', '@aws-sdk/client-ecs', '@aws-sdk/client-lambda', '@aws-sdk/client-secrets-manager', '@aws-sdk/lib-dynamodb'];
const require = createRequire(import.meta.url);

/**
 * The `service` data plane: `*.endpoint.<domain>` on an Application Load Balancer whose one
 * rule sends every demo host to a small always-on Fargate service running the gateway's Node
 * listener (gateway/aws-server.ts), which proxies straight to the demo tasks: WebSockets, SSE,
 * large bodies and requests up to the idle timeout work as they do locally. The API, webhooks,
 * build events and the reaper stay on Lambda (the Function URL).
 */
export class GatewayService extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly service: ecs.FargateService;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: GatewayServiceProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const task = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    task.addContainer('gateway', {
      image: ecs.ContainerImage.fromAsset(imageDirectory()),
      environment: { ...props.environment, PORT: String(SERVICE_PORT) },
      portMappings: [{ containerPort: SERVICE_PORT }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'gateway' }),
      readonlyRootFilesystem: true,
    });
    grantCore(task.taskRole, props);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: 'Portico gateway service', allowAllOutbound: true });
    props.cluster.taskSecurityGroup.connections.allowFrom(securityGroup, ec2.Port.allTcp(), 'gateway service proxies to demos');
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster.cluster,
      taskDefinition: task,
      desiredCount: MIN_TASKS,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE', weight: 1 }],
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: MIN_TASKS, maxCapacity: MAX_TASKS });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      idleTimeout: Duration.seconds(IDLE_TIMEOUT_SECONDS),
      dropInvalidHeaderFields: true,
    });
    const certificate = new acm.Certificate(this, 'Certificate', { domainName: props.wildcard, validation: acm.CertificateValidation.fromDns(props.zone) });
    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not a Portico endpoint' }),
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc: props.vpc,
      port: SERVICE_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
    });
    https.addAction('Demos', { priority: 10, conditions: [elbv2.ListenerCondition.hostHeaders([props.wildcard])], action: elbv2.ListenerAction.forward([this.targetGroup]) });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 1000, targetGroup: this.targetGroup });

    new route53.ARecord(this, 'WildcardAlias', { zone: props.zone, recordName: props.wildcard, target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)) });

    acknowledge(this.loadBalancer, 'Demo endpoints are public by design: the load balancer takes HTTPS (and HTTP, redirected) from anywhere.', 'AwsSolutions-EC23');
    acknowledge(this.loadBalancer, 'The gateway service logs every request it proxies; ALB access logs would need an S3 bucket.', 'AwsSolutions-ELB2');
    acknowledge(task, 'ecr:GetAuthorizationToken (pulling the gateway image) supports no resource-level permissions.', wildcardResource('*'));
    acknowledge(task, 'The environment holds names and ARNs (table, cluster, roles), no secrets: the API token is only its hash.', 'AwsSolutions-ECS2');
  }
}
