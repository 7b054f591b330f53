/*
 * Just enough of CloudFormation and IAM to check a synthesized template's permissions offline:
 * intrinsics evaluated with stand-in physical names, the statements attached to a role, and
 * IAM's evaluation of one request (action, resource ARN, condition keys) against them.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const PARTITION = 'aws';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export type CfnTemplate = { readonly Resources: Record<string, CfnResource> };

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A statement with its resources and condition values evaluated. */
export interface ResolvedStatement {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions: readonly { readonly operator: string; readonly key: string; readonly values: readonly string[] }[];
  /** Where it comes from: the role's own policies, or the AWS managed policy it names. */
  readonly source: string;
}

/** One request as IAM sees it. */
export interface AwsRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
  /** Why the code makes it (file, call): shown when it is not allowed. */
  readonly why: string;
}

/** A resource's physical name as the stand-in for what only a deployment knows: its logical id, lowercased. */
const physicalName = (logicalId: string) => logicalId.toLowerCase();

/** `Fn::GetAtt <id>.Arn` (and a few other attributes) by resource type, as AWS forms them. */
function attribute(template: CfnTemplate, logicalId: string, attr: string): string {
  const type = template.Resources[logicalId]?.Type;
  const name = physicalName(logicalId);
  const arn = (service: string, resource: string) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
  if (attr === 'Arn') {
    switch (type) {
      case 'AWS::ECS::Cluster':
        return arn('ecs', `cluster/${name}`);
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::Logs::LogGroup':
        return arn('logs', `log-group:${name}:*`);
      case 'AWS::DynamoDB::Table':
        return arn('dynamodb', `table/${name}`);
      case 'AWS::CodeBuild::Project':
        return arn('codebuild', `project/${name}`);
      case 'AWS::Lambda::Function':
        return arn('lambda', `function:${name}`);
      case 'AWS::ElasticLoadBalancingV2::TargetGroup':
        return arn('elasticloadbalancing', `targetgroup/${name}/0123456789abcdef`);
      default:
        break;
    }
  }
  if (attr === 'GroupId') return `sg-${name}`;
  return `${name}.${attr}`;
}

/** Evaluates the intrinsics a template value holds, with pseudo parameters of one account and region. */
export function resolve(template: CfnTemplate, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const node = value as Record<string, unknown>;
  if ('Ref' in node) {
    const pseudo: Record<string, string> = { 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::Partition': PARTITION };
    return pseudo[node['Ref'] as string] ?? physicalName(node['Ref'] as string);
  }
  if ('Fn::GetAtt' in node) {
    const [id, attr] = node['Fn::GetAtt'] as [string, string];
    return attribute(template, id, attr);
  }
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolve(template, part)).join(separator);
  }
  if ('Fn::Select' in node) {
    const [index, list] = node['Fn::Select'] as [number, unknown];
    const items = Array.isArray(list) ? list.map((item) => resolve(template, item)) : resolve(template, list).split(',');
    return items[index] ?? '';
  }
  if ('Fn::Split' in node) {
    const [separator, text] = node['Fn::Split'] as [string, unknown];
    return resolve(template, text).split(separator).join(',');
  }
  if ('Fn::Sub' in node) {
    const text = node['Fn::Sub'] as string;
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => resolve(template, name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name }));
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value).slice(0, 200)}`);
}

/**
 * AWS managed policies Portico's roles attach, as AWS publishes them (policy versions at the
 * time of writing). These serve the AWS service that assumes the role, not Portico's code:
 * Lambda writes the function's logs and manages its network interfaces in the VPC.
 */
export const AWS_MANAGED_POLICIES: Record<string, readonly Statement[]> = {
  'service-role/AWSLambdaBasicExecutionRole': [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  'service-role/AWSLambdaVPCAccessExecutionRole': [
    {
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    },
  ],
};

/** Every statement that applies to the role `roleLogicalId`: its policies, inline policies and managed policies. */
export function statementsOfRole(template: CfnTemplate, roleLogicalId: string): ResolvedStatement[] {
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role in the template`);
  const documents: { source: string; statements: readonly Statement[] }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = (resource.Properties?.['Roles'] as { Ref?: string }[] | undefined) ?? [];
    if (!roles.some((ref) => ref.Ref === roleLogicalId)) continue;
    documents.push({ source: id, statements: (resource.Properties!['PolicyDocument'] as { Statement: Statement[] }).Statement });
  }
  for (const inline of (role.Properties?.['Policies'] as { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []) {
    documents.push({ source: `${roleLogicalId}/${inline.PolicyName}`, statements: inline.PolicyDocument.Statement });
  }
  for (const managed of (role.Properties?.['ManagedPolicyArns'] as unknown[] | undefined) ?? []) {
    const arn = resolve(template, managed);
    const name = arn.replace(/^arn:[^:]+:iam::aws:policy\//, '');
    const statements = AWS_MANAGED_POLICIES[name];
    if (!statements) throw new Error(`${roleLogicalId} attaches ${arn}, whose statements this test does not know: add them to AWS_MANAGED_POLICIES`);
    documents.push({ source: `AWS managed ${name}`, statements });
  }
  return documents.flatMap(({ source, statements }) =>
    statements.map((statement, index) => {
      if (statement.Effect !== 'Allow') throw new Error(`${source} has a Deny statement; this check models Allow only`);
      const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
      return {
        sid: statement.Sid ?? `${source}#${index}`,
        actions: list(statement.Action) as string[],
        resources: list(statement.Resource).map((resource) => resolve(template, resource)),
        conditions: Object.entries(statement.Condition ?? {}).flatMap(([operator, keys]) =>
          Object.entries(keys).map(([key, values]) => ({ operator, key, values: list(values).map((value) => resolve(template, value)) })),
        ),
        source,
      };
    }),
  );
}

/** IAM's wildcard match: `*` any run of characters, `?` any one. */
export function globMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'is' : 's');
  return regex.test(value);
}

function conditionHolds(condition: ResolvedStatement['conditions'][number], context: Readonly<Record<string, string>>): boolean {
  const actual = context[condition.key];
  if (actual === undefined) return false; // a key the request does not carry fails every operator used here
  switch (condition.operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return condition.values.includes(actual);
    case 'StringLike':
    case 'ArnLike':
      return condition.values.some((value) => globMatch(value, actual));
    default:
      throw new Error(`condition operator ${condition.operator} is not modelled`);
  }
}

/** Whether `statement` allows `request` (action, resource and every condition). */
export function allows(statement: ResolvedStatement, request: AwsRequest): boolean {
  return (
    statement.actions.some((action) => globMatch(action, request.action, true)) &&
    statement.resources.some((resource) => globMatch(resource, request.resource)) &&
    statement.conditions.every((condition) => conditionHolds(condition, request.context ?? {}))
  );
}

/** The (statement, action, resource) grants no request uses. */
export function unusedGrants(statements: readonly ResolvedStatement[], requests: readonly AwsRequest[]): string[] {
  const unused: string[] = [];
  for (const statement of statements) {
    for (const action of statement.actions) {
      for (const resource of statement.resources) {
        const single: ResolvedStatement = { ...statement, actions: [action], resources: [resource] };
        if (!requests.some((request) => allows(single, request))) unused.push(`${statement.sid}: ${action} on ${resource}`);
      }
    }
  }
  return unused;
}
