import type { DataPlane } from '../ports/data-plane.ts';
import type { ProjectStore } from '../ports/project-store.ts';

/**
 * A ProjectStore that takes a project's data-plane route away when another deployment starts
 * serving it or the project goes, before the write returns: the old container is stopped only
 * after that, so the engine never sends a request to it. The next request reaches Portico, which
 * routes the new container.
 */
export function routeFollowingStore<S extends ProjectStore>(store: S, dataPlane: Pick<DataPlane, 'unroute'>): S {
  return Object.assign(Object.create(store) as S, {
    async updateProject(id: string, patch: Parameters<ProjectStore['updateProject']>[1]) {
      const updated = await store.updateProject(id, patch);
      if (patch.currentDeploymentId !== undefined) await dataPlane.unroute(id);
      return updated;
    },
    async deleteProject(id: string) {
      await dataPlane.unroute(id);
      await store.deleteProject(id);
    },
  });
}
