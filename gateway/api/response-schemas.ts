import { z } from '@hono/zod-openapi';

/** What the API answers, as OpenAPI schemas. views.ts builds these shapes; the route types check they agree. */

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_input' }),
      message: z.string().openapi({ description: 'what went wrong and what to do' }),
      field: z.string().optional().openapi({ description: 'the request field at fault, for invalid_input' }),
    }),
  })
  .openapi('Error');

const phase = z.object({
  name: z.enum(['resolving', 'fetching', 'building', 'starting']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});

export const placement = z
  .object({
    gpus: z.number().int(),
    cudaVersion: z.string().nullable(),
    pool: z.string().nullable().openapi({ description: 'the GPU pool chosen, or null for CPU' }),
    reason: z.string(),
  })
  .openapi('Placement');

export const deployment = z
  .object({
    id: z.string(),
    projectId: z.string(),
    status: z.enum(['queued', 'resolving', 'fetching', 'building', 'starting', 'ready', 'failed', 'superseded']),
    commit: z.string().nullable(),
    phases: z.array(phase),
    createdAt: z.string(),
    placement: placement.nullable(),
    image: z.string().optional(),
    error: z.string().optional().openapi({ description: 'why it failed' }),
  })
  .openapi('Deployment');

const runtime = z.object({
  state: z.string().nullable().openapi({ description: 'running, paused, sleeping, waking or crashed; null before the first deployment serves' }),
  lastRequestAt: z.string().nullable(),
  coldStarts: z.number().int(),
  lastLog: z.string().nullable().optional().openapi({ description: "a crashed container's last lines of output" }),
});

const metrics = z.object({
  requests: z.number().int(),
  errors: z.number().int(),
  coldStarts: z.number().int(),
  wakes: z.number().int(),
  wakeP50Ms: z.number().nullable(),
  wakeP99Ms: z.number().nullable(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
});

export const gpuSetting = z.union([z.enum(['auto', 'prefer', 'off']), z.number().int().min(0)]);

export const project = z
  .object({
    id: z.string().openapi({ description: 'the endpoint label', example: 'main-hello-acme' }),
    endpoint: z.string().openapi({ example: 'http://main-hello-acme.localhost:8080' }),
    repo: z.string(),
    source: z.enum(['github', 'git', 'dir']),
    branch: z.string(),
    dockerfile: z.string(),
    context: z.string(),
    gpu: gpuSetting,
    placement: placement.nullable(),
    env: z.record(z.string(), z.string()),
    secrets: z.array(z.string()).openapi({ description: 'the names of the secrets; their values are never returned' }),
    idleTimeoutSeconds: z.number().int(),
    createdAt: z.string(),
    latestDeployment: deployment.nullable(),
    currentDeployment: deployment.nullable().openapi({ description: 'the deployment that is serving' }),
    runtime,
    metrics,
  })
  .openapi('Project');

export const createdProject = z.object({
  id: z.string(),
  endpoint: z.string(),
  deployment: z.object({ id: z.string(), status: deployment.shape.status }).nullable(),
});

export const projectList = z.object({ projects: z.array(project) });

export const deploymentList = z.object({ deployments: z.array(deployment).openapi({ description: 'newest first' }) });

export const updatedProject = z.object({
  project,
  deployment: deployment.nullable().openapi({ description: 'the redeployment the change started, or null when none was needed' }),
});

export const webhookAccepted = z.object({
  ignored: z.string().optional().openapi({ description: 'why nothing (new) was deployed' }),
  deployments: z.array(deployment).optional(),
});

export const webhookPong = z.object({ ok: z.literal(true), event: z.literal('ping') });
