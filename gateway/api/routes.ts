import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ProjectMetrics } from '../services/metrics.ts';
import type { ProjectDetails, ProjectService } from '../services/project-service.ts';
import type { RuntimeSnapshot } from '../services/scaler.ts';
import { type WebhookDeps, createWebhookService } from '../services/webhook-service.ts';
import { requireToken, tokenSha256 } from './auth.ts';
import { addApiDocs } from './docs.ts';
import { parseJsonBody } from './json-body.ts';
import * as spec from './route-specs.ts';
import { throwOnInvalid } from './validation.ts';
import { deploymentView, projectView } from './views.ts';
import { type WebhookSecret, createWebhookRoutes } from './webhook-routes.ts';

export interface ApiDeps {
  readonly projects: ProjectService;
  /** The public URL of a project's endpoint. */
  readonly endpointUrl: (projectId: string) => string;
  readonly runtimeOf: (projectId: string) => RuntimeSnapshot;
  readonly metricsOf: (projectId: string) => ProjectMetrics;
  /** PORTICO_TOKEN: when set, mutating calls need it as a bearer token. */
  readonly apiToken?: string | undefined;
  /** The same, for hosts that only know the token's SHA-256 (hex): the AWS stack deploys the hash, never the token. */
  readonly apiTokenSha256?: string | undefined;
  /** PORTICO_GITHUB_WEBHOOK_SECRET, or on AWS a reader of it (Secrets Manager): unset refuses every webhook. */
  readonly githubWebhookSecret?: WebhookSecret | undefined;
  /** Where deliveries are recorded when several gateway instances share the work (AWS); see WebhookDeps. */
  readonly webhookDeliveries?: WebhookDeps['deliveries'];
}

const MAX_BODY_BYTES = 1024 * 1024;
/** GitHub sends push payloads of up to 25 MB. */
const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** The REST management API, declared as OpenAPI operations (route-specs.ts), with its own base path `/api`. */
export function createApiRoutes({ projects, endpointUrl, runtimeOf, metricsOf, apiToken, apiTokenSha256, githubWebhookSecret, webhookDeliveries }: ApiDeps): OpenAPIHono {
  const view = (details: ProjectDetails) => projectView(details, { endpoint: endpointUrl(details.project.id), runtime: runtimeOf(details.project.id), metrics: metricsOf(details.project.id) });
  const api = new OpenAPIHono({ defaultHook: throwOnInvalid }).basePath('/api');
  // GitHub cannot send a bearer token; its webhook proves itself with a signature over the raw body instead.
  const webhook = (path: string) => path.startsWith('/api/webhooks/');
  api.use(requireToken(apiTokenSha256 ?? (apiToken === undefined ? undefined : tokenSha256(apiToken)), { exempt: webhook }));
  const limit = (maxSize: number, what: string) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new HTTPException(413, { message: `${what} is larger than ${maxSize} bytes` });
      },
    });
  const apiLimit = limit(MAX_BODY_BYTES, 'the request body');
  const webhookLimit = limit(MAX_WEBHOOK_BYTES, 'the webhook payload');
  api.use((c, next) => (webhook(c.req.path) ? webhookLimit(c, next) : apiLimit(c, next)));
  api.use(parseJsonBody({ exempt: webhook }));

  api.openapi(spec.createProject, async (c) => {
    const { project, created, deployment } = await projects.create(c.req.valid('json'));
    const body = {
      id: project.id,
      endpoint: endpointUrl(project.id),
      deployment: deployment ? { id: deployment.id, status: deployment.status } : null,
    };
    return created ? c.json(body, 201) : c.json(body, 200);
  });

  api.openapi(spec.listProjects, async (c) => {
    const all = await projects.list();
    return c.json({ projects: all.map(view) }, 200);
  });

  api.openapi(spec.getProject, async (c) => c.json(view(await projects.get(c.req.valid('param').id)), 200));

  api.openapi(spec.updateProject, async (c) => {
    const { project, deployment } = await projects.update(c.req.valid('param').id, c.req.valid('json'));
    const body = { project: view(await projects.get(project.id)), deployment: deployment ? deploymentView(deployment) : null };
    return deployment ? c.json(body, 202) : c.json(body, 200);
  });

  api.openapi(spec.deleteProject, async (c) => {
    await projects.remove(c.req.valid('param').id);
    return c.body(null, 204);
  });

  api.openapi(spec.redeployProject, async (c) => c.json(deploymentView(await projects.redeploy(c.req.valid('param').id)), 202));

  api.openapi(spec.listDeployments, async (c) => c.json({ deployments: (await projects.listDeployments(c.req.valid('param').id)).map(deploymentView) }, 200));

  api.openapi(spec.getDeployment, async (c) => c.json(deploymentView(await projects.getDeployment(c.req.valid('param').id)), 200));

  api.openapi(spec.getDeploymentLogs, async (c) => {
    const offset = Number(c.req.valid('query').offset ?? '0');
    const { text, nextOffset } = await projects.readLog(c.req.valid('param').id, offset);
    return c.text(text, 200, { 'X-Log-Offset': String(nextOffset) });
  });

  const webhooks = createWebhookService({
    listProjects: async () => (await projects.list()).map((details) => details.project),
    redeploy: (id) => projects.redeploy(id),
    deliveries: webhookDeliveries,
  });
  api.route('/webhooks', createWebhookRoutes({ secret: githubWebhookSecret, webhooks }));
  addApiDocs(api);

  return api;
}
