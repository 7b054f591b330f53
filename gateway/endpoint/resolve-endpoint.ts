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
  // For the demo's visitors: why it failed (build output, a Dockerfile's line) is on the dashboard, for its owner.
  const page: Page = !latest
    ? { status: 503, title: 'This demo is not up yet', message: 'It has not been deployed yet. Please come back later.', forVisitors: true }
    : latest.status === 'failed'
      ? { status: 503, title: 'This demo is not available', message: 'It could not be started. Please try again later.', forVisitors: true }
      : { status: 503, title: 'This demo is starting', message: 'A new version is being deployed right now. Please try again in a minute.' };
  return { kind: 'page', projectId: project.id, page };
}
