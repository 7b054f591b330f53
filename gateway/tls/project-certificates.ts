import type { ProjectService } from '../services/project-service.ts';

export interface ProjectListener {
  created(projectId: string): void;
  removed(projectId: string): void;
}

/** The project service, telling `listener` about each new and each removed project (to obtain or drop its host's certificate). */
export function announcingProjects(projects: ProjectService, listener: ProjectListener | undefined): ProjectService {
  if (!listener) return projects;
  return {
    ...projects,
    async create(input) {
      const result = await projects.create(input);
      if (result.created) listener.created(result.project.id);
      return result;
    },
    async remove(id) {
      await projects.remove(id);
      listener.removed(id);
    },
  };
}
