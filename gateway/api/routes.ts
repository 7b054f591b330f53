import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PorticoError } from '../errors.ts';
import type { ProjectMetrics } from '../services/metrics.ts';
import type { ProjectDetails, ProjectService } from '../services/project-service.ts';
import type { RuntimeSnapshot } from '../services/scaler.ts';
import { readJson } from './read-json.ts';
import { createProjectBody } from './schemas.ts';
import { deploymentView, projectView } from './views.ts';

export interface ApiDeps {
  readonly projects: ProjectService;
  /** The public URL of a project's endpoint. */
  readonly endpointUrl: (projectId: string) => string;
  readonly runtimeOf: (projectId: string) => RuntimeSnapshot;
  readonly metricsOf: (projectId: string) => ProjectMetrics;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The REST management API under `/api`. */
export function createApiRoutes({ projects, endpointUrl, runtimeOf, metricsOf }: ApiDeps): Hono {
  const view = (details: ProjectDetails) => projectView(details, { endpoint: endpointUrl(details.project.id), runtime: runtimeOf(details.project.id), metrics: metricsOf(details.project.id) });
  const api = new Hono();
  api.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PorticoError('invalid_input', `request body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  api.post('/projects', async (c) => {
    const input = await readJson(c, createProjectBody);
    const { project, created, deployment } = await projects.create(input);
    const body = {
      id: project.id,
      endpoint: endpointUrl(project.id),
      deployment: deployment ? { id: deployment.id, status: deployment.status } : null,
    };
    return c.json(body, created ? 201 : 200);
  });

  api.get('/projects', async (c) => {
    const all = await projects.list();
    return c.json({ projects: all.map(view) });
  });

  api.get('/projects/:id', async (c) => {
    return c.json(view(await projects.get(c.req.param('id'))));
  });

  api.delete('/projects/:id', async (c) => {
    await projects.remove(c.req.param('id'));
    return c.body(null, 204);
  });

  api.post('/projects/:id/deployments', async (c) => {
    const deployment = await projects.redeploy(c.req.param('id'));
    return c.json(deploymentView(deployment), 202);
  });

  api.get('/deployments/:id', async (c) => c.json(deploymentView(await projects.getDeployment(c.req.param('id')))));

  api.get('/deployments/:id/logs', async (c) => {
    const offsetText = c.req.query('offset') ?? '0';
    const offset = Number(offsetText);
    if (!Number.isInteger(offset) || offset < 0) throw new PorticoError('invalid_input', `offset must be a whole number of bytes, got "${offsetText}"`, { field: 'offset' });
    const { text, nextOffset } = await projects.readLog(c.req.param('id'), offset);
    return c.text(text, 200, { 'X-Log-Offset': String(nextOffset) });
  });

  return api;
}
