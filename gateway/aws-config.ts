import { ConfigError } from './config.ts';
import { type GpuPool, parseGpuPools } from './domain/gpu-pools.ts';

/**
 * What the Lambda functions need to know, from the environment the CDK stack gives them
 * (cdk/constructs/gateway.ts). Read once by the entry files in functions/.
 */
export interface AwsConfig {
  readonly region: string;
  readonly tableName: string;
  readonly cluster: string;
  readonly buildProject: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly ecrRegistry: string;
  readonly taskExecutionRoleArn: string;
  readonly taskRoleArn: string;
  readonly taskLogGroup: string;
  readonly taskSecurityGroups: readonly string[];
  readonly taskSubnets: readonly string[];
  readonly gpuPools: readonly GpuPool[];
  readonly idleTimeoutSeconds: number;
  /** SHA-256 (hex) of the API token mutating calls must send; only the hash is deployed. */
  readonly tokenSha256: string;
  /** Endpoints are `{label}.{domain}` when set; otherwise only `/p/{label}/` on the gateway's own URL. */
  readonly domain: string | null;
  readonly githubApiUrl: string;
  readonly githubToken: string | undefined;
  /** Secrets Manager secret holding the GitHub webhook's HMAC key; null: webhooks are refused. */
  readonly githubWebhookSecretId: string | null;
  readonly containerMemoryBytes: number;
  readonly containerNanoCpus: number;
  readonly startupTimeoutMs: number;
  readonly upstreamTimeoutMs: number;
  /** ECR keeps this many images per project. */
  readonly keepImages: number;
  /** The function a rollback's release is handed to (the build-events function); null: this function cannot roll back. */
  readonly releaseFunction: string | null;
}

export function loadAwsConfig(env: Readonly<Record<string, string | undefined>>): AwsConfig {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new ConfigError(`${name} is not set; the Portico CDK stack sets it on every function (redeploy with \`npx cdk deploy\`)`);
    return value;
  };
  const optional = (name: string): string | undefined => env[name]?.trim() || undefined;
  const whole = (name: string, fallback: number): number => {
    const text = optional(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive whole number, got "${text}"`);
    return value;
  };
  const list = (name: string): string[] => required(name).split(',').map((item) => item.trim()).filter((item) => item);
  let gpuPools: GpuPool[] = [];
  try {
    gpuPools = parseGpuPools(optional('PORTICO_GPU_POOLS') ?? '[]');
  } catch (error) {
    throw new ConfigError(`PORTICO_GPU_POOLS: ${(error as Error).message}`);
  }
  return {
    region: required('AWS_REGION'),
    tableName: required('PORTICO_TABLE_NAME'),
    cluster: required('PORTICO_CLUSTER_ARN'),
    buildProject: required('PORTICO_BUILD_PROJECT'),
    ecrRegistry: required('PORTICO_ECR_REGISTRY'),
    taskExecutionRoleArn: required('PORTICO_TASK_EXECUTION_ROLE_ARN'),
    taskRoleArn: required('PORTICO_TASK_ROLE_ARN'),
    taskLogGroup: required('PORTICO_TASK_LOG_GROUP'),
    taskSecurityGroups: list('PORTICO_TASK_SECURITY_GROUP'),
    taskSubnets: list('PORTICO_TASK_SUBNETS'),
    gpuPools,
    idleTimeoutSeconds: whole('PORTICO_IDLE_TIMEOUT_SECONDS', 900),
    tokenSha256: sha256Hex(required('PORTICO_TOKEN_SHA256')),
    domain: optional('PORTICO_ENDPOINT_DOMAIN') ?? null,
    githubApiUrl: optional('PORTICO_GITHUB_API') ?? 'https://api.github.com',
    githubToken: optional('PORTICO_GITHUB_TOKEN'),
    githubWebhookSecretId: optional('PORTICO_GITHUB_WEBHOOK_SECRET_ID') ?? null,
    containerMemoryBytes: whole('PORTICO_CONTAINER_MEMORY_MB', 2048) * 1024 * 1024,
    containerNanoCpus: whole('PORTICO_CONTAINER_MILLICPUS', 1000) * 1e6,
    startupTimeoutMs: whole('PORTICO_STARTUP_TIMEOUT_MS', 300_000),
    upstreamTimeoutMs: whole('PORTICO_UPSTREAM_TIMEOUT_MS', 60_000),
    keepImages: whole('PORTICO_KEEP_IMAGES', 10),
    releaseFunction: optional('PORTICO_RELEASE_FUNCTION') ?? null,
  };
}

function sha256Hex(text: string): string {
  if (!/^[0-9a-f]{64}$/.test(text)) throw new ConfigError('PORTICO_TOKEN_SHA256 must be the 64 lowercase hex digits of the API token\'s SHA-256 (the stack sets it from the apiTokenSha256 context)');
  return text;
}
