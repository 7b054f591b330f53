import type { ApiClient } from './api-client.ts';
import { EXIT } from './exit-codes.ts';
import type { DeploymentJson } from './follow-deployment.ts';

/**
 * `portico history <project>`: the project's deployments, newest first, with status, commit,
 * when each began, how long its build and the whole deployment took, and why a failed one failed.
 * The deployment that serves is marked with `*`.
 */
export async function historyCommand(api: ApiClient, id: string, json: boolean, out: (text: string) => void): Promise<number> {
  const path = `/api/projects/${encodeURIComponent(id)}`;
  const [{ body: list }, { body: project }] = await Promise.all([
    api.json<{ deployments: DeploymentJson[] }>('GET', `${path}/deployments`),
    api.json<{ currentDeployment: { id: string } | null }>('GET', path),
  ]);
  if (json) {
    out(JSON.stringify({ current: project.currentDeployment?.id ?? null, deployments: list.deployments }) + '\n');
    return EXIT.ok;
  }
  if (list.deployments.length === 0) {
    out(`no deployments of ${id} yet: portico redeploy ${id}\n`);
    return EXIT.ok;
  }
  const header = ['', 'DEPLOYMENT', 'STATUS', 'COMMIT', 'STARTED', 'BUILD', 'TOTAL'];
  const rows = list.deployments.map((d) => [
    d.id === project.currentDeployment?.id ? '*' : '',
    d.id,
    d.status,
    d.commit?.slice(0, 12) ?? '-',
    when(d.createdAt),
    duration(d.phases.find((phase) => phase.name === 'building')),
    total(d),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  out(line(header));
  list.deployments.forEach((d, i) => {
    out(line(rows[i]!));
    if (d.error) out(`${' '.repeat(widths[0]! + 2)}└ ${firstLine(d.error)}\n`);
  });
  return EXIT.ok;
}

/** `2026-11-30 10:04:05` in UTC: sortable, and the same on every machine. */
function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

function duration(phase: { startedAt: string; endedAt: string | null } | undefined): string {
  if (!phase) return '-';
  if (phase.endedAt === null) return 'running';
  return seconds(Date.parse(phase.endedAt) - Date.parse(phase.startedAt));
}

function total(d: DeploymentJson): string {
  const first = d.phases[0];
  const last = d.phases.at(-1);
  if (!first || !last) return '-';
  if (last.endedAt === null) return ['ready', 'failed', 'superseded'].includes(d.status) ? '-' : 'running';
  return seconds(Date.parse(last.endedAt) - Date.parse(first.startedAt));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]!;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
