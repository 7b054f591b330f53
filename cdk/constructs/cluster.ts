import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { gpuCapacityProviderName } from '../../gateway/adapters/aws/capacity.ts';
import type { GpuPoolConfig } from '../config.ts';
import { type GpuPoolSetting, gpuPoolsOf } from '../gpu-pools.ts';
import { REPOSITORY_PREFIX } from './builds.ts';
import { acknowledge, arnPrefix, wildcardAction, wildcardResource } from '../nag.ts';

/** ECS agent settings on GPU instances (wake time: README "How a sleeping demo wakes on AWS"). */
export const AGENT_SETTINGS = ['ECS_IMAGE_PULL_BEHAVIOR=prefer-cached', 'ECS_IMAGE_MINIMUM_CLEANUP_AGE=24h'] as const;

export interface ClusterProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly gpuPools: readonly GpuPoolConfig[];
}


/**
 * The ECS cluster demos run on: Fargate (and Fargate Spot) for CPU images, and one EC2
 * capacity provider per GPU pool. GPU pools start at zero instances; ECS managed scaling
 * launches one when a GPU task is placed.
 */
export class Cluster extends Construct {
  readonly cluster: ecs.Cluster;
  /** The pools in the gateway's GpuPool shape: what `PORTICO_GPU_POOLS` carries. */
  readonly gpuPools: readonly GpuPoolSetting[];
  /** Pulls demo images from ECR and writes their logs; the gateway passes it to ECS. */
  readonly taskExecutionRole: iam.Role;
  /** The identity demo containers run as: no permissions. */
  readonly taskRole: iam.Role;
  /** Shared by every demo task; streams are prefixed by project. */
  readonly taskLogGroup: logs.LogGroup;
  /** Attached to demo tasks; the gateway Lambda is allowed in. */
  readonly taskSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.taskLogGroup = new logs.LogGroup(this, 'TaskLogs', {
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskExecutionRole = new iam.Role(this, 'TaskExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Portico demo tasks: pull from ECR portico/* and write logs',
    });
    this.taskLogGroup.grantWrite(this.taskExecutionRole);
    this.taskExecutionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PullPorticoImages',
        // What a pull needs (AWS's AmazonEC2ContainerRegistryPullOnly); layer checks are for pushes.
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        resources: [Stack.of(this).formatArn({ service: 'ecr', resource: 'repository', resourceName: `${REPOSITORY_PREFIX}*` })],
      }),
    );
    this.taskExecutionRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    acknowledge(
      this.taskExecutionRole,
      'Demo images live in per-project ECR repositories under portico/, created at deploy time.',
      wildcardResource(`${arnPrefix('ecr')}:repository/${REPOSITORY_PREFIX}*`),
    );
    acknowledge(this.taskExecutionRole, 'ecr:GetAuthorizationToken supports no resource-level permissions.', wildcardResource('*'));
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Portico demo containers: no AWS permissions',
    });
    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: props.vpc,
      description: 'Portico demo tasks',
      allowAllOutbound: true,
    });

    for (const pool of props.gpuPools) this.addGpuPool(pool, props);
    this.gpuPools = gpuPoolsOf(props.gpuPools);
  }

  private addGpuPool(pool: GpuPoolConfig, props: ClusterProps): void {
    const scope = new Construct(this, `GpuPool-${pool.name}`);
    const role = new iam.Role(scope, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Portico GPU pool ${pool.name}: ECS container instances`,
    });
    const launchTemplate = new ec2.LaunchTemplate(scope, 'LaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.GPU),
      userData: ec2.UserData.forLinux(),
      role,
      securityGroup: this.taskSecurityGroup,
      requireImdsv2: true,
      blockDevices: [
        {
          // ML images are large; the default 30 GB root volume fills after a few pulls.
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(200, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    const [first, ...rest] = pool.instanceTypes;
    const group = new autoscaling.AutoScalingGroup(scope, 'Group', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      minCapacity: 0,
      maxCapacity: pool.maxInstances,
      mixedInstancesPolicy: {
        launchTemplate,
        launchTemplateOverrides: [first, ...rest].map((t) => ({ instanceType: new ec2.InstanceType(t ?? '') })),
        instancesDistribution: { onDemandPercentageAboveBaseCapacity: 100 },
      },
    });
    group.addUserData('echo ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config');
    // A wake on an instance that ran the demo before starts from the image on its disk: tags are
    // commits and immutable, so a cached image is always the right one. The agent removes an
    // unused image after an hour by default; a day keeps it for the next wake (the 200 GB volume
    // holds several ML images), at no cost while the instance is gone anyway.
    group.addUserData(...AGENT_SETTINGS.map((setting) => `echo ${setting} >> /etc/ecs/ecs.config`));

    // The ECS runtime derives the same name from the pool (capacityProviderFor), so both agree.
    const capacityProviderName = gpuCapacityProviderName(pool.name);
    const provider = new ecs.AsgCapacityProvider(scope, 'CapacityProvider', {
      autoScalingGroup: group,
      capacityProviderName,
      enableManagedScaling: true,
      enableManagedTerminationProtection: false,
      // ECS drains tasks itself before scale-in, so CDK adds no drain-hook Lambda.
      enableManagedDraining: true,
      machineImageType: ecs.MachineImageType.AMAZON_LINUX_2,
    });
    this.cluster.addAsgCapacityProvider(provider);

    acknowledge(group, 'ECS managed scaling drives this group; ECS events already report its activity.', 'AwsSolutions-AS3');
    acknowledge(
      group,
      'The root volume is encrypted in the launch template; the rule cannot read through a mixed instances policy.',
      'AwsSolutions-EC26',
    );
    acknowledge(
      role,
      'CDK\'s standard ECS container-instance policy: ecs:Submit* and the agent calls that support no resource-level permissions.',
      wildcardResource('*'),
      wildcardAction('ecs:Submit*'),
    );
  }
}
