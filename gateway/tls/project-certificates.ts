import type { ProjectService } from '../services/project-service.ts';

/** The project service, telling `onCreated` about each new project (to obtain its host's certificate). */
export function announcingCreated(projects: ProjectService, onCreated: (projectId: string) => void): ProjectService {
  return {
    ...projects,
    async create(input) {
      const result = await projects.create(input);
      if (result.created) onCreated(result.project.id);
      return result;
    },
  };
}
