import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Builds } from '../../cdk/constructs/builds.ts';

describe('the build project’s role', () => {
  const policyJson = (stack: Stack) => JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));

  it('gets none of the policies CDK’s Project adds on its own: no default /aws/codebuild log group, no report groups', () => {
    const stack = new Stack(new App(), 'S');
    new Builds(stack, 'Builds');
    expect(policyJson(stack)).not.toContain('/aws/codebuild/');
    expect(policyJson(stack)).not.toContain('codebuild:CreateReportGroup');
  });

  it('still receives what is granted on the project afterwards (project.addToRolePolicy)', () => {
    const stack = new Stack(new App(), 'S');
    const builds = new Builds(stack, 'Builds');
    builds.project.addToRolePolicy(new iam.PolicyStatement({ sid: 'GrantedLater', actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:portico/x-??????'] }));
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Sid?: string }[] } } }[];
    const later = policies.find((policy) => policy.Properties.PolicyDocument.Statement.some((statement) => statement.Sid === 'GrantedLater'));
    expect(later?.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^BuildsRole/) }]);
  });
});
