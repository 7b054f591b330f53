import type { ImageFacts } from '../ports/image-builder.ts';
import type { DemoCard } from './demo-card.ts';
import type { DockerfileAnalysis } from './dockerfile.ts';

/*
 * Minimal placeholder (branch `runtime`) for the `analysis` branch's module of the same path and
 * signature; the integrator takes theirs.
 */

export type PortSource = 'setting' | 'front-matter' | 'expose' | 'env' | 'command' | 'image-default' | 'fallback';

export interface PortDeclaration {
  readonly port: number;
  readonly source: PortSource;
  readonly reason: string;
}

const SPACES_DOCKER_PORT = 7860;

/** The port the app should listen on: the project's setting, then the README's front matter, then the Dockerfile. */
export function declarePort(input: {
  readonly projectPort: number | null;
  readonly card: DemoCard | null;
  readonly analysis: DockerfileAnalysis;
  readonly image?: ImageFacts;
}): PortDeclaration {
  const { projectPort, card, analysis, image } = input;
  if (projectPort !== null) return { port: projectPort, source: 'setting', reason: `the project's port setting is ${projectPort}` };
  if (card?.appPort != null) return { port: card.appPort, source: 'front-matter', reason: `the README's front matter says app_port: ${card.appPort}` };
  if (card?.sdk === 'docker') return { port: SPACES_DOCKER_PORT, source: 'front-matter', reason: `the README's front matter says sdk: docker, whose port is ${SPACES_DOCKER_PORT}` };
  const exposed = image?.exposedPorts[0];
  if (exposed !== undefined) return { port: exposed, source: 'expose', reason: `the image EXPOSEs ${exposed}` };
  const envPort = Number(image?.env['PORT']);
  if (Number.isInteger(envPort) && envPort >= 1 && envPort <= 65535) return { port: envPort, source: 'env', reason: `the image sets PORT=${envPort}` };
  if (analysis.port !== 80) return { port: analysis.port, source: 'expose', reason: `the Dockerfile EXPOSEs ${analysis.port} (or sets ENV PORT)` };
  return { port: 80, source: 'fallback', reason: 'nothing declares a port, so Portico tries 80' };
}
