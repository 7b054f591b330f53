import { createRoute } from '@hono/zod-openapi';
import { z } from './zod.ts';
import { createdProject, deployment, deploymentList, errorBody, project, projectList, updatedProject } from './response-schemas.ts';
import { createProjectBody, rollbackBody, updateProjectBody } from './schemas.ts';

/** The REST API's routes as OpenAPI operations: paths, inputs, and every answer with its status. */

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const failure = (description: string) => json(errorBody, description);

/** Answers every route may give. */
const common = { 500: failure('internal error; the gateway log has the details') } as const;
/** Mutating routes need the API token when PORTICO_TOKEN is set. */
const guarded: { security: Array<Record<string, string[]>> } = { security: [{ bearerToken: [] }] };
const unauthorized = { 401: failure('PORTICO_TOKEN is set and the bearer token is missing or wrong') } as const;

const idParam = (what: string) =>
  z.object({ id: z.string().min(1).openapi({ param: { name: 'id', in: 'path' }, description: `the ${what} id`, example: what === 'project' ? 'main-hello-acme' : undefined }) });

export const createProject = createRoute({
  method: 'post',
  path: '/projects',
  tags: ['projects'],
  summary: 'Create a project and deploy its branch head',
  ...guarded,
  request: { body: { required: true, content: { 'application/json': { schema: createProjectBody } } } },
  responses: {
    201: json(createdProject, 'created; the deployment has started'),
    200: json(createdProject, 'the same repository and branch already had this project; nothing was redeployed'),
    400: failure('invalid input, or an unknown repository or branch'),
    ...unauthorized,
    409: failure('another repository already has this endpoint label'),
    415: failure('the body is not sent as application/json'),
    502: failure('the source host failed'),
    ...common,
  },
});

export const listProjects = createRoute({
  method: 'get',
  path: '/projects',
  tags: ['projects'],
  summary: 'List projects',
  responses: { 200: json(projectList, 'every project'), ...common },
});

export const getProject = createRoute({
  method: 'get',
  path: '/projects/{id}',
  tags: ['projects'],
  summary: 'A project with its deployments, runtime state and metrics',
  request: { params: idParam('project') },
  responses: { 200: json(project, 'the project'), 404: failure('no such project'), ...common },
});

export const updateProject = createRoute({
  method: 'patch',
  path: '/projects/{id}',
  tags: ['projects'],
  summary: 'Change env, secrets, idle timeout, GPU, port, startup timeout, Dockerfile path or build context',
  description:
    '`env` and `secrets` merge into what is set: a value sets a variable, `null` removes it. Changing env, secrets, gpu, port, dockerfile or context redeploys (202); changing only `idleTimeoutSeconds` or `startupTimeoutSeconds` does not (200). `port: null` lets Portico find the port again. A `context` change moves a Dockerfile that was the old context\'s default (`<context>/Dockerfile`) along. Secret values are never returned.',
  ...guarded,
  request: { params: idParam('project'), body: { required: true, content: { 'application/json': { schema: updateProjectBody } } } },
  responses: {
    202: json(updatedProject, 'changed; a redeployment started'),
    200: json(updatedProject, 'changed; nothing needed a redeployment'),
    400: failure('invalid input'),
    ...unauthorized,
    404: failure('no such project'),
    415: failure('the body is not sent as application/json'),
    ...common,
  },
});

export const deleteProject = createRoute({
  method: 'delete',
  path: '/projects/{id}',
  tags: ['projects'],
  summary: 'Remove a project, its containers and images',
  ...guarded,
  request: { params: idParam('project') },
  responses: { 204: { description: 'removed' }, ...unauthorized, 404: failure('no such project'), 503: failure('no container engine'), ...common },
});

export const redeployProject = createRoute({
  method: 'post',
  path: '/projects/{id}/deployments',
  tags: ['deployments'],
  summary: 'Deploy the branch head again',
  ...guarded,
  request: { params: idParam('project') },
  responses: { 202: json(deployment, 'the new deployment, queued'), ...unauthorized, 404: failure('no such project'), ...common },
});

export const listDeployments = createRoute({
  method: 'get',
  path: '/projects/{id}/deployments',
  tags: ['deployments'],
  summary: "The project's deployments, newest first: status, commit, phases",
  request: { params: idParam('project') },
  responses: { 200: json(deploymentList, 'every deployment of the project'), 404: failure('no such project'), ...common },
});

export const rollbackProject = createRoute({
  method: 'post',
  path: '/projects/{id}/rollback',
  tags: ['deployments'],
  summary: 'Serve an earlier deployment again, from its kept image',
  description:
    'Starts a new deployment that releases the image of `deploymentId` (a deployment of this project that reached ready) through the same start, probe and switch as any deployment; nothing is resolved, fetched or built. Only the newest PORTICO_KEEP_IMAGES images of a project are kept: an older one answers 409.',
  ...guarded,
  request: { params: idParam('project'), body: { required: true, content: { 'application/json': { schema: rollbackBody } } } },
  responses: {
    202: json(deployment, 'the new deployment, queued; it skips resolving, fetching and building'),
    400: failure('invalid input'),
    ...unauthorized,
    404: failure('no such project, or no such deployment of it'),
    409: failure('that deployment never served, is serving already, or its image was pruned'),
    415: failure('the body is not sent as application/json'),
    ...common,
  },
});

export const getDeployment = createRoute({
  method: 'get',
  path: '/deployments/{id}',
  tags: ['deployments'],
  summary: 'A deployment: status, commit, phases, placement',
  request: { params: idParam('deployment') },
  responses: { 200: json(deployment, 'the deployment'), 404: failure('no such deployment'), ...common },
});

export const getDeploymentLogs = createRoute({
  method: 'get',
  path: '/deployments/{id}/logs',
  tags: ['deployments'],
  summary: 'The build log from a byte offset',
  request: {
    params: idParam('deployment'),
    query: z.object({
      offset: z
        .string()
        .regex(/^\d+$/, 'must be a whole number of bytes')
        .optional()
        .openapi({ param: { name: 'offset', in: 'query' }, description: 'byte to start from; poll with the X-Log-Offset of the previous answer', example: '0' }),
    }),
  },
  responses: {
    200: {
      description: 'the log text from `offset` on',
      headers: { 'X-Log-Offset': { description: 'the offset to poll with next', schema: { type: 'integer' } } },
      content: { 'text/plain': { schema: z.string() } },
    },
    400: failure('offset is not a whole number'),
    404: failure('no such deployment'),
    ...common,
  },
});
