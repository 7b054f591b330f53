import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BUILD_SECRET_VARIABLE_PREFIX, BUILD_SECRETS_NAME_PREFIX, BUILD_VARIABLES, IMAGE_VARIABLES } from '../../gateway/adapters/aws/build-variables.ts';
import { acknowledge, arnPrefix, refOf, wildcardResource } from '../nag.ts';

/** ECR repositories Portico creates and may push to: one per project, all under this prefix. */
export const REPOSITORY_PREFIX = 'portico/';


/**
 * Commands that read the pushed image's configuration (every ENV and LABEL it inherited from its
 * bases) from the registry and export the GPU-related ones. BuildKit's container driver pushes
 * without loading the image into the local engine, so `docker image inspect` would find nothing:
 * `buildx imagetools inspect` reads the same configuration from ECR. A failure to read leaves
 * PORTICO_IMAGE_CONFIG unset (the release then keeps the Dockerfile's placement), never fails the build.
 */
function readImageConfig(image: string): string[] {
  const i = IMAGE_VARIABLES;
  const env = (name: string, jq = '') => `[(.Env // [])[] | select(startswith("${name}=")) | ltrimstr("${name}=")${jq}] | last // ""`;
  const exported = (variable: string, program: string) => `export ${variable}="$(printf '%s' "$IMAGE_CONFIG_JSON" | jq -r '${program}')"`;
  return [
    `if IMAGE_CONFIG_JSON="$(docker buildx imagetools inspect "${image}" --format '{{json .Image.Config}}')"; then ${[
      exported(i.cudaVersion, env('CUDA_VERSION')),
      exported(i.requireCuda, env('NVIDIA_REQUIRE_CUDA', ' | split(" ")[0]')),
      exported(i.visibleDevices, env('NVIDIA_VISIBLE_DEVICES')),
      exported(i.gpuLabel, '.Labels["portico.gpu"] // ""'),
      `export ${i.read}=read`,
    ].join(' && ')}; else echo "Portico: could not read the image configuration; the placement decided from the Dockerfile stays" >&2; fi`,
  ];
}

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
        [v.buildSecretIds]: { value: '' },
      },
      logging: { cloudWatch: { logGroup: this.logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        // The pushed image's own configuration goes back to the release step, which decides the GPU again from it.
        env: { 'exported-variables': Object.values(IMAGE_VARIABLES) },
        phases: {
          pre_build: {
            commands: [
              `for name in ${v.sourceUrl} ${v.commit} ${v.repositoryUri}; do if [ -z "$(printenv $name)" ]; then echo "Portico: $name is not set for this build" >&2; exit 1; fi; done`,
              `aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "\${${v.repositoryUri}%%/*}"`,
              `git init -q src && git -C src fetch -q --depth 1 "$${v.sourceUrl}" "$${v.commit}" && git -C src checkout -q FETCH_HEAD`,
              'docker buildx create --use --driver docker-container --name portico',
              // Build secrets by reference: --secret id=NAME,env=VAR reads the variable CodeBuild resolved from
              // Secrets Manager; no value is on a command line, in the log (CodeBuild masks them) or in a layer.
              `SECRET_FLAGS=""; for id in $${v.buildSecretIds}; do SECRET_FLAGS="$SECRET_FLAGS --secret id=$id,env=${BUILD_SECRET_VARIABLE_PREFIX}$id"; done`,
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
                '--provenance=false --push $SECRET_FLAGS',
                `"$${v.context}"`,
              ].join(' '),
              ...readImageConfig(`$${v.repositoryUri}:$${v.commit}`),
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
    // Build secrets (codebuild-builder.ts): CodeBuild resolves SECRETS_MANAGER variables with the build's role.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadBuildSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [buildSecretsArn(stack)],
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
    acknowledge(
      this.role,
      'Each Portico project with build secrets gets its own secret under portico/build-secrets/, created at deploy time.',
      wildcardResource(`${arnPrefix('secretsmanager')}:secret:${BUILD_SECRETS_NAME_PREFIX}*`),
    );
  }
}

/** The Secrets Manager secrets holding projects' build secrets (secrets-manager-build-secrets.ts). */
export function buildSecretsArn(stack: Stack): string {
  return stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${BUILD_SECRETS_NAME_PREFIX}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
