import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthTemplate } from './make-props.ts';
import { tableSchema } from '../../gateway/adapters/aws/dynamodb-store.ts';

const GPU_AMI_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Resource = { Type: string; Properties: Record<string, unknown> };

function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** Every statement of the policies attached to the role that `functionId` runs as. */
function statementsOfFunctionRole(template: Template, functionIdPrefix: string): Statement[] {
  const [, fn] = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(functionIdPrefix)) ?? [];
  const roleRef = (fn?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleRef))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('PorticoStack (default config)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate();
  });

  it('puts each GPU pool in an Auto Scaling group that starts at zero and uses a launch template', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '3',
      MixedInstancesPolicy: {
        LaunchTemplate: {
          LaunchTemplateSpecification: { LaunchTemplateId: { Ref: Match.stringLikeRegexp('LaunchTemplate') } },
          Overrides: [{ InstanceType: 'g4dn.xlarge' }, { InstanceType: 'g5.xlarge' }],
        },
      },
    });
    template.resourceCountIs('AWS::AutoScaling::LaunchConfiguration', 0);
  });

  it('boots GPU instances from the ECS GPU-optimized Amazon Linux 2023 AMI with GPU support on', () => {
    const [parameterId] = Object.entries(template.findParameters('*', { Default: GPU_AMI_PARAMETER })).map(([id]) => id);
    expect(parameterId).toBeDefined();
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        ImageId: { Ref: parameterId },
        MetadataOptions: { HttpTokens: 'required' },
        UserData: { 'Fn::Base64': { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('ECS_ENABLE_GPU_SUPPORT=true')])] } },
      }),
    });
  });

  it('registers the GPU pool as a managed-scaling capacity provider next to Fargate and Fargate Spot', () => {
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      Name: 'portico-gpu',
      AutoScalingGroupProvider: {
        AutoScalingGroupArn: { Ref: Match.stringLikeRegexp('GpuPoolgpuGroup') },
        ManagedScaling: Match.objectLike({ Status: 'ENABLED' }),
        ManagedTerminationProtection: 'DISABLED',
      },
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT', { Ref: Match.stringLikeRegexp('GpuPoolgpuCapacityProvider') }],
    });
  });

  it('runs the gateway Lambda in the VPC behind a streaming Function URL', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      VpcConfig: {
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('workloads') }]),
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('GatewaySecurityGroup'), 'GroupId'] }],
      },
      Environment: { Variables: Match.objectLike({ PORTICO_TABLE_NAME: { Ref: Match.stringLikeRegexp('StateTable') } }) },
    });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
  });

  it('grants the gateway exactly the ECS, CodeBuild, ECR, PassRole and table actions it calls', () => {
    const statements = statementsOfFunctionRole(template, 'GatewayFunction');
    const nonTable = statements.flatMap(actionsOf).filter((a) => !a.startsWith('dynamodb:'));
    expect(nonTable.sort()).toEqual(
      [
        'codebuild:BatchGetBuilds',
        'codebuild:StartBuild',
        'ecr:CreateRepository',
        'ecr:DeleteRepository',
        'ecr:PutLifecyclePolicy',
        'ecs:CreateService',
        'ecs:DeleteService',
        'ecs:DescribeClusters',
        'ecs:DescribeServices',
        'ecs:DescribeTasks',
        'ecs:ListTasks',
        'ecs:RegisterTaskDefinition',
        'ecs:UpdateService',
        'iam:PassRole',
      ].sort(),
    );
    const table = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(table.length).toBeGreaterThan(0);
    for (const s of table) expect(JSON.stringify(s.Resource)).toContain('StateTable');
    const passRole = statements.find((s) => actionsOf(s).includes('iam:PassRole'));
    expect(JSON.stringify(passRole?.Resource)).toMatch(/TaskExecutionRole.*TaskRole/);
    const ecr = statements.find((s) => actionsOf(s).includes('ecr:CreateRepository'));
    expect(JSON.stringify(ecr?.Resource)).toContain(':repository/portico/*');
    const wildcard = statements.filter((s) => s.Resource === '*').flatMap(actionsOf);
    expect(wildcard).toEqual(['ecs:RegisterTaskDefinition']);
  });

  it('builds in privileged CodeBuild with a BuildKit registry cache and CloudWatch logs', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        PrivilegedMode: true,
        EnvironmentVariables: Match.arrayWith([
          Match.objectLike({ Name: 'COMMIT_SHA' }),
          Match.objectLike({ Name: 'DOCKERFILE', Value: 'Dockerfile' }),
          Match.objectLike({ Name: 'BUILD_CONTEXT', Value: '.' }),
          Match.objectLike({ Name: 'IMAGE_REPOSITORY_URI' }),
        ]),
      }),
      Source: {
        Type: 'NO_SOURCE',
        BuildSpec: Match.stringLikeRegexp(
          'docker buildx build.*--cache-from \\\\"type=registry,ref=\\$IMAGE_REPOSITORY_URI:buildcache\\\\".*--cache-to \\\\"type=registry,ref=\\$IMAGE_REPOSITORY_URI:buildcache,mode=max,image-manifest=true',
        ),
      },
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('BuildsLogs') } } },
    });
  });

  it('lets only ECR repositories named portico/* receive pushes', () => {
    const pushes = resourcesOfType(template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => actionsOf(s).includes('ecr:PutImage'));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]?.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':repository/portico/*']],
    });
    const codeBuildRoleRef = JSON.stringify(
      resourcesOfType(template, 'AWS::CodeBuild::Project')[0]?.[1].Properties.ServiceRole,
    );
    const pushingPolicy = resourcesOfType(template, 'AWS::IAM::Policy').find(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('ecr:PutImage'),
    );
    expect(codeBuildRoleRef).toContain(
      (pushingPolicy?.[1].Properties.Roles as { Ref: string }[])[0]?.Ref ?? 'no role',
    );
  });

  it('sends this project\'s CodeBuild state changes to the build-events function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codebuild'],
        'detail-type': ['CodeBuild Build State Change'],
        detail: { 'project-name': [{ Ref: Match.stringLikeRegexp('BuildsProject') }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventsBuildEvents'), 'Arn'] } })],
    });
  });

  it('runs the idle reaper every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventsReaper'), 'Arn'] } })],
    });
  });

  it('keeps state in an on-demand table with point-in-time recovery and PK/SK string keys', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // The keys the DynamoDB store was written for.
      KeySchema: tableSchema.KeySchema,
      AttributeDefinitions: tableSchema.AttributeDefinitions,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('routes egress through one NAT gateway and DynamoDB and S3 through gateway endpoints', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const gatewayEndpoints = resourcesOfType(template, 'AWS::EC2::VPCEndpoint').filter(
      ([, e]) => e.Properties.VpcEndpointType === 'Gateway',
    );
    expect(gatewayEndpoints.map(([, e]) => JSON.stringify(e.Properties.ServiceName)).join()).toMatch(/dynamodb.*s3/);
  });

  it('creates no certificate or DNS record without a domain', () => {
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });
});

