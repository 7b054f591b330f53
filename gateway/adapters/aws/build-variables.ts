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
} as const;
