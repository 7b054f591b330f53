/**
 * What the resolving phase runs on a repository's Dockerfile and README (deploy-phases.ts), in one
 * module loaded by `import()` when a deployment is prepared: on Lambda the gateway bundle is split
 * there (cdk/constructs/lambda-bundling.ts), so dockerfile-ast and yaml load with the first deploy, not
 * with every cold start.
 */
export { declarePort } from '../domain/declared-port.ts';
export { parseDemoCard } from '../domain/demo-card.ts';
export { analyseDockerfile } from '../domain/dockerfile.ts';
