import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Helpers for acknowledging cdk-nag findings. cdk-nag 3.x matches each finding by exact id,
 * and IAM5 ids embed the resource ARN as cdk-nag renders it (tokens become <AWS::Region>,
 * references become <LogicalId>), so these build those strings instead of copying them.
 */

/** Acknowledges every id on `scope` (and so on everything beneath it) with one reason. */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** The IAM5 finding id for a wildcard resource. */
export const wildcardResource = (arn: string): string => `AwsSolutions-IAM5[Resource::${arn}]`;

/** The IAM5 finding id for a wildcard action. */
export const wildcardAction = (action: string): string => `AwsSolutions-IAM5[Action::${action}]`;

/** The IAM4 finding id for an AWS managed policy under `service-role/`. */
export const managedServiceRolePolicy = (name: string): string =>
  `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;

/** An ARN prefix as cdk-nag renders it for an environment-agnostic stack. */
export const arnPrefix = (service: string): string => `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>`;

/** How cdk-nag renders a `Ref` to `construct`'s CloudFormation resource: `<LogicalId>`. */
export function refOf(construct: IConstruct): string {
  const resource = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return `<${Stack.of(resource).resolve(resource.logicalId) as string}>`;
}

/** Lambda's own managed policies for logging and VPC network interfaces: what every VPC function needs, nothing more. */
export function acknowledgeVpcLambdaRole(fn: IConstruct): void {
  acknowledge(
    fn,
    'AWSLambdaBasicExecutionRole and AWSLambdaVPCAccessExecutionRole are the minimal policies for logging and VPC ENIs.',
    managedServiceRolePolicy('AWSLambdaBasicExecutionRole'),
    managedServiceRolePolicy('AWSLambdaVPCAccessExecutionRole'),
  );
}
