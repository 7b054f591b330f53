import { PorticoError } from '../../errors.ts';
import type { ImageBuilder } from '../../ports/image-builder.ts';
import type { EcrRegistry } from './ecr-registry.ts';

/**
 * The ImageBuilder port on AWS, where images live in ECR: removing a project deletes its
 * repository; a rollback reads a kept image's configuration from it. Building goes through
 * CodeBuild (the event pipeline), never through this port.
 */
export function createEcrImageStore(registry: EcrRegistry): ImageBuilder {
  return {
    async build() {
      throw new PorticoError('build_failed', 'on AWS images are built by CodeBuild through the event pipeline; this gateway does not build in-process');
    },
    removeProjectImages: (projectId) => registry.deleteRepository(projectId),
    // The repository's lifecycle policy (keep the last N images) prunes on ECR's side.
    pruneProjectImages: async () => ({ removed: [] }),
    inspectImage: (tag) => registry.imageFacts(tag),
    hasImage: (tag) => registry.hasImage(tag),
    keptImages: `ECR's lifecycle policy keeps only the newest ${registry.keepImages} images of a project`,
  };
}
