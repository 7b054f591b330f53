import type { DemoCard } from './demo-card.ts';
import type { DockerfileAnalysis } from './dockerfile.ts';
import { type DockerfilePortHints, type PortHint, chooseExposed, commandWordsOf, isPort, portInCommand, portInEnv, portInScript, toolDefault } from './port-hints.ts';
import type { ImageFacts } from '../ports/image-builder.ts';

export type PortSource = 'setting' | 'front-matter' | 'expose' | 'env' | 'command' | 'image-default' | 'fallback';

export interface PortDeclaration {
  readonly port: number;
  readonly source: PortSource;
  /** For people: "--server.port 8501 in CMD", "app_port in README front matter", "EXPOSE 7860". */
  readonly reason: string;
}

export const FALLBACK_PORT = 80;

const FALLBACK: PortDeclaration = { port: FALLBACK_PORT, source: 'fallback', reason: `nothing names a port; ${FALLBACK_PORT} is the default` };

const declared = (source: PortSource, hint: PortHint | null): PortDeclaration | null => (hint ? { port: hint.port, source, reason: hint.reason } : null);

/** The port a Dockerfile alone points at, without the project's setting, README or the built image. */
export function dockerfilePort(hints: DockerfilePortHints): PortDeclaration {
  return (
    declared('expose', hints.expose) ??
    declared('env', hints.env) ??
    declared('command', hints.command) ??
    declared('image-default', hints.tool) ??
    declared('image-default', hints.image) ??
    FALLBACK
  );
}

export interface PortInput {
  /** The project's own `port` setting. */
  readonly projectPort: number | null;
  /** The README's Spaces front matter. */
  readonly card: DemoCard | null;
  readonly analysis: DockerfileAnalysis;
  /** The built image's configuration, once it is built: inherited EXPOSE, ENV, ENTRYPOINT and CMD of its base images. */
  readonly image?: ImageFacts;
  /** Texts of the start scripts the command runs (`analysis.startScripts`), by the same path, where they could be read. */
  readonly scripts?: Readonly<Record<string, string>>;
}

/**
 * The port to expect the app on, with where it came from: the project's setting, then Spaces
 * front matter (`app_port`, 7860 for `sdk: docker`), then the Dockerfile's EXPOSE, ENV and
 * command (and the start scripts it runs), then what the built image inherited, then the default
 * port of the server the command runs or of a well-known base image, else 80.
 */
export function declarePort(input: PortInput): PortDeclaration {
  const { projectPort, card, analysis, image, scripts = {} } = input;
  if (projectPort !== null && isPort(projectPort)) return { port: projectPort, source: 'setting', reason: `the project's port setting ${projectPort}` };
  if (card?.appPort != null) return { port: card.appPort, source: 'front-matter', reason: `app_port: ${card.appPort} in README front matter` };
  if (card?.sdk === 'docker') return { port: 7860, source: 'front-matter', reason: 'sdk: docker in README front matter without app_port: Spaces\' default 7860' };

  const { hints } = analysis;
  const scripted = analysis.startScripts
    .filter((path) => Object.hasOwn(scripts, path))
    .map((path) => portInScript(scripts[path]!, analysis.env, `start script ${path}`));
  const imageWords = image ? commandWordsOf(image.entrypoint, image.cmd, image.env) : [];
  const imageEnv = image ? portInEnv(image.env, 'the built image sets') : null;
  const imageExpose = image ? chooseExposed(image.exposedPorts, [], (port) => `the built image EXPOSEs ${port}`) : null;

  return (
    declared('expose', hints.expose) ??
    declared('env', hints.env) ??
    declared('command', hints.command) ??
    declared('command', scripted.find((script) => script.explicit)?.explicit ?? null) ??
    declared('expose', imageExpose) ??
    declared('env', imageEnv) ??
    declared('command', image ? portInCommand(imageWords, "the built image's command") : null) ??
    declared('image-default', hints.tool) ??
    declared('image-default', scripted.find((script) => script.tool)?.tool ?? null) ??
    declared('image-default', image ? toolDefault(imageWords, "the built image's command") : null) ??
    declared('image-default', hints.image) ??
    FALLBACK
  );
}
