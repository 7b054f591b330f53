import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { PorticoError } from '../errors.ts';
import type { WebhookService } from '../services/webhook-service.ts';
import { verifyGithubSignature } from './github-signature.ts';
import { errorBody, webhookAccepted, webhookPong } from './response-schemas.ts';
import { githubPushEvent } from './schemas.ts';
import { throwOnInvalid } from './validation.ts';
import { deploymentView } from './views.ts';

const failure = (description: string) => ({ description, content: { 'application/json': { schema: errorBody } } });

/** Declared without a body schema: the signature is checked over the raw bytes before anything parses them. */
const githubWebhook = createRoute({
  method: 'post',
  path: '/github',
  tags: ['webhooks'],
  summary: 'GitHub push webhook: redeploys the projects tracking the pushed branch',
  description:
    'Authenticated by `X-Hub-Signature-256` (HMAC SHA-256 of the body with the webhook secret: PORTICO_GITHUB_WEBHOOK_SECRET, on AWS the Secrets Manager secret named by the githubWebhookSecretName context), not by the API token. `ping` answers 200; a `push` redeploys every project tracking that repository and branch; a repeated `X-GitHub-Delivery` deploys nothing again.',
  request: { body: { content: { 'application/json': { schema: { type: 'object', description: 'the GitHub event payload' } } } } },
  responses: {
    200: { description: 'ping answered', content: { 'application/json': { schema: webhookPong } } },
    202: { description: 'deployments started, or the reason nothing was deployed', content: { 'application/json': { schema: webhookAccepted } } },
    400: failure('the push payload lacks ref or repository'),
    401: failure('missing or wrong signature'),
    403: failure('webhooks are off: no webhook secret configured'),
    500: failure('internal error'),
  },
});

/** The webhook's HMAC key: the value itself, or a reader of it (on AWS, from Secrets Manager). */
export type WebhookSecret = string | (() => Promise<string>);

/** `POST /webhooks/github`: GitHub's push events redeploy the projects tracking the pushed branch. */
export function createWebhookRoutes({ secret, webhooks }: { readonly secret: WebhookSecret | undefined; readonly webhooks: WebhookService }): OpenAPIHono {
  const routes = new OpenAPIHono({ defaultHook: throwOnInvalid });

  routes.openapi(githubWebhook, async (c) => {
    if (secret === undefined) {
      throw new PorticoError(
        'forbidden',
        "GitHub webhooks are switched off: set PORTICO_GITHUB_WEBHOOK_SECRET to the secret entered in the repository's webhook settings and restart Portico (on AWS: put it in Secrets Manager and deploy with -c githubWebhookSecretName=<its name>)",
      );
    }
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const key = typeof secret === 'string' ? secret : await secret();
    if (!verifyGithubSignature(key, raw, c.req.header('x-hub-signature-256'))) {
      throw new PorticoError('unauthorized', "X-Hub-Signature-256 is missing or does not match: the webhook's secret in GitHub must equal Portico's (PORTICO_GITHUB_WEBHOOK_SECRET; on AWS the Secrets Manager secret named by githubWebhookSecretName)");
    }
    const event = c.req.header('x-github-event') ?? '';
    if (event === 'ping') return c.json({ ok: true as const, event: 'ping' as const }, 200);
    if (event !== 'push') return c.json({ ignored: `event "${event}" is not handled; only push events deploy` }, 202);

    const parsed = githubPushEvent.safeParse(parsePayload(Buffer.from(raw).toString('utf8'), c.req.header('content-type')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new PorticoError('invalid_input', `push payload: ${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const result = await webhooks.push(parsed.data, c.req.header('x-github-delivery'));
    if (result.kind === 'ignored') return c.json({ ignored: result.reason }, 202);
    const deployments = result.deployments.map(deploymentView);
    return c.json(result.duplicate ? { ignored: 'this delivery was already handled; nothing new was deployed', deployments } : { deployments }, 202);
  });

  return routes;
}

/** GitHub sends JSON, or with content type `application/x-www-form-urlencoded` the JSON in a `payload` field. */
function parsePayload(text: string, contentType: string | undefined): unknown {
  const json = contentType?.includes('application/x-www-form-urlencoded') ? (new URLSearchParams(text).get('payload') ?? '') : text;
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new PorticoError('invalid_input', `push payload is not valid JSON (${(error as Error).message}); set the webhook's content type to application/json`, { cause: error });
  }
}
