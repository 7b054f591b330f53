import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApiClient } from './api-client.ts';
import { elapsed, followDeployment, withPhaseProgress, type DeploymentJson } from './follow-deployment.ts';
import { EXIT, UsageError } from './exit-codes.ts';

export interface DeployOptions {
  readonly repo: string;
  readonly branch?: string | undefined;
  readonly dockerfile?: string | undefined;
  readonly context?: string | undefined;
  readonly gpu?: string | undefined;
  /** The port the app listens on; set on the project (a new one, or an existing one, which then redeploys with it). */
  readonly port?: number | undefined;
  readonly env: readonly string[];
  readonly json: boolean;
  readonly follow: boolean;
}

interface CreatedProject {
  id: string;
  endpoint: string;
  deployment: { id: string; status: string } | null;
}

/**
 * `portico deploy`: creates the project (or finds it), starts a deployment of the branch
 * head, streams the build log with a line as each phase ends (and how long it took), prints
 * the endpoint. Exit 0 ready, 1 failed.
 */
export async function deployCommand(api: ApiClient, options: DeployOptions, out: (text: string) => void): Promise<number> {
  const body = {
    // A path that exists here is a local directory; the gateway needs it absolute.
    repo: existsSync(options.repo) ? resolve(options.repo) : options.repo,
    ...(options.branch ? { branch: options.branch } : {}),
    ...(options.dockerfile ? { dockerfile: options.dockerfile } : {}),
    ...(options.context ? { context: options.context } : {}),
    ...(options.gpu ? { gpu: /^\d+$/.test(options.gpu) ? Number(options.gpu) : options.gpu } : {}),
    ...(options.env.length > 0 ? { env: parseEnv(options.env) } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  };
  const created = await api.json<CreatedProject>('POST', '/api/projects', body);
  let deploymentId = created.body.deployment?.id;
  if (created.status === 200 || !deploymentId) {
    // The project existed: set the port asked for (a changed port redeploys by itself), else deploy its branch head again.
    const patched = options.port !== undefined ? await api.json<{ deployment: { id: string } | null }>('PATCH', `/api/projects/${encodeURIComponent(created.body.id)}`, { port: options.port }) : null;
    deploymentId = patched?.body.deployment?.id ?? (await api.json<DeploymentJson>('POST', `/api/projects/${encodeURIComponent(created.body.id)}/deployments`)).body.id;
  }
  if (!options.follow) {
    out(options.json ? JSON.stringify({ id: created.body.id, endpoint: created.body.endpoint, deployment: { id: deploymentId } }) + '\n' : `deployment ${deploymentId} queued for ${created.body.id}\n`);
    return EXIT.ok;
  }
  if (!options.json) out(`project ${created.body.id}, deployment ${deploymentId}\n`);
  const reported = new Set<string>();
  const final = await followDeployment(api, deploymentId, (text, deployment) => {
    if (!options.json) out(withPhaseProgress(text, deployment, reported));
  });
  const ok = final.status === 'ready';
  if (options.json) {
    out(JSON.stringify({ id: created.body.id, endpoint: created.body.endpoint, deployment: final }) + '\n');
  } else if (ok) {
    out(`\nready in ${elapsed(final)}: ${created.body.endpoint}\n`);
  } else {
    out(`\ndeployment ${final.status} after ${elapsed(final)}: ${final.error ?? 'no reason given'}\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env wants NAME=value, got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
