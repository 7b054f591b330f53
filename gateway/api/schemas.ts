import { z } from 'zod';

/** A path inside the repository: relative, no `..`, no leading `/`. */
const repoPath = z
  .string()
  .min(1)
  .max(255)
  .refine((path) => !path.startsWith('/') && !path.split('/').includes('..'), 'must be a relative path inside the repository, without ".."');

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
  gpu: z.union([z.enum(['auto', 'prefer', 'off']), z.number().int().min(0).max(16)]).optional(),
  env: z
    .record(z.string().regex(ENV_NAME, 'environment variable names are letters, digits and _').max(200), z.string().max(32_768))
    .refine((env) => Object.keys(env).length <= 200, 'at most 200 variables')
    .optional(),
  idleTimeoutSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
});

export type CreateProjectBody = z.infer<typeof createProjectBody>;
