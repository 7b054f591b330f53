import type { DemoCard } from '../domain/demo-card.ts';
import type { Deployment, Project } from '../domain/types.ts';
import type { ProjectDetails } from '../services/project-service.ts';
import { stripAnsi } from './ansi.ts';

/** A demo's own description, from its README's front matter (Hugging Face Spaces style), as the deployment serving (else the latest) read it. */
export function cardOf(details: Pick<ProjectDetails, 'currentDeployment' | 'latestDeployment'>): DemoCard | null {
  return details.currentDeployment?.card ?? details.latestDeployment?.card ?? null;
}

/** The port a deployment serves on and why, once it was found. */
export function portOf(deployment: Deployment): { readonly port: number; readonly reason: string | null } | null {
  return deployment.port === null ? null : { port: deployment.port, reason: deployment.portReason };
}

/** The name people know a demo by: its front-matter title, else its endpoint label. */
export function titleOf(project: Project, card: DemoCard | null = null): string {
  return card?.title?.trim() || project.id;
}

/** A failure reason short enough for a card: its first line, without escapes, at most `max` characters. */
export function shortReason(error: string, max = 160): string {
  const line = stripAnsi(error).split('\n').find((part) => part.trim() !== '')?.trim() ?? error.trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
