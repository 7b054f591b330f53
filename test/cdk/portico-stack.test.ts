import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthTemplate } from './make-props.ts';
import { TTL_ATTRIBUTE } from '../../gateway/adapters/aws/dynamodb-delivery-log.ts';
import { tableSchema } from '../../gateway/adapters/aws/dynamodb-store.ts';
import { capacityProviderFor } from '../../gateway/adapters/aws/capacity.ts';
import { loadAwsConfig } from '../../gateway/aws-config.ts';

const GPU_AMI_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
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

/** Logical ids of the Lambda functions whose id starts with `prefix`. */
function functionsNamed(template: Template, prefix: string): string[] {
  return resourcesOfType(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith(prefix)).map(([id]) => id);
}

function functionProps(template: Template, id: string | undefined): Record<string, unknown> {
  const fn = resourcesOfType(template, 'AWS::Lambda::Function').find(([candidate]) => candidate === id);
  if (!fn) throw new Error(`no function ${id ?? '(none)'} in the template`);
  return fn[1].Properties;
}

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/**
 * Evaluates the intrinsics a function environment holds the way CloudFormation would, with
 * stand-ins for what only a deployment knows: a Ref becomes `ref-<LogicalId>`, a GetAtt `<id>.<attr>`.
 */
function resolveIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if ('Ref' in node) {
    const pseudo: Record<string, string> = { 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::Partition': 'aws' };
    return pseudo[node.Ref as string] ?? `ref-${String(node.Ref)}`;
  }
  if ('Fn::GetAtt' in node) return (node['Fn::GetAtt'] as string[]).join('.');
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveIntrinsic).join(separator);
  }
  throw new Error(`unexpected intrinsic in a function environment: ${JSON.stringify(value)}`);
}

/** The environment a function would run with once deployed (Lambda adds AWS_REGION itself). */
function resolvedEnvironment(template: Template, prefix: string): Record<string, string> {
  const [id] = functionsNamed(template, prefix);
  const variables = (functionProps(template, id).Environment as { Variables: Record<string, unknown> }).Variables;
  return { ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolveIntrinsic(value)])), AWS_REGION: REGION };
}

/** Every ECS, CodeBuild, ECR and IAM action the core's adapters send, and nothing more; DynamoDB on the table only. */
const CORE_ACTIONS = [
  'codebuild:BatchGetBuilds',
  'codebuild:ListBuildsForProject',
  'codebuild:StartBuild',
  'ecr:BatchGetImage',
  'ecr:CreateRepository',
  'ecr:DeleteRepository',
  'ecr:GetDownloadUrlForLayer',
  'ecr:PutLifecyclePolicy',
  'ecs:CreateService',
  'ecs:DeleteService',
  'ecs:DescribeClusters',
  'ecs:DescribeContainerInstances',
  'ecs:DescribeServices',
  'ecs:DescribeTasks',
  'ecs:ListServices',
  'ecs:ListTasks',
  'ecs:RegisterTaskDefinition',
  'ecs:TagResource',
  'ecs:UpdateService',
  'iam:PassRole',
  'logs:GetLogEvents',
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
].sort();

/** The Secrets Manager secrets holding projects' build secrets, as the core writes and CodeBuild reads them. */
const BUILD_SECRETS_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:portico/build-secrets/*`;

/** The webhook secret's value, all the webhook route reads (not `grantRead`, which adds DescribeSecret). */
const WEBHOOK_SECRET_ACTIONS = ['secretsmanager:GetSecretValue'];

