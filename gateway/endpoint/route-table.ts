import type { ProjectStore } from '../ports/project-store.ts';
import { type ContainerTarget, type EndpointTarget, resolveEndpoint } from './resolve-endpoint.ts';

/**
 * Label → serving container, remembered between requests so a warm request touches no store.
 * An entry is trusted only while the store has seen no write since it was read.
 */
export function createRouteTable(store: ProjectStore & { readonly version: number }) {
  const routes = new Map<string, { readonly version: number; readonly target: ContainerTarget }>();

  return {
    /** The cached route, if still current; synchronous for the hot path. */
    cached(label: string): ContainerTarget | undefined {
      const entry = routes.get(label);
      return entry && entry.version === store.version ? entry.target : undefined;
    },
    async resolve(label: string): Promise<EndpointTarget> {
      const version = store.version;
      const target = await resolveEndpoint(store, label);
      if (target.kind === 'container') routes.set(label, { version, target });
      else routes.delete(label);
      return target;
    },
  };
}

export type RouteTable = ReturnType<typeof createRouteTable>;
