import type { Deployment, Project } from '../domain/types.ts';
import { stripAnsi } from './ansi.ts';

/*
 * Fields some gateways record and others do not yet (Spaces front matter, the port setting, the
 * port a deployment found): the dashboard shows them when they are there and leaves them out otherwise.
 */

/** A demo's own description, from its README's front matter (Hugging Face Spaces style). */
export interface ProjectCard {
  readonly title?: string | null;
  readonly emoji?: string | null;
  readonly description?: string | null;
  readonly sdk?: string | null;
  readonly appPort?: number | null;
}

type Loose = Readonly<Record<string, unknown>>;

export function cardOf(project: Project): ProjectCard | null {
  const card = (project as unknown as Loose)['card'];
  return card !== null && typeof card === 'object' ? (card as ProjectCard) : null;
}

/** A numeric setting of the project: a number, null (unset), or undefined when this gateway has no such setting. */
export function numberSetting(project: Project, name: 'port' | 'startupTimeoutSeconds'): number | null | undefined {
  if (!(name in project)) return undefined;
  const value = (project as unknown as Loose)[name];
  return typeof value === 'number' ? value : null;
}

/** The port a deployment serves on and why it was chosen, when the gateway records it. */
export function portOf(deployment: Deployment): { readonly port: number; readonly reason: string | null } | null {
  const loose = deployment as unknown as Loose;
  const port = loose['port'];
  if (typeof port !== 'number') return null;
  return { port, reason: typeof loose['portReason'] === 'string' ? loose['portReason'] : null };
}

/** The name people know a demo by: its front-matter title, else its endpoint label. */
export function titleOf(project: Project): string {
  return cardOf(project)?.title?.trim() || project.id;
}

/** A failure reason short enough for a card: its first line, without escapes, at most `max` characters. */
export function shortReason(error: string, max = 160): string {
  const line = stripAnsi(error).split('\n').find((part) => part.trim() !== '')?.trim() ?? error.trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
