import { describe, expect, it } from 'vitest';
import { loadAwsConfig } from '../gateway/aws-config.ts';
import { ConfigError } from '../gateway/config.ts';

/** Every variable the CDK stack sets on the functions, as Lambda would see them. */
const FULL: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  PORTICO_TABLE_NAME: 'portico-state',
  PORTICO_CLUSTER_ARN: 'arn:aws:ecs:eu-west-1:123456789012:cluster/portico',
  PORTICO_BUILD_PROJECT: 'portico-builds',
  PORTICO_ECR_REGISTRY: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  PORTICO_TASK_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/exec',
  PORTICO_TASK_ROLE_ARN: 'arn:aws:iam::123456789012:role/task',
  PORTICO_TASK_LOG_GROUP: '/portico/demos',
  PORTICO_TASK_SECURITY_GROUP: 'sg-demos',
  PORTICO_TASK_SUBNETS: 'subnet-a, subnet-b,',
  PORTICO_GPU_POOLS: '[{"name":"t4","gpuModel":"Tesla T4","driverVersion":"550.54.14","maxGpus":1,"instanceTypes":["g4dn.xlarge"]}]',
  PORTICO_IDLE_TIMEOUT_SECONDS: '600',
  PORTICO_TOKEN_SHA256: 'a'.repeat(64),
  PORTICO_ENDPOINT_DOMAIN: 'endpoint.example.com',
  PORTICO_GITHUB_API: 'https://github.example.com/api/v3',
  PORTICO_GITHUB_TOKEN: 'ghp_secret',
  PORTICO_GITHUB_WEBHOOK_SECRET_ID: 'portico/github-webhook',
  PORTICO_CONTAINER_MEMORY_MB: '4096',
  PORTICO_CONTAINER_MILLICPUS: '2000',
  PORTICO_STARTUP_TIMEOUT_MS: '120000',
  PORTICO_UPSTREAM_TIMEOUT_MS: '30000',
  PORTICO_KEEP_IMAGES: '5',
  PORTICO_RELEASE_FUNCTION: 'portico-build-events',
};

const REQUIRED = [
  'AWS_REGION',
  'PORTICO_TABLE_NAME',
  'PORTICO_CLUSTER_ARN',
  'PORTICO_BUILD_PROJECT',
  'PORTICO_ECR_REGISTRY',
  'PORTICO_TASK_EXECUTION_ROLE_ARN',
  'PORTICO_TASK_ROLE_ARN',
  'PORTICO_TASK_LOG_GROUP',
  'PORTICO_TASK_SECURITY_GROUP',
  'PORTICO_TASK_SUBNETS',
  'PORTICO_TOKEN_SHA256',
];

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadAwsConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadAwsConfig accepted the environment');
}

describe('loadAwsConfig', () => {
  it('reads every variable the stack sets', () => {
    expect(loadAwsConfig(FULL)).toStrictEqual({
      region: 'eu-west-1',
      tableName: 'portico-state',
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/portico',
      buildProject: 'portico-builds',
      ecrRegistry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      taskExecutionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      taskRoleArn: 'arn:aws:iam::123456789012:role/task',
      taskLogGroup: '/portico/demos',
      taskSecurityGroups: ['sg-demos'],
      taskSubnets: ['subnet-a', 'subnet-b'],
      gpuPools: [{ name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '550.54.14', maxGpus: 1, instanceTypes: ['g4dn.xlarge'] }],
      idleTimeoutSeconds: 600,
      tokenSha256: 'a'.repeat(64),
      domain: 'endpoint.example.com',
      githubApiUrl: 'https://github.example.com/api/v3',
      githubToken: 'ghp_secret',
      githubWebhookSecretId: 'portico/github-webhook',
      containerMemoryBytes: 4096 * 1024 * 1024,
      containerNanoCpus: 2e9,
      startupTimeoutMs: 120_000,
      upstreamTimeoutMs: 30_000,
      keepImages: 5,
      releaseFunction: 'portico-build-events',
    });
  });

  it('falls back to the defaults for the optional variables', () => {
    const required = Object.fromEntries(REQUIRED.map((name) => [name, FULL[name]]));
    expect(loadAwsConfig(required)).toMatchObject({
      gpuPools: [],
      idleTimeoutSeconds: 900,
      domain: null,
      githubApiUrl: 'https://api.github.com',
      githubToken: undefined,
      releaseFunction: null,
      githubWebhookSecretId: null,
      containerMemoryBytes: 2048 * 1024 * 1024,
      containerNanoCpus: 1e9,
      startupTimeoutMs: 300_000,
      upstreamTimeoutMs: 60_000,
      keepImages: 10,
    });
  });

  it.each(REQUIRED)('names a missing %s and says to redeploy the stack', (name) => {
    const error = configError({ ...FULL, [name]: undefined });
    expect(error.message).toBe(`${name} is not set; the Portico CDK stack sets it on every function (redeploy with \`npx cdk deploy\`)`);
  });

  it('treats a blank required variable as missing', () => {
    expect(configError({ ...FULL, PORTICO_TABLE_NAME: '  ' }).message).toContain('PORTICO_TABLE_NAME is not set');
  });

  it.each([
    ['PORTICO_IDLE_TIMEOUT_SECONDS', 'ten'],
    ['PORTICO_CONTAINER_MEMORY_MB', '-1'],
    ['PORTICO_KEEP_IMAGES', '1.5'],
    ['PORTICO_STARTUP_TIMEOUT_MS', '0'],
  ])('explains a bad number in %s', (name, value) => {
    expect(configError({ ...FULL, [name]: value }).message).toBe(`${name} must be a positive whole number, got "${value}"`);
  });

  it('refuses a token hash that is not a SHA-256 (the token itself, say), so no token is ever deployed in clear', () => {
    expect(configError({ ...FULL, PORTICO_TOKEN_SHA256: 'the-token-itself' }).message).toContain('PORTICO_TOKEN_SHA256 must be the 64 lowercase hex digits');
  });

  it('explains GPU pools that are not JSON', () => {
    const message = configError({ ...FULL, PORTICO_GPU_POOLS: '[{name: t4}]' }).message;
    expect(message).toMatch(/^PORTICO_GPU_POOLS: GPU pools are not valid JSON \(.+\); expected e\.g\. \[\{"name":"t4"/);
  });

  it('explains a GPU pool with a bad field, naming the pool and the field', () => {
    const message = configError({ ...FULL, PORTICO_GPU_POOLS: '[{"name":"t4","gpuModel":"Tesla T4","driverVersion":"550.54.14","maxGpus":0}]' }).message;
    expect(message).toBe('PORTICO_GPU_POOLS: GPU pool 0: maxGpus must be a positive whole number of GPUs, e.g. 1, got 0');
  });
});
