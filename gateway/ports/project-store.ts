import type { Deployment, DeploymentStatus, Project } from '../domain/types.ts';
import { PorticoError } from '../errors.ts';

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
  /**
   * With `ifStatus`, the update applies only while the deployment is still in that status, and
   * throws `conflict` otherwise: two processes moving the same deployment on cannot both win.
   */
  updateDeployment(id: string, patch: Partial<Omit<Deployment, 'id' | 'projectId'>>, options?: { readonly ifStatus?: DeploymentStatus }): Promise<Deployment>;

  appendLog(deploymentId: string, text: string): Promise<void>;
  /** The log from byte `offset` on, and the offset to ask for next. */
  readLog(deploymentId: string, offset?: number): Promise<{ text: string; nextOffset: number }>;
}

/** What `updateDeployment` throws when `ifStatus` no longer holds: someone else moved the deployment on first. */
export function statusConflict(id: string, expected: DeploymentStatus, actual: DeploymentStatus): PorticoError {
  return new PorticoError('conflict', `deployment "${id}" is ${actual}, no longer ${expected}: another process moved it on first`);
}