function expectCoreGrants(template: Template, prefix: string, extraActions: readonly string[] = []): void {
  const statements = statementsOfFunctionRole(template, prefix);
  const nonTable = statements.flatMap(actionsOf).filter((a) => !a.startsWith('dynamodb:'));
  const expected = [...CORE_ACTIONS, ...extraActions].sort();
  expect([...new Set(nonTable)].sort()).toEqual(expected);
  expect(nonTable).toHaveLength(expected.length);
  const table = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
  expect(table.length).toBeGreaterThan(0);
  for (const s of table) expect(JSON.stringify(s.Resource)).toContain('StateTable');
  const passRole = statements.find((s) => actionsOf(s).includes('iam:PassRole'));
  expect(JSON.stringify(passRole?.Resource)).toMatch(/TaskExecutionRole.*TaskRole/);
  const ecr = statements.find((s) => actionsOf(s).includes('ecr:CreateRepository'));
  expect(JSON.stringify(ecr?.Resource)).toContain(':repository/portico/*');
  const buildSecrets = statements.find((s) => actionsOf(s).includes('secretsmanager:PutSecretValue'));
  expect(resolveIntrinsic(buildSecrets?.Resource)).toBe(BUILD_SECRETS_ARN);
  const codebuild = statements.find((s) => actionsOf(s).includes('codebuild:StartBuild'));
  expect(codebuild?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BuildsProject/), 'Arn'] });
  const wildcard = statements.filter((s) => s.Resource === '*');
  expect(wildcard.flatMap(actionsOf).sort()).toEqual(['ecs:ListServices', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition']);
  const list = statements.find((s) => actionsOf(s).includes('ecs:ListServices'));
  expect(list?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^Cluster[0-9A-F]{8}$/), 'Arn'] } } });
  const output = statements.find((s) => actionsOf(s).includes('logs:GetLogEvents'));
  expect((output?.Resource as unknown[]).map((resource) => JSON.stringify(resource))).toEqual([
    expect.stringMatching(/:log-group:",\{"Ref":"ClusterTaskLogs[0-9A-F]{8}"\},":log-stream:\*"/),
    expect.stringMatching(/:log-group:",\{"Ref":"BuildsLogs[0-9A-F]{8}"\},":log-stream:\*"/),
  ]);
  const tag = statements.find((s) => actionsOf(s).includes('ecs:TagResource'));
  expect(tag?.Condition).toEqual({ StringEquals: { 'ecs:CreateAction': ['CreateService', 'RegisterTaskDefinition'] } });
  const [, fn] = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix)) ?? [];
  const roleId = (fn?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const managed = JSON.stringify(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns);
  expect(managed.match(/service-role\/[A-Za-z]+/g)?.sort()).toEqual(['service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole']);
}

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
          Overrides: [{ InstanceType: 'g4dn.xlarge' }, { InstanceType: 'g4dn.2xlarge' }],
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

  it('has the GPU instances’ ECS agent start a woken demo from its cached image and keep images a day', () => {
    const [, launchTemplate] = resourcesOfType(template, 'AWS::EC2::LaunchTemplate')[0]!;
    const userData = JSON.stringify((launchTemplate.Properties['LaunchTemplateData'] as { UserData: unknown }).UserData);
    expect(userData).toContain('echo ECS_IMAGE_PULL_BEHAVIOR=prefer-cached >> /etc/ecs/ecs.config');
    expect(userData).toContain('echo ECS_IMAGE_MINIMUM_CLEANUP_AGE=24h >> /etc/ecs/ecs.config');
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
    const [id] = functionsNamed(template, 'GatewayFunction');
    expect(functionProps(template, id).Handler).toBe('index.handler');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      VpcConfig: {
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('workloads') }]),
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('GatewaySecurityGroup'), 'GroupId'] }],
      },
      Environment: { Variables: Match.objectLike({ PORTICO_TABLE_NAME: { Ref: Match.stringLikeRegexp('StateTable') } }) },
    });
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: { 'Fn::GetAtt': [id, 'Arn'] },
    });
  });

  it('has no HTTP API, CloudFront distribution or load balancer without a domain', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
  });

  it('gives the gateway five minutes and the build-events and reaper functions Lambda\'s full fifteen', () => {
    expect(functionProps(template, functionsNamed(template, 'GatewayFunction')[0]).Timeout).toBe(300);
    expect(functionProps(template, functionsNamed(template, 'EventsBuildEvents')[0]).Timeout).toBe(900);
    expect(functionProps(template, functionsNamed(template, 'EventsReaper')[0]).Timeout).toBe(900);
  });

  it.each(['GatewayFunction', 'EventsBuildEvents', 'EventsReaper'])('grants %s exactly the actions the core calls (the gateway also hands rollbacks over)', (prefix) => {
    expectCoreGrants(template, prefix, prefix === 'GatewayFunction' ? ['lambda:InvokeFunction'] : []);
  });

  it('lets the gateway invoke the build-events function, and only it, to release a rollback; the functions that release know no function to invoke', () => {
    const [buildEvents] = functionsNamed(template, 'EventsBuildEvents');
    expect(resolvedEnvironment(template, 'GatewayFunction')['PORTICO_RELEASE_FUNCTION']).toBe(resolveIntrinsic({ Ref: buildEvents }));
    const invoke = statementsOfFunctionRole(template, 'GatewayFunction').filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.map((s) => [actionsOf(s), s.Resource])).toStrictEqual([[['lambda:InvokeFunction'], { 'Fn::GetAtt': [buildEvents, 'Arn'] }]]);
    for (const prefix of ['EventsBuildEvents', 'EventsReaper']) expect(loadAwsConfig(resolvedEnvironment(template, prefix)).releaseFunction).toBeNull();
  });

  it.each(['GatewayFunction', 'EventsBuildEvents', 'EventsReaper'])('gives %s an environment loadAwsConfig accepts, GPU pools included', (prefix) => {
    const config = loadAwsConfig(resolvedEnvironment(template, prefix));
    expect(config.ecrRegistry).toBe(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`);
    expect(config.gpuPools).toEqual([
      { name: 'gpu', gpuModel: 'T4', computeCapability: '7.5', driverVersion: '550.144.03', maxGpus: 1, instanceTypes: ['g4dn.xlarge', 'g4dn.2xlarge'] },
    ]);
    expect(config.taskSubnets).toHaveLength(2);
    expect(config.taskSecurityGroups).toEqual([expect.stringContaining('ClusterTaskSecurityGroup')]);
    expect(config.idleTimeoutSeconds).toBe(900);
    expect(config.domain).toBeNull();
    expect(config.githubWebhookSecretId).toBeNull();
  });

  it('names each GPU capacity provider the way the ECS runtime asks for it', () => {
    const [pool] = functionsNamed(template, 'GatewayFunction').map((id) => loadAwsConfig(resolvedEnvironment(template, id)).gpuPools[0]);
    const [share] = capacityProviderFor(pool?.name ?? 'none');
    template.hasResourceProperties('AWS::ECS::CapacityProvider', { Name: share?.capacityProvider });
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

  it('hands the build its secrets as BuildKit secrets by reference, readable only under portico/build-secrets/', () => {
    const buildspec = (resourcesOfType(template, 'AWS::CodeBuild::Project')[0]![1].Properties.Source as { BuildSpec: string }).BuildSpec;
    expect(buildspec).toContain('for id in $PORTICO_BUILD_SECRET_IDS; do SECRET_FLAGS=\\"$SECRET_FLAGS --secret id=$id,env=PORTICO_BUILD_SECRET_$id\\"; done');
    expect(buildspec).toMatch(/docker buildx build.*--push \$SECRET_FLAGS/);
    const reads = resourcesOfType(template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes('portico/build-secrets/'));
    expect(reads).toHaveLength(1);
    expect(actionsOf(reads[0]!)).toEqual(['secretsmanager:GetSecretValue']);
    expect(resolveIntrinsic(reads[0]!.Resource)).toBe(BUILD_SECRETS_ARN);
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

  it('keeps state in an on-demand table with point-in-time recovery, PK/SK string keys and the delivery log\'s TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
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

describe('PorticoStack (domain, interface endpoints and a webhook secret)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate({
      domain: 'example.com',
      hostedZoneId: 'Z0123456789ABC',
      vpc: { natGateways: 0, useInterfaceEndpoints: true },
      githubWebhookSecretName: 'portico/github-webhook',
    });
  });

  it.each(['GatewayFunction'])('lets %s read the named webhook secret and nothing else in Secrets Manager', (prefix) => {
    expect(loadAwsConfig(resolvedEnvironment(template, prefix)).githubWebhookSecretId).toBe('portico/github-webhook');
    const secretStatements = statementsOfFunctionRole(template, prefix).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')) && resolveIntrinsic(s.Resource) !== BUILD_SECRETS_ARN);
    expect(secretStatements).toHaveLength(1);
    expect(actionsOf(secretStatements[0]!).sort()).toEqual(WEBHOOK_SECRET_ACTIONS);
    // The name plus the six random characters Secrets Manager appends to every secret's ARN.
    expect(resolveIntrinsic(secretStatements[0]!.Resource)).toBe(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:portico/github-webhook-??????`);
  });

  it('gives the build-events and reaper functions no access to the webhook secret, nor its name', () => {
    for (const prefix of ['EventsBuildEvents', 'EventsReaper']) {
      expectCoreGrants(template, prefix);
      expect(loadAwsConfig(resolvedEnvironment(template, prefix)).githubWebhookSecretId).toBeNull();
    }
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