describe('PorticoStack (domain and interface endpoints)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate({
      domain: 'example.com',
      hostedZoneId: 'Z0123456789ABC',
      vpc: { natGateways: 0, useInterfaceEndpoints: true },
    });
  });

  it('validates a *.endpoint.<domain> certificate through DNS in the hosted zone', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: '*.endpoint.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: '*.endpoint.example.com', HostedZoneId: 'Z0123456789ABC' }],
    });
  });

  it('points the wildcard name at the API custom domain with an alias record', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: '*.endpoint.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABC',
      AliasTarget: { DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('GatewayDomainName'), 'RegionalDomainName'] } },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: '*.endpoint.example.com' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PORTICO_ENDPOINT_DOMAIN: 'endpoint.example.com' }) },
    });
  });

  it('reaches ECS, ECR, CodeBuild and CloudWatch Logs through interface endpoints instead of NAT', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const interfaces = resourcesOfType(template, 'AWS::EC2::VPCEndpoint')
      .filter(([, e]) => e.Properties.VpcEndpointType === 'Interface')
      .map(([, e]) => JSON.stringify(e.Properties.ServiceName));
    for (const service of ['.ecs"', '.ecs-agent"', '.ecs-telemetry"', '.ecr.api"', '.ecr.dkr"', '.codebuild"', '.logs"']) {
      expect(interfaces.some((name) => name.includes(service))).toBe(true);
    }
  });
});

describe('cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    app: string;
    context: Record<string, unknown>;
  };

  it('runs the app with tsx', () => {
    expect(cdkJson.app).toBe('npx tsx cdk/app.ts');
  });

  it('sets every feature flag aws-cdk-lib recommends, including launch templates for Auto Scaling', () => {
    const recommended = JSON.parse(
      readFileSync(new URL('../../node_modules/aws-cdk-lib/recommended-feature-flags.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    expect(cdkJson.context['@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig']).toBe(true);
    expect(cdkJson.context).toMatchObject(recommended);
  });
});
