import type { ProjectStore } from '../ports/project-store.ts';

/**
 * A ProjectStore that counts its writes to projects and deployments, so readers in the same
 * process (the endpoint's route table) can cache what they read and know when it went stale.
 * Log appends do not count: they change nothing a route depends on.
 */
export function versionedStore(store: ProjectStore): ProjectStore & { readonly version: number } {
  let version = 0;
  const bump = <A extends unknown[], R>(write: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await write(...args);
    } finally {
      version += 1;
    }
  };
  return {
    get version() {
      return version;
    },
    createProject: bump(store.createProject.bind(store)),
    getProject: store.getProject.bind(store),
    listProjects: store.listProjects.bind(store),
    updateProject: bump(store.updateProject.bind(store)),
    deleteProject: bump(store.deleteProject.bind(store)),
    createDeployment: bump(store.createDeployment.bind(store)),
    getDeployment: store.getDeployment.bind(store),
    listDeployments: store.listDeployments.bind(store),
    updateDeployment: bump(store.updateDeployment.bind(store)),
    appendLog: store.appendLog.bind(store),
    readLog: store.readLog.bind(store),
  };
}
