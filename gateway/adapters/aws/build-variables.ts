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
