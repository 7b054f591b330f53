import { PorticoError } from '../../errors.ts';
import type { ImageBuilder } from '../../ports/image-builder.ts';
import type { EcrRegistry } from './ecr-registry.ts';

/**
 * The ImageBuilder port on AWS, where images live in ECR: removing a project deletes its
 * repository. Building goes through CodeBuild (the event pipeline), never through this port.
 */
export function createEcrImageStore(registry: EcrRegistry): ImageBuilder {
  return {
    async build() {
      throw new PorticoError('build_failed', 'on AWS images are built by CodeBuild through the event pipeline; this gateway does not build in-process');
    },
    removeProjectImages: (projectId) => registry.deleteRepository(projectId),
    // The repository's lifecycle policy (keep the last N images) prunes on ECR's side.
    pruneProjectImages: async () => ({ removed: [] }),
  };
}
