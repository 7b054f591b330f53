import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PorticoConfig } from './config.ts';
import { Builds } from './constructs/builds.ts';
import { Cluster } from './constructs/cluster.ts';
import { Events } from './constructs/events.ts';
import { Gateway } from './constructs/gateway.ts';
import { Network } from './constructs/network.ts';
import { State } from './constructs/state.ts';
import { acknowledge, arnPrefix, refOf, wildcardResource } from './nag.ts';

export interface PorticoStackProps extends StackProps {
  /** Already validated (see config.ts); the stack reads no context itself. */
  readonly config: PorticoConfig;
}

/** Portico on AWS: composes one construct per resource group. */
export class PorticoStack extends Stack {
  readonly network: Network;
  readonly state: State;
  readonly builds: Builds;
  readonly cluster: Cluster;
  readonly gateway: Gateway;
  readonly events: Events;

  constructor(scope: Construct, id: string, props: PorticoStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.network = new Network(this, 'Network', { vpc: config.vpc });
    const { vpc, workloadSubnets: subnets } = this.network;
    this.state = new State(this, 'State');
    this.builds = new Builds(this, 'Builds');
    this.cluster = new Cluster(this, 'Cluster', { vpc, subnets, gpuPools: config.gpuPools });
    this.gateway = new Gateway(this, 'Gateway', {
      vpc,
      subnets,
      state: this.state,
      builds: this.builds,
      cluster: this.cluster,
      idleTimeoutSeconds: config.idleTimeoutSeconds,
      ...(config.domain && config.hostedZoneId
        ? { domain: { name: config.domain, hostedZoneId: config.hostedZoneId } }
        : {}),
    });
    this.events = new Events(this, 'Events', {
      vpc,
      subnets,
      builds: this.builds,
      securityGroup: this.gateway.securityGroup,
      environment: this.gateway.environment,
    });
    this.state.grantReadWrite(this.events.buildEventsFunction);
    this.state.grantReadWrite(this.events.reaperFunction);
    this.events.reaperFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ScaleIdleDemos',
        actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
        resources: [
          this.formatArn({ service: 'ecs', resource: 'service', resourceName: `${this.cluster.cluster.clusterName}/*` }),
        ],
      }),
    );
    acknowledge(
      this.events.reaperFunction,
      'The reaper scales any Portico demo service in this cluster; service names are chosen at deploy time.',
      wildcardResource(`${arnPrefix('ecs')}:service/${refOf(this.cluster.cluster)}/*`),
    );
  }
}
