import type { Deployment, Project } from '../domain/types.ts';

/** Durable state: projects, deployments and their build logs. */
export interface ProjectStore {
  createProject(project: Project): Promise<void>;
  getProject(id: string): Promise<Project | null>;
  listProjects(): Promise<Project[]>;
  updateProject(id: string, patch: Partial<Omit<Project, 'id'>>): Promise<Project>;
  /** Deletes the project, its deployments and their logs. */
  deleteProject(id: string): Promise<void>;

  createDeployment(deployment: Deployment): Promise<void>;
  getDeployment(id: string): Promise<Deployment | null>;
  /** Newest first. */
  listDeployments(projectId: string): Promise<Deployment[]>;
  updateDeployment(id: string, patch: Partial<Omit<Deployment, 'id' | 'projectId'>>): Promise<Deployment>;

  appendLog(deploymentId: string, text: string): Promise<void>;
  /** The log from byte `offset` on, and the offset to ask for next. */
  readLog(deploymentId: string, offset?: number): Promise<{ text: string; nextOffset: number }>;
}
