import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { type CoreAccessProps, grantCore } from './core-access.ts';
import { bundling, functionEntry } from './gateway.ts';

export interface EventsProps extends CoreAccessProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly environment: Record<string, string>;
}

/**
 * What advances the pipeline without a request: CodeBuild state changes for our project
 * go to `functions/build-events`, and a one-minute schedule runs the idle reaper. Both run the
 * same core as the gateway, so they get the same environment and permissions.
 */
export class Events extends Construct {
  readonly buildEventsFunction: NodejsFunction;
  readonly reaperFunction: NodejsFunction;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    const common = {
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      // Releasing a build places its task, which may mean booting a GPU instance: Lambda's maximum.
      timeout: Duration.minutes(15),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      environment: props.environment,
      bundling,
    };
    this.buildEventsFunction = new NodejsFunction(this, 'BuildEvents', { ...common, entry: functionEntry('build-events') });
    this.reaperFunction = new NodejsFunction(this, 'Reaper', { ...common, entry: functionEntry('reaper') });

    grantCore(this.buildEventsFunction, props);
    grantCore(this.reaperFunction, props);

    new events.Rule(this, 'BuildStateChange', {
      description: 'Portico: CodeBuild state changes of the Portico build project',
      eventPattern: {
        source: ['aws.codebuild'],
        detailType: ['CodeBuild Build State Change'],
        detail: { 'project-name': [props.builds.project.projectName] },
      },
      targets: [new eventTargets.LambdaFunction(this.buildEventsFunction)],
    });
    new events.Rule(this, 'ReaperSchedule', {
      description: 'Portico: scale idle demos to zero',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new eventTargets.LambdaFunction(this.reaperFunction)],
    });
  }

  /**
   * Lets `fn` (the gateway, which serves the API) hand a rollback's release to the build-events
   * function (lambda-release-queue.ts): an asynchronous invoke of that one function, named in
   * PORTICO_RELEASE_FUNCTION. The functions that run releases get neither (no reference to themselves).
   */
  grantRelease(fn: lambda.Function): void {
    fn.addEnvironment('PORTICO_RELEASE_FUNCTION', this.buildEventsFunction.functionName);
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'HandOverReleases', actions: ['lambda:InvokeFunction'], resources: [this.buildEventsFunction.functionArn] }));
  }
}
