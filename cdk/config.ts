import { z } from 'zod';
import { parseGpuPools } from '../gateway/domain/gpu-pools.ts';
import { PorticoError } from '../gateway/errors.ts';
import { gpuPoolsOf } from './gpu-pools.ts';

/** Capacity provider names may not start with "aws", "ecs" or "fargate"; we prefix ours, so pool names stay short DNS-ish words. */
const poolName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be 1-31 lowercase letters, digits or hyphens, starting with a letter');

const gpuPoolSchema = z.object({
  name: poolName,
  instanceTypes: z
    .array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'must look like an EC2 instance type such as g4dn.xlarge'))
    .min(1, 'list at least one EC2 instance type'),
  maxInstances: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'),
  /** GPUs on each instance (g4dn.xlarge: 1, g4dn.12xlarge: 4): the most one demo can get from this pool. */
  gpusPerInstance: z.number().int().min(1, 'must be at least 1').max(16, 'must be at most 16').default(1),
  /** The GPU as nvidia-smi names it, e.g. "T4" or "A10G"; Portico checks CUDA architecture support against it. */
  gpuModel: z.string().min(1),
  /** Compute capability ("7.5"); may be left out for GPUs Portico knows (T4, A10G, L4, A100, H100, …). */
  computeCapability: z.string().regex(/^\d{1,2}\.\d$/, 'must be "major.minor" such as 7.5').optional(),
  /** NVIDIA driver on the AMI; CUDA-to-driver compatibility is checked against it before building. */
  driverVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'must be major.minor[.patch] such as 550.144.03 (nvidia-smi --query-gpu=driver_version)'),
});

/**
 * The default pool: one T4 per g4dn.xlarge. The driver is what the ECS GPU-optimized AL2023 AMI
 * shipped when this was written; AWS updates the AMI (and so the driver), so operators must set
 * driverVersion to what their instances report (`nvidia-smi --query-gpu=driver_version`).
 */
export const DEFAULT_GPU_POOL = {
  name: 'gpu',
  instanceTypes: ['g4dn.xlarge'],
  maxInstances: 2,
  gpusPerInstance: 1,
  gpuModel: 'T4',
  driverVersion: '550.144.03',
} as const;

const vpcSchema = z
  .object({
    /** NAT gateways give demos internet egress (model downloads); 0 means none. */
    natGateways: z.number().int().min(0).max(3).default(1),
    /** Private endpoints for ECS, ECR, CodeBuild and CloudWatch Logs, so AWS API traffic skips the NAT (or works without one). */
    useInterfaceEndpoints: z.boolean().default(false),
  })
  .refine((v) => v.natGateways > 0 || v.useInterfaceEndpoints, {
    message:
      'vpc: with natGateways 0 the private subnets cannot reach AWS APIs; set vpc.natGateways to 1 or more, or vpc.useInterfaceEndpoints to true',
  });

export const porticoConfigSchema = z
  .object({
    /** Demos are served at <label>.endpoint.<domain>; without it the Lambda Function URL is the only entry point. */
    domain: z
      .string()
      .regex(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/, 'must be a lowercase DNS name such as example.com')
      .optional(),
    /** Route 53 hosted zone for `domain`; used for certificate validation and the wildcard alias. */
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]+$/, 'must be a Route 53 hosted zone id such as Z0123456789ABC').optional(),
    gpuPools: z
      .array(gpuPoolSchema)
      .default([{ ...DEFAULT_GPU_POOL, instanceTypes: [...DEFAULT_GPU_POOL.instanceTypes] }])
      .refine((pools) => new Set(pools.map((p) => p.name)).size === pools.length, {
        message: 'gpuPools: pool names must be unique',
      })
      // The gateway reads the pools with parseGpuPools at cold start: refuse here what it would refuse there.
      .superRefine((pools, ctx) => {
        if (!z.array(gpuPoolSchema).safeParse(pools).success) return; // already reported field by field
        try {
          parseGpuPools(JSON.stringify(gpuPoolsOf(pools)));
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
    /**
     * SHA-256 (hex) of the API token every mutating API call must send as `Authorization: Bearer`.
     * Only the hash is deployed, so the token itself is in no template, no Lambda setting and no log.
     */
    apiTokenSha256: z
      .string({ error: 'is required: the management API is public on AWS; make a token and pass its hash, e.g. TOKEN=$(openssl rand -hex 32); echo -n "$TOKEN" | sha256sum' })
      .regex(/^[0-9a-f]{64}$/, 'must be the 64 lowercase hex digits of a SHA-256, e.g. echo -n "$TOKEN" | sha256sum'),
    /**
     * Name of a Secrets Manager secret (plain text) holding the GitHub webhook's secret. Only
     * the name is deployed; the gateway reads the value when a delivery arrives. Absent: webhooks are refused.
     */
    githubWebhookSecretName: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name such as portico/github-webhook (letters, digits and /_+=.@-)')
      .optional(),
    idleTimeoutSeconds: z.number().int().min(60, 'must be at least 60').max(86_400, 'must be at most 86400 (one day)').default(900),
    vpc: vpcSchema.default({ natGateways: 1, useInterfaceEndpoints: false }),
    /**
     * What carries demo traffic on the wildcard domain. `lambda`: CloudFront in front of the
     * gateway's streaming Function URL ($0 at idle). `service`: the gateway's Node listener as a
     * small always-on ECS service behind an Application Load Balancer (WebSockets, long requests).
     */
    dataPlane: z.enum(['lambda', 'service'], { error: 'must be "lambda" (CloudFront to the Function URL, $0 at idle) or "service" (an always-on ECS service behind a load balancer)' }).default('lambda'),
  })
  .refine((c) => (c.domain === undefined) === (c.hostedZoneId === undefined), {
    message: 'domain and hostedZoneId go together: set both (to serve *.endpoint.<domain>) or neither',
  })
  .refine((c) => c.dataPlane !== 'service' || c.domain !== undefined, {
    message: 'dataPlane "service" serves *.endpoint.<domain> from a load balancer: set domain and hostedZoneId too, or use dataPlane "lambda"',
    path: ['dataPlane'],
  });

export type PorticoConfig = z.infer<typeof porticoConfigSchema>;
export type GpuPoolConfig = PorticoConfig['gpuPools'][number];
export type VpcConfig = PorticoConfig['vpc'];
export type DataPlane = PorticoConfig['dataPlane'];

/** Validates raw CDK context; throws one PorticoError listing every problem with its path, so `cdk synth` fails before building anything. */
export function parsePorticoConfig(raw: unknown): PorticoConfig {
  const result = porticoConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.join('.');
    return path ? `  - ${path}: ${issue.message}` : `  - ${issue.message}`;
  });
  throw new PorticoError(
    'invalid_input',
    `Invalid Portico CDK context (fix it in cdk.json "context" or the -c flags):\n${problems.join('\n')}`,
  );
}
