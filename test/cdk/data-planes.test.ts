import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PorticoStack } from '../../cdk/portico-stack.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { FORWARD_HOST_FUNCTION, ORIGIN_READ_TIMEOUT_SECONDS } from '../../cdk/constructs/edge.ts';
import { IDLE_TIMEOUT_SECONDS, MAX_TASKS, MIN_TASKS, SERVICE_PORT } from '../../cdk/constructs/gateway-service.ts';
import { parsePorticoConfig } from '../../cdk/config.ts';
import { TOKEN_SHA256, makeApp, makeProps, synthTemplate } from './make-props.ts';

/*
 * The two data planes of `-c dataPlane=lambda|service` on a custom domain: CloudFront in front
 * of the streaming Function URL, or the gateway service behind an Application Load Balancer.
 */

const DOMAIN = { domain: 'example.com', hostedZoneId: 'Z0123456789ABC' } as const;
const WILDCARD = '*.endpoint.example.com';

type Resource = { Type: string; Properties: Record<string, unknown> };
const only = (template: Template, type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('dataPlane context', () => {
  it('defaults to lambda', () => {
    expect(parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256 }).dataPlane).toBe('lambda');
  });

  it('refuses a value that is neither lambda nor service, naming both', () => {
    expect(() => parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, dataPlane: 'fargate' })).toThrow(/dataPlane: must be "lambda" .* or "service"/);
  });

  it('refuses service without a domain: the load balancer serves *.endpoint.<domain>', () => {
    expect(() => parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, dataPlane: 'service' })).toThrow(/dataPlane: dataPlane "service" serves \*\.endpoint\.<domain>.*set domain and hostedZoneId/);
  });
});

