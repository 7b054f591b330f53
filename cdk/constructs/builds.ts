import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BUILD_VARIABLES } from '../../gateway/adapters/aws/build-variables.ts';
import { acknowledge, arnPrefix, refOf, wildcardResource } from '../nag.ts';

/** ECR repositories Portico creates and may push to: one per project, all under this prefix. */
export const REPOSITORY_PREFIX = 'portico/';


/**
 * The CodeBuild project that builds a repository's Dockerfile at one commit and pushes the
 * image, tagged with the commit, to the project's ECR repository. BuildKit keeps its layer
 * cache in the same repository (tag `buildcache`) so rebuilds of a large ML image are fast.
 */
export class Builds extends Construct {
  readonly project: codebuild.Project;
  readonly logGroup: logs.LogGroup;
  /** The builds' role; `project.addToRolePolicy` adds to it too (see the constructor). */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const v = BUILD_VARIABLES;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The project's role holds exactly what the buildspec and CodeBuild's logging use
    // (test/cdk/permissions.test.ts). CDK's Project would add a policy for the default
    // /aws/codebuild/<project> log group and for test report groups, neither of which these builds
    // use, so the project gets the role without policy updates while it is constructed.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: 'Portico builds: push to ECR portico/* and write the build log',
    });
    this.logGroup.grantWrite(this.role);

    this.project = new codebuild.Project(this, 'Project', {
      role: this.role.withoutPolicyUpdates(),
      grantReportGroupPermissions: false,
      description: 'Portico: builds a Dockerfile at a commit and pushes it to ECR (portico/*)',
      timeout: Duration.minutes(60),
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.MEDIUM,
        privileged: true,
      },
      environmentVariables: {
        [v.sourceUrl]: { value: '' },
        [v.commit]: { value: '' },
        [v.dockerfile]: { value: 'Dockerfile' },
        [v.context]: { value: '.' },
        [v.repositoryUri]: { value: '' },
      },
      logging: { cloudWatch: { logGroup: this.logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          pre_build: {
            commands: [
              `for name in ${v.sourceUrl} ${v.commit} ${v.repositoryUri}; do if [ -z "$(printenv $name)" ]; then echo "Portico: $name is not set for this build" >&2; exit 1; fi; done`,
              `aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "\${${v.repositoryUri}%%/*}"`,
              `git init -q src && git -C src fetch -q --depth 1 "$${v.sourceUrl}" "$${v.commit}" && git -C src checkout -q FETCH_HEAD`,
              'docker buildx create --use --driver docker-container --name portico',
            ],
          },
          build: {
            commands: [
              [
                'cd src && docker buildx build',
                `--file "$${v.dockerfile}"`,
                `--tag "$${v.repositoryUri}:$${v.commit}"`,
                `--cache-from "type=registry,ref=$${v.repositoryUri}:buildcache"`,
                `--cache-to "type=registry,ref=$${v.repositoryUri}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true"`,
                '--provenance=false --push',
                `"$${v.context}"`,
              ].join(' '),
            ],
          },
        },
      }),
    });

    // Grants made on the project from here on reach the role (the immutable wrapper above only
    // keeps out the policies CDK's Project adds while it is constructed).
    this.project.addToRolePolicy = (statement: iam.PolicyStatement) => void this.role.addToPolicy(statement);

    const stack = Stack.of(this);
    const repositories = stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: `${REPOSITORY_PREFIX}*` });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PushToPorticoRepositories',
        actions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
        ],
        resources: [repositories],
      }),
    );
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));

    acknowledge(this.project, 'Privileged mode is required to run the Docker daemon that builds user images.', 'AwsSolutions-CB3');
    acknowledge(this.project, 'The project produces no artifacts; images go to ECR, which encrypts at rest.', 'AwsSolutions-CB4');
    acknowledge(
      this.role,
      'Each build writes its own log stream, named by CodeBuild at run time, in the project\'s log group.',
      wildcardResource(`GetAtt::${refOf(this.logGroup).slice(1, -1)}.Arn:*`),
    );
    acknowledge(
      this.role,
      'Each Portico project gets its own ECR repository under portico/, created at deploy time; pushes are limited to that prefix.',
      wildcardResource(`${arnPrefix('ecr')}:repository/${REPOSITORY_PREFIX}*`),
    );
    acknowledge(this.role, 'ecr:GetAuthorizationToken supports no resource-level permissions.', wildcardResource('*'));
  }
}
