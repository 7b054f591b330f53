import type { deploymentView } from '../api/views.ts';
import type { ApiClient } from './api-client.ts';

export type DeploymentJson = ReturnType<typeof deploymentView>;

const TERMINAL = new Set(['ready', 'failed', 'superseded']);

/**
 * Polls a deployment until it ends, passing new build-log text to `onLog` as it arrives
 * (the log carries the phase markers `==> building` …). Returns the final deployment.
 */
export async function followDeployment(
  api: ApiClient,
  deploymentId: string,
  onLog: (text: string) => void,
  options: { readonly pollMs?: number; readonly onPoll?: (deployment: DeploymentJson) => void } = {},
): Promise<DeploymentJson> {
  const pollMs = options.pollMs ?? 400;
  let offset = 0;
  for (;;) {
    const { body: deployment } = await api.json<DeploymentJson>('GET', `/api/deployments/${encodeURIComponent(deploymentId)}`);
    const { text, headers } = await api.text(`/api/deployments/${encodeURIComponent(deploymentId)}/logs?offset=${offset}`);
    if (text) onLog(text);
    offset = Number(headers.get('x-log-offset') ?? offset);
    options.onPoll?.(deployment);
    if (TERMINAL.has(deployment.status)) return deployment;
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
 * One progress line per phase that has ended and is not in `reported` yet, e.g.
 * `==> building done in 12.3s`; the names are added to `reported`.
 */
export function phaseProgress(deployment: Pick<DeploymentJson, 'phases'>, reported: Set<string>): string {
  let lines = '';
  for (const phase of deployment.phases) {
    if (phase.endedAt === null || reported.has(phase.name)) continue;
    reported.add(phase.name);
    lines += `==> ${phase.name} done in ${((Date.parse(phase.endedAt) - Date.parse(phase.startedAt)) / 1000).toFixed(1)}s\n`;
  }
  return lines;
}
