import { z } from './zod.ts';

/** A path inside the repository: relative, no `..`, no leading `/`. */
const repoPath = z
  .string()
  .min(1)
  .max(255)
  .refine((path) => !path.startsWith('/') && !path.split('/').includes('..'), 'must be a relative path inside the repository, without ".."');

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const envName = z.string().regex(ENV_NAME, 'environment variable names are letters, digits and _').max(200);
const envValue = z.string().max(32_768);
const atMost200 = (vars: object) => Object.keys(vars).length <= 200;

/** Environment variables (or secrets) as given at creation. */
const envMap = z.record(envName, envValue).refine(atMost200, 'at most 200 variables');
/** A change to them: a value sets the variable, null removes it, names left out stay as they are. */
const envPatch = z.record(envName, envValue.nullable()).refine(atMost200, 'at most 200 variables');
const gpu = z.union([z.enum(['auto', 'prefer', 'off']), z.number().int().min(0).max(16)]);
const idleTimeoutSeconds = z.number().int().min(1).max(7 * 24 * 3600);
/** The app's port inside its container; null: found from the README front matter and the Dockerfile. */
const port = z.number().int().min(1).max(65535).nullable();
/** How long a new container may take to answer (model downloads take minutes); null: the gateway's default. */
const startupTimeoutSeconds = z.number().int().min(1).max(24 * 3600).nullable();

export const createProjectBody = z.strictObject({
  repo: z.string().min(1).max(500),
  branch: z
    .string()
    .min(1)
    .max(200)
    .regex(/^(?!-)[^\s~^:?*[\\]+$/, 'is not a valid git branch name')
    .optional(),
  dockerfile: repoPath.optional(),
  context: repoPath.optional(),
  gpu: gpu.optional(),
  env: envMap.optional(),
  secrets: envMap.optional(),
  idleTimeoutSeconds: idleTimeoutSeconds.optional(),
  port: port.optional(),
  startupTimeoutSeconds: startupTimeoutSeconds.optional(),
});

export type CreateProjectBody = z.infer<typeof createProjectBody>;

/** `PATCH /api/projects/:id`: per-project settings. */
export const updateProjectBody = z.strictObject({
  env: envPatch.optional(),
  secrets: envPatch.optional(),
  idleTimeoutSeconds: idleTimeoutSeconds.optional(),
  gpu: gpu.optional(),
  port: port.optional(),
  startupTimeoutSeconds: startupTimeoutSeconds.optional(),
  dockerfile: repoPath.optional(),
  context: repoPath.optional(),
});

/** `POST /api/projects/:id/rollback`: the earlier deployment whose kept image serves again. */
export const rollbackBody = z.strictObject({
  deploymentId: z.string().min(1).max(200),
});

/** The fields of a GitHub `push` payload Portico reads; GitHub sends many more, which are kept out. */
export const githubPushEvent = z.object({
  ref: z.string().min(1),
  deleted: z.boolean().optional(),
  repository: z.object({
    full_name: z.string().min(1),
    clone_url: z.string().optional(),
    git_url: z.string().optional(),
    ssh_url: z.string().optional(),
    html_url: z.string().optional(),
  }),
});
