import { Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PorticoConfig } from './config.ts';
import { Builds } from './constructs/builds.ts';
import { Cluster } from './constructs/cluster.ts';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Edge } from './constructs/edge.ts';
import { Events } from './constructs/events.ts';
import { Gateway } from './constructs/gateway.ts';
import { GatewayService } from './constructs/gateway-service.ts';
import { Network } from './constructs/network.ts';
import { State } from './constructs/state.ts';

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
  /** With a domain and dataPlane `lambda`: CloudFront in front of the Function URL. */
  readonly edge: Edge | undefined;
  /** With dataPlane `service`: the always-on gateway service behind a load balancer. */
  readonly gatewayService: GatewayService | undefined;

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
      apiTokenSha256: config.apiTokenSha256,
      ...(config.githubWebhookSecretName ? { githubWebhookSecretName: config.githubWebhookSecretName } : {}),
      ...(config.domain && config.hostedZoneId
        ? { domain: { name: config.domain, hostedZoneId: config.hostedZoneId } }
        : {}),
    });
    this.events = new Events(this, 'Events', {
      vpc,
      subnets,
      cluster: this.cluster,
      builds: this.builds,
      state: this.state,
      securityGroup: this.gateway.securityGroup,
      // Only the gateway answers webhooks: the others get no secret name, so their code never asks Secrets Manager.
      environment: withoutWebhookSecret(this.gateway.environment),
    });
    // A rollback requested through the API is released by the build-events function.
    this.events.grantRelease(this.gateway.function);

    this.edge = undefined;
    this.gatewayService = undefined;
    if (config.domain && config.hostedZoneId) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: config.hostedZoneId, zoneName: config.domain });
      const wildcard = `*.endpoint.${config.domain}`;
      if (config.dataPlane === 'service') {
        this.gatewayService = new GatewayService(this, 'GatewayService', {
          vpc,
          subnets,
          cluster: this.cluster,
          builds: this.builds,
          state: this.state,
          zone,
          wildcard,
          environment: withoutWebhookSecret(this.gateway.environment),
        });
      } else {
        this.edge = new Edge(this, 'Edge', { functionUrl: this.gateway.functionUrl, zone, wildcard });
      }
    }
  }
}

function withoutWebhookSecret(environment: Record<string, string>): Record<string, string> {
  const { PORTICO_GITHUB_WEBHOOK_SECRET_ID: _secret, ...rest } = environment;
  return rest;
}
