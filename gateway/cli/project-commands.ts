import type { projectView } from '../api/views.ts';
import { ApiError, type ApiClient } from './api-client.ts';
import { EXIT } from './exit-codes.ts';
import { elapsed, followDeployment, type DeploymentJson } from './follow-deployment.ts';

type ProjectJson = ReturnType<typeof projectView>;

/** `portico ls`: one line per project. */
export async function listCommand(api: ApiClient, json: boolean, out: (text: string) => void): Promise<number> {
  const { body } = await api.json<{ projects: ProjectJson[] }>('GET', '/api/projects');
  if (json) {
    out(JSON.stringify(body) + '\n');
    return EXIT.ok;
  }
  if (body.projects.length === 0) {
    out('no projects yet: portico deploy <owner/repo>\n');
    return EXIT.ok;
  }
  const rows = body.projects.map((p) => [p.id, statusOf(p), p.endpoint]);
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => row[i]!.length), i === 0 ? 7 : 6));
  out(`${'PROJECT'.padEnd(widths[0]!)}  ${'STATUS'.padEnd(widths[1]!)}  ENDPOINT\n`);
  for (const [id, status, endpoint] of rows) out(`${id!.padEnd(widths[0]!)}  ${status!.padEnd(widths[1]!)}  ${endpoint}\n`);
  return EXIT.ok;
}

/** `portico status <project>`: what serves, what was last tried, each phase's duration. */
export async function statusCommand(api: ApiClient, id: string, json: boolean, out: (text: string) => void): Promise<number> {
  const { body: p } = await api.json<ProjectJson>('GET', `/api/projects/${encodeURIComponent(id)}`);
  if (json) {
    out(JSON.stringify(p) + '\n');
    return EXIT.ok;
  }
  out(`${p.id}  ${statusOf(p)}\n  endpoint  ${p.endpoint}\n  source    ${p.repo} @ ${p.branch}\n`);
  if (p.runtime.state) {
    const last = p.runtime.lastRequestAt ? `, last request ${Math.round((Date.now() - Date.parse(p.runtime.lastRequestAt)) / 1000)}s ago` : '';
    out(`  runtime   ${p.runtime.state}${last} (pauses after the gateway's PORTICO_PAUSE_AFTER_MS, sleeps after ${p.idleTimeoutSeconds}s idle)\n`);
  }
  if (p.currentDeployment) out(`  serving   ${p.currentDeployment.commit?.slice(0, 12) ?? '?'} (deployment ${p.currentDeployment.id})\n`);
  const latest = p.latestDeployment;
  if (latest) {
    out(`  latest    ${latest.status} ${latest.commit?.slice(0, 12) ?? ''} (deployment ${latest.id}, ${elapsed(latest)})\n`);
    for (const phase of latest.phases) {
      const seconds = phase.endedAt ? `${((Date.parse(phase.endedAt) - Date.parse(phase.startedAt)) / 1000).toFixed(1)}s` : 'running';
      out(`    ${phase.name.padEnd(10)} ${seconds}\n`);
    }
    if (latest.error) out(`  error     ${latest.error}\n`);
  }
  return EXIT.ok;
}

/** `portico logs <project|deployment> [-f]`: the build log of the latest deployment. */
export async function logsCommand(api: ApiClient, target: string, follow: boolean, out: (text: string) => void): Promise<number> {
  const deploymentId = await latestDeploymentId(api, target);
  if (follow) {
    const final = await followDeployment(api, deploymentId, out);
    return final.status === 'failed' ? EXIT.failed : EXIT.ok;
  }
  out((await api.text(`/api/deployments/${encodeURIComponent(deploymentId)}/logs`)).text);
  return EXIT.ok;
}

/** `portico rm <project>`: removes the project, its containers and images. */
export async function removeCommand(api: ApiClient, id: string, out: (text: string) => void): Promise<number> {
  await api.json('DELETE', `/api/projects/${encodeURIComponent(id)}`);
  out(`removed ${id}\n`);
  return EXIT.ok;
}

async function latestDeploymentId(api: ApiClient, target: string): Promise<string> {
  try {
    const { body } = await api.json<ProjectJson>('GET', `/api/projects/${encodeURIComponent(target)}`);
    if (!body.latestDeployment) throw new ApiError(404, 'not_found', `project ${target} has no deployments yet`);
    return body.latestDeployment.id;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404 || error.message.includes('no deployments')) throw error;
    const { body } = await api.json<DeploymentJson>('GET', `/api/deployments/${encodeURIComponent(target)}`);
    return body.id;
  }
}

function statusOf(p: ProjectJson): string {
  const latest = p.latestDeployment;
  if (p.currentDeployment && latest && latest.id !== p.currentDeployment.id && latest.status !== 'ready') {
    return `serving (latest ${latest.status})`;
  }
  return p.currentDeployment ? 'serving' : (latest?.status ?? 'new');
}
