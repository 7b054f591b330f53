import type { ContainerRef } from '../domain/types.ts';
import type { ProjectStore } from '../ports/project-store.ts';
import type { Page } from './pages.ts';

export type EndpointTarget =
  | { readonly kind: 'container'; readonly projectId: string; readonly deploymentId: string; readonly container: ContainerRef }
  | { readonly kind: 'page'; readonly projectId: string | null; readonly page: Page };

export type ContainerTarget = Extract<EndpointTarget, { kind: 'container' }>;

/**
 * Label → project → the container of the deployment that serves it (awake or not). When there
 * is none the answer is a page that says why: unknown label (404), still deploying or failed (503).
 */
export async function resolveEndpoint(store: ProjectStore, label: string): Promise<EndpointTarget> {
  const project = await store.getProject(label);
  if (!project) {
    return { kind: 'page', projectId: null, page: { status: 404, title: 'No such demo', message: `No project has the endpoint label "${label}". Check the address, or deploy it with: portico deploy <repo>.` } };
  }
  const current = project.currentDeploymentId ? await store.getDeployment(project.currentDeploymentId) : null;
  // The current pointer is only ever set to a deployment whose container answered its probe.
  if (current?.container) return { kind: 'container', projectId: project.id, deploymentId: current.id, container: current.container };
  const [latest] = await store.listDeployments(project.id);
  const message = !latest
    ? `"${label}" has not been deployed yet.`
    : latest.status === 'failed'
      ? `The latest deployment of "${label}" failed: ${latest.error ?? 'no reason recorded'}`
      : `"${label}" is being deployed (${latest.status}). Try again in a moment.`;
  return { kind: 'page', projectId: project.id, page: { status: 503, title: 'Demo not available yet', message } };
}
