import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { VpcConfig } from '../config.ts';
import { acknowledge } from '../nag.ts';

export interface NetworkProps {
  readonly vpc: VpcConfig;
}

/**
 * The VPC the gateway Lambda, GPU instances and Fargate tasks share. Private subnets reach
 * AWS either through NAT gateways or through interface endpoints; DynamoDB and S3 (ECR
 * layers live in S3) always go through free gateway endpoints.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** Where workloads run: private with egress when there is a NAT, isolated otherwise. */
  readonly workloadSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const withNat = props.vpc.natGateways > 0;
    const privateType = withNat ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    this.workloadSubnets = { subnetType: privateType };

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.vpc.natGateways,
      subnetConfiguration: [
        ...(withNat ? [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }] : []),
        { name: 'workloads', subnetType: privateType, cidrMask: 20 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) } },
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });

    if (props.vpc.useInterfaceEndpoints) {
      const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
        Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
        EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
        EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
        EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
        EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
        CodeBuild: ec2.InterfaceVpcEndpointAwsService.CODEBUILD,
        Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      };
      for (const [name, service] of Object.entries(services)) {
        const endpoint = this.vpc.addInterfaceEndpoint(name, { service, subnets: this.workloadSubnets, privateDnsEnabled: true });
        acknowledge(
          endpoint,
          'Endpoint security groups admit HTTPS from the VPC CIDR only (a reference cdk-nag cannot evaluate).',
          'AwsSolutions-EC23',
        );
      }
    }
  }
}
