import type { deploymentView } from '../api/views.ts';
import type { ApiClient } from './api-client.ts';

export type DeploymentJson = ReturnType<typeof deploymentView>;

const TERMINAL = new Set(['ready', 'failed', 'superseded']);

/**
 * Polls a deployment until it ends, passing new build-log text to `onLog` as it arrives (the log
 * carries the phase markers `==> building` …) with the deployment as read just after that text,
 * so its phases are at least as far along as the log. Returns the final deployment.
 */
export async function followDeployment(
  api: ApiClient,
  deploymentId: string,
  onLog: (text: string, deployment: DeploymentJson) => void,
  options: { readonly pollMs?: number } = {},
): Promise<DeploymentJson> {
  const pollMs = options.pollMs ?? 400;
  let offset = 0;
  for (;;) {
    const { text, headers } = await api.text(`/api/deployments/${encodeURIComponent(deploymentId)}/logs?offset=${offset}`);
    const { body: deployment } = await api.json<DeploymentJson>('GET', `/api/deployments/${encodeURIComponent(deploymentId)}`);
    offset = Number(headers.get('x-log-offset') ?? offset);
    if (TERMINAL.has(deployment.status)) {
      // The log may have grown between the two reads; what the deployment's end wrote comes too.
      const rest = await api.text(`/api/deployments/${encodeURIComponent(deploymentId)}/logs?offset=${offset}`);
      onLog(text + rest.text, deployment);
      return deployment;
    }
    if (text) onLog(text, deployment);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Seconds from the first phase's start to the last phase's end, e.g. `12.3s`. */
export function elapsed(deployment: DeploymentJson): string {
  const first = deployment.phases[0];
  const last = deployment.phases.at(-1);
  if (!first || !last) return '0.0s';
  const end = last.endedAt ?? new Date().toISOString();
  return `${((Date.parse(end) - Date.parse(first.startedAt)) / 1000).toFixed(1)}s`;
}

/**
 * The new log text with a progress line for each phase that has ended, e.g.
 * `==> building done in 12.3s`, put just before the marker of a later phase (`==> starting`,
 * `==> ready`, `==> failed: …`), so the lines read in the order things happened. Phases in
 * `reported` are skipped; the ones printed are added to it. Once the deployment has ended,
 * every phase not yet reported is printed at the end.
 */
export function withPhaseProgress(text: string, deployment: Pick<DeploymentJson, 'phases' | 'status'>, reported: Set<string>): string {
  const { phases } = deployment;
  const endedBefore = (index: number) => {
    let lines = '';
    for (const phase of phases.slice(0, index)) {
      if (phase.endedAt === null || reported.has(phase.name)) continue;
      reported.add(phase.name);
      lines += `==> ${phase.name} done in ${((Date.parse(phase.endedAt) - Date.parse(phase.startedAt)) / 1000).toFixed(1)}s\n`;
    }
    return lines;
  };
  let result = '';
  for (const line of text.split(/(?<=\n)/)) {
    const marker = /^==> ([a-z]+)/.exec(line)?.[1];
    if (marker !== undefined) {
      const index = phases.findIndex((phase) => phase.name === marker);
      result += endedBefore(index === -1 ? phases.length : index);
    }
    result += line;
  }
  if (TERMINAL.has(deployment.status)) result += endedBefore(phases.length);
  return result;
}
