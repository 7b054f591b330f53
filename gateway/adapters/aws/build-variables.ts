/**
 * Environment variables a Portico CodeBuild build runs with: the CDK buildspec reads the first
 * five; the `PORTICO_*` ones ride along so a build's completion event says which deployment it
 * belongs to and how to start its image. Shared by the CDK construct and the builder adapter.
 */
export const BUILD_VARIABLES = {
  sourceUrl: 'SOURCE_URL',
  commit: 'COMMIT_SHA',
  dockerfile: 'DOCKERFILE',
  context: 'BUILD_CONTEXT',
  repositoryUri: 'IMAGE_REPOSITORY_URI',
  deploymentId: 'PORTICO_DEPLOYMENT_ID',
  port: 'PORTICO_APP_PORT',
  memoryBytes: 'PORTICO_MEMORY_BYTES',
  /** The Dockerfile's GPU guess (base image, GPU or not, CUDA, LABEL portico.gpu), so the release step can decide again. */
  baseImage: 'PORTICO_BASE_IMAGE',
  gpuGuess: 'PORTICO_GPU_GUESS',
  cudaGuess: 'PORTICO_CUDA_GUESS',
  gpuLabel: 'PORTICO_GPU_LABEL',
  /** Space-separated ids of the build secrets this build gets (names only, never values). */
  buildSecretIds: 'PORTICO_BUILD_SECRET_IDS',
} as const;

/**
 * What the buildspec exports after the build (`env.exported-variables`), read from the pushed
 * image's configuration: `PORTICO_IMAGE_CONFIG=read` once it was read, then the image's
 * `CUDA_VERSION`, the first word of its `NVIDIA_REQUIRE_CUDA` (`cuda>=12.1`; the brand list
 * after it is long and unused), its `NVIDIA_VISIBLE_DEVICES` and its `portico.gpu` label.
 */
export const IMAGE_VARIABLES = {
  read: 'PORTICO_IMAGE_CONFIG',
  cudaVersion: 'PORTICO_IMAGE_CUDA_VERSION',
  requireCuda: 'PORTICO_IMAGE_REQUIRE_CUDA',
  visibleDevices: 'PORTICO_IMAGE_VISIBLE_DEVICES',
  gpuLabel: 'PORTICO_IMAGE_GPU_LABEL',
} as const;

/**
 * Build secret NAME reaches the build as the variable `PORTICO_BUILD_SECRET_NAME`, of CodeBuild's type
 * SECRETS_MANAGER: CodeBuild resolves it when the build starts and masks its value in the build log;
 * its API and console show only the reference. The buildspec hands it to BuildKit with
 * `--secret id=NAME,env=PORTICO_BUILD_SECRET_NAME`.
 */
export const BUILD_SECRET_VARIABLE_PREFIX = 'PORTICO_BUILD_SECRET_';

/** Secrets Manager secrets holding a project's build secrets (a JSON object by id): `portico/build-secrets/<project>`. */
export const BUILD_SECRETS_NAME_PREFIX = 'portico/build-secrets/';
