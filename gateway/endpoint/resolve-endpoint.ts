import type { ProjectStore } from '../ports/project-store.ts';
import type { Page } from './pages.ts';

export type EndpointTarget =
  | { readonly kind: 'upstream'; readonly projectId: string; readonly upstream: string }
  | { readonly kind: 'page'; readonly page: Page };

/**
 * Label → project → the serving container. When there is none the answer is a page that
 * says why: unknown label (404), still deploying or failed (503).
 */
export async function resolveEndpoint(store: ProjectStore, label: string): Promise<EndpointTarget> {
  const project = await store.getProject(label);
  if (!project) {
    return { kind: 'page', page: { status: 404, title: 'No such demo', message: `No project has the endpoint label "${label}". Check the address, or deploy it with: portico deploy <repo>.` } };
  }
  const current = project.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
  // The current pointer is only ever set to a deployment whose container answered its probe.
  if (current?.container) {
    return { kind: 'upstream', projectId: project.id, upstream: current.container.upstream };
  }
  const [latest] = await store.listDeployments(project.id);
  const message = !latest
    ? `"${label}" has not been deployed yet.`
    : latest.status === 'failed'
      ? `The latest deployment of "${label}" failed: ${latest.error ?? 'no reason recorded'}`
      : `"${label}" is being deployed (${latest.status}). Try again in a moment.`;
  return { kind: 'page', page: { status: 503, title: 'Demo not available yet', message } };
}
