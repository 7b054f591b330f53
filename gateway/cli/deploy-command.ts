import type { ApiClient } from './api-client.ts';
import { EXIT } from './exit-codes.ts';
import { elapsed, followDeployment, withPhaseProgress, type DeploymentJson } from './follow-deployment.ts';
import { hintFor } from './hints.ts';
import { type SettingFlags, settingsBody } from './settings.ts';
import { sourceArgument } from './source-arg.ts';

export interface DeployOptions extends SettingFlags {
  readonly repo: string;
  readonly branch?: string | undefined;
  readonly json: boolean;
  readonly follow: boolean;
}

interface CreatedProject {
  id: string;
  endpoint: string;
  deployment: { id: string; status: string } | null;
}

/**
 * `portico deploy`: creates the project with the flags as its settings, or, when it exists,
 * applies the flags to it (the change `portico config` makes) and deploys it once. Streams the
 * build log with a line as each phase ends (and how long it took), prints the endpoint.
 * Exit 0 ready, 1 failed.
 */
export async function deployCommand(api: ApiClient, options: DeployOptions, out: (text: string) => void): Promise<number> {
  const settings = settingsBody(options);
  const body = {
    // A local path is sent absolute; a missing one never leaves this machine.
    repo: sourceArgument(options.repo),
    ...(options.branch ? { branch: options.branch } : {}),
    ...settings,
  };
  const created = await api.json<CreatedProject>('POST', '/api/projects', body);
  const { id, endpoint } = created.body;
  let deploymentId = created.status === 201 ? created.body.deployment?.id : undefined;
  if (deploymentId === undefined) deploymentId = await deployExisting(api, id, settings);
  return finishDeployment(api, { id, endpoint, deploymentId, json: options.json, follow: options.follow }, out);
}

/** The project existed: the flags change its settings (which may itself redeploy), then exactly one deployment runs. */
async function deployExisting(api: ApiClient, id: string, settings: object): Promise<string> {
  const path = `/api/projects/${encodeURIComponent(id)}`;
  if (Object.keys(settings).length > 0) {
    const patched = await api.json<{ deployment: DeploymentJson | null }>('PATCH', path, settings);
    if (patched.body.deployment) return patched.body.deployment.id;
  }
  return (await api.json<DeploymentJson>('POST', `${path}/deployments`)).body.id;
}

/** Follows a deployment to its end as `deploy` and `redeploy` show it; exit 0 ready, 1 failed. */
export async function finishDeployment(
  api: ApiClient,
  run: { readonly id: string; readonly endpoint: string; readonly deploymentId: string; readonly json: boolean; readonly follow: boolean },
  out: (text: string) => void,
): Promise<number> {
  const { id, endpoint, deploymentId, json } = run;
  if (!run.follow) {
    out(json ? JSON.stringify({ id, endpoint, deployment: { id: deploymentId } }) + '\n' : `deployment ${deploymentId} queued for ${id}; follow it with: portico logs ${id} -f\n`);
    return EXIT.ok;
  }
  if (!json) out(`project ${id}, deployment ${deploymentId}\n`);
  const reported = new Set<string>();
  const final = await followDeployment(api, deploymentId, (text, deployment) => {
    if (!json) out(withPhaseProgress(text, deployment, reported));
  });
  const ok = final.status === 'ready';
  if (json) {
    out(JSON.stringify({ id, endpoint, deployment: final }) + '\n');
  } else if (ok) {
    out(`\nready in ${elapsed(final)}: ${endpoint}\n`);
  } else {
    out(`\ndeployment ${final.status} after ${elapsed(final)}: ${final.error ?? 'no reason given'}\n`);
    const hint = hintFor(final.error ?? '', id);
    if (hint) out(`hint: ${hint}\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}

/** `portico redeploy <project>`: deploys the branch head again with the settings the project has. */
export async function redeployCommand(api: ApiClient, id: string, options: { readonly json: boolean; readonly follow: boolean }, out: (text: string) => void): Promise<number> {
  const path = `/api/projects/${encodeURIComponent(id)}`;
  const { body: project } = await api.json<{ id: string; endpoint: string }>('GET', path);
  const { body: deployment } = await api.json<DeploymentJson>('POST', `${path}/deployments`);
  return finishDeployment(api, { id: project.id, endpoint: project.endpoint, deploymentId: deployment.id, ...options }, out);
}
