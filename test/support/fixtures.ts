import { queuedDeployment } from '../../gateway/domain/deployment-state.ts';
import type { Deployment, Project } from '../../gateway/domain/types.ts';

/** A project as the store holds it, with whatever fields a test cares about overridden. */
export function makeProject(overrides: Partial<Project> = {}): Project {
  return {
    id: 'main-gpt2-acme',
    source: { kind: 'github', owner: 'acme', repo: 'gpt2' },
    branch: 'main',
    dockerfile: 'Dockerfile',
    context: '.',
    gpu: 'auto',
    env: {},
    secrets: {},
    idleTimeoutSeconds: 900,
    port: null,
    startupTimeoutSeconds: null,
    createdAt: '2026-11-25T09:00:00.000Z',
    currentDeploymentId: null,
    ...overrides,
  };
}

/** A deployment, queued unless the overrides say otherwise. */
export function makeDeployment(overrides: Partial<Deployment> & Pick<Deployment, 'id' | 'projectId'>): Deployment {
  return { ...queuedDeployment(overrides.id, overrides.projectId, new Date('2026-11-25T09:30:00.000Z')), ...overrides };
}