describe('dataPlane lambda with a domain', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate({ ...DOMAIN });
  }, 120_000);

  it('serves the wildcard domain from CloudFront, every method, nothing cached, HTTPS only, TLS 1.2+', () => {
    const [, distribution] = only(template, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties['DistributionConfig'] as Record<string, unknown>;
    expect(config['Aliases']).toEqual([WILDCARD]);
    expect(config['ViewerCertificate']).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    const behavior = config['DefaultCacheBehavior'] as Record<string, unknown>;
    expect(behavior['AllowedMethods']).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(behavior['ViewerProtocolPolicy']).toBe('redirect-to-https');
    // AWS's managed CachingDisabled and AllViewerExceptHostHeader policies.
    expect(behavior['CachePolicyId']).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behavior['OriginRequestPolicyId']).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
  });

  it('has the streaming Function URL as its origin, read timeout at CloudFront’s maximum', () => {
    const [, distribution] = only(template, 'AWS::CloudFront::Distribution');
    const [origin] = ((distribution.Properties['DistributionConfig'] as { Origins: Record<string, unknown>[] }).Origins);
    expect(JSON.stringify(origin!['DomainName'])).toMatch(/"GatewayFunctionFunctionUrl[0-9A-F]{8}","FunctionUrl"/);
    expect(origin!['CustomOriginConfig']).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginReadTimeout: ORIGIN_READ_TIMEOUT_SECONDS });
    template.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'RESPONSE_STREAM', AuthType: 'NONE' });
  });

  it('copies the viewer’s Host into X-Forwarded-Host at viewer request, the header the gateway reads', () => {
    const [, fn] = only(template, 'AWS::CloudFront::Function');
    expect(fn.Properties['FunctionCode']).toBe(FORWARD_HOST_FUNCTION);
    const request = { headers: { host: { value: 'main-hello-acme.endpoint.example.com' } } } as { headers: Record<string, { value: string }> };
    const handler = new Function(`${FORWARD_HOST_FUNCTION}; return handler;`)() as (event: { request: typeof request }) => typeof request;
    expect(handler({ request }).headers['x-forwarded-host']).toEqual({ value: 'main-hello-acme.endpoint.example.com' });
    const [, distribution] = only(template, 'AWS::CloudFront::Distribution');
    expect(JSON.stringify(distribution.Properties)).toContain('"EventType":"viewer-request"');
  });

  it('requests the wildcard certificate in us-east-1, where CloudFront takes certificates from', () => {
    template.hasResourceProperties('AWS::CloudFormation::CustomResource', { DomainName: WILDCARD, Region: 'us-east-1', HostedZoneId: 'Z0123456789ABC' });
  });

  it('points A and AAAA alias records for the wildcard at the distribution, and has no HTTP API or load balancer', () => {
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${WILDCARD}.`,
        Type: type,
        AliasTarget: { DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('EdgeDistribution'), 'DomainName'] }, HostedZoneId: Match.anyValue() },
      });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
  });
});

describe('dataPlane service', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate({ ...DOMAIN, dataPlane: 'service' });
  }, 120_000);

  it('puts an internet-facing load balancer on the wildcard domain, idle connections kept an hour', () => {
    const [, alb] = only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(alb.Properties['Scheme']).toBe('internet-facing');
    expect(alb.Properties['LoadBalancerAttributes']).toEqual(
      expect.arrayContaining([
        { Key: 'idle_timeout.timeout_seconds', Value: String(IDLE_TIMEOUT_SECONDS) },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    );
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: WILDCARD, ValidationMethod: 'DNS' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: `${WILDCARD}.`, Type: 'A', AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }) });
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
  });

  it('listens on HTTPS with the wildcard certificate, answers 404 by default and redirects HTTP', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('GatewayServiceCertificate') } }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) }],
    });
  });

  it('sends every demo host to the gateway service’s targets, and only those', () => {
    const [, rule] = only(template, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rule.Properties['Conditions']).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: [WILDCARD] } }]);
    expect(rule.Properties['Actions']).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^GatewayServiceTargets/) } }]);
  });

  it('health-checks each task on the gateway’s /healthz at its port', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: SERVICE_PORT,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
    });
  });

  it('runs the gateway service as a small always-on Fargate service with the functions’ environment', () => {
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: MIN_TASKS, LaunchType: Match.absent(), CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] });
    const [, task] = Object.entries(template.findResources('AWS::ECS::TaskDefinition') as Record<string, Resource>).find(([id]) => id.startsWith('GatewayServiceTask'))!;
    expect(task.Properties).toMatchObject({ Cpu: '256', Memory: '512', RequiresCompatibilities: ['FARGATE'] });
    const [container] = task.Properties['ContainerDefinitions'] as { Environment: { Name: string; Value: unknown }[]; PortMappings: unknown[] }[];
    const names = container!.Environment.map((entry) => entry.Name);
    expect(names).toEqual(expect.arrayContaining(['PORTICO_TABLE_NAME', 'PORTICO_CLUSTER_ARN', 'PORTICO_ENDPOINT_DOMAIN', 'PORT']));
    expect(container!.Environment).toContainEqual({ Name: 'PORT', Value: String(SERVICE_PORT) });
    expect(container!.PortMappings).toEqual([{ ContainerPort: SERVICE_PORT, Protocol: 'tcp' }]);
  });

  it('scales the service between its minimum and maximum on CPU and on requests per target', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: MIN_TASKS, MaxCapacity: MAX_TASKS, ScalableDimension: 'ecs:service:DesiredCount' });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }), TargetValue: 1000 }),
    });
  });

  it('lets the load balancer reach the service, and the service reach demo tasks', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: SERVICE_PORT,
      ToPort: SERVICE_PORT,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('GatewayServiceSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('GatewayServiceLoadBalancerSecurityGroup'), 'GroupId'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterTaskSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('GatewayServiceSecurityGroup'), 'GroupId'] },
    });
  });

  it('builds its image from the gateway service bundle on Node, with the AWS SDK at this checkout’s versions', () => {
    const app = makeApp();
    new PorticoStack(app, 'Portico', makeProps({ ...DOMAIN, dataPlane: 'service' }));
    const assembly = app.synth();
    const image = JSON.stringify(assembly.getStackByName('Portico').template);
    const hash = /container-assets-.*?:([0-9a-f]{64})"/.exec(image)?.[1];
    const dir = join(assembly.directory, `asset.${hash}`);
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\/docker\/library\/node:20-slim$/m);
    expect(dockerfile).toContain('RUN npm install --omit=dev');
    expect(dockerfile).toMatch(/^CMD \["node", "index\.mjs"\]$/m);
    const { dependencies } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const require = createRequire(import.meta.url);
    expect(dependencies['@aws-sdk/client-ecs']).toBe((require('@aws-sdk/client-ecs/package.json') as { version: string }).version);
    expect(Object.keys(dependencies).sort()).toEqual(['@aws-sdk/client-cloudwatch-logs', '@aws-sdk/client-codebuild', '@aws-sdk/client-dynamodb', '@aws-sdk/client-ecr', '@aws-sdk/client-ecs', '@aws-sdk/client-lambda', '@aws-sdk/client-secrets-manager', '@aws-sdk/lib-dynamodb']);
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    // Every SDK package the bundle imports is installed in the image.
    const imported = new Set([...bundle.matchAll(/(?:from\s*|import\s*\(\s*)"(@aws-sdk\/[^"]+)"/g)].map((match) => match[1]!));
    for (const name of imported) expect(Object.keys(dependencies)).toContain(name);
    expect(bundle).toContain('Portico gateway service listening');
  }, 120_000);
});
