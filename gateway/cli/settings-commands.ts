import type { projectView } from '../api/views.ts';
import type { ApiClient } from './api-client.ts';
import { assignments } from './args.ts';
import { finishDeployment } from './deploy-command.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import type { DeploymentJson } from './follow-deployment.ts';
import { type SettingFlags, type SettingsBody, settingsBody } from './settings.ts';

type ProjectJson = ReturnType<typeof projectView> & { port?: number | null; startupTimeoutSeconds?: number | null };
type Out = (text: string) => void;

export interface ChangeOptions {
  readonly json: boolean;
  readonly follow: boolean;
}

/**
 * `portico config <project> [flags]`: with flags, changes those settings (PATCH) and follows
 * the redeployment the API starts for it (env, GPU, port, Dockerfile or context); without, shows the
 * settings. Secret values are never shown: the API only ever returns their names.
 */
export async function configCommand(api: ApiClient, id: string, flags: SettingFlags, options: ChangeOptions, out: Out): Promise<number> {
  const change = settingsBody(flags);
  if (Object.keys(change).length === 0) {
    const { body: project } = await api.json<ProjectJson>('GET', projectPath(id));
    out(options.json ? JSON.stringify(settingsOf(project)) + '\n' : describeSettings(project));
    return EXIT.ok;
  }
  const shown = Object.entries(change).map(([field, value]) => `${flagName(field)} ${field === 'env' ? Object.keys(value as object).join(',') : String(value)}`);
  return applyChange(api, id, change, `set ${shown.join(' ')}`, options, out);
}

/** `portico env set|unset|ls <project> …`. */
export async function envCommand(api: ApiClient, action: string, positionals: readonly string[], options: ChangeOptions, out: Out): Promise<number> {
  return variablesCommand(api, 'env', action, positionals, options, out);
}

/** `portico secrets set|unset|ls <project> …`: like env, but no value is ever printed. */
export async function secretsCommand(api: ApiClient, action: string, positionals: readonly string[], options: ChangeOptions, out: Out): Promise<number> {
  return variablesCommand(api, 'secrets', action, positionals, options, out);
}

async function variablesCommand(api: ApiClient, kind: 'env' | 'secrets', action: string, given: readonly string[], options: ChangeOptions, out: Out): Promise<number> {
  // `set` finds the project wherever it is among the NAME=value pairs (`env set GREETING=hi my-demo` works too).
  const bare = given.filter((item) => !item.includes('='));
  const positionals = action === 'set' && bare.length === 1 ? [bare[0]!, ...given.filter((item) => item.includes('='))] : given;
  const [id, ...items] = positionals;
  const usage = `portico ${kind} ${action} <project>${action === 'set' ? ' NAME=value…' : action === 'unset' ? ' NAME…' : ''}`;
  if (id === undefined || (action === 'set' && id.includes('='))) throw new UsageError(`missing the project: ${usage}`);
  switch (action) {
    case 'ls': {
      if (items.length > 0) throw new UsageError(`too many arguments: ${usage}`);
      const { body: project } = await api.json<ProjectJson>('GET', projectPath(id));
      if (kind === 'env') {
        out(options.json ? JSON.stringify({ env: project.env }) + '\n' : Object.entries(project.env).map(([name, value]) => `${name}=${value}\n`).join('') || `no env on ${id}; set one with: portico env set ${id} NAME=value\n`);
      } else {
        out(options.json ? JSON.stringify({ secrets: project.secrets }) + '\n' : project.secrets.map((name) => `${name}\n`).join('') || `no secrets on ${id}; set one with: portico secrets set ${id} NAME=value\n`);
      }
      return EXIT.ok;
    }
    case 'set': {
      if (items.length === 0) throw new UsageError(`nothing to set: ${usage}`);
      const values = assignments(items, `portico ${kind} set`);
      return applyChange(api, id, { [kind]: values }, `set ${kind === 'env' ? 'env' : 'secret'} ${Object.keys(values).join(', ')}`, options, out);
    }
    case 'unset': {
      if (items.length === 0) throw new UsageError(`nothing to unset: ${usage}`);
      const bad = items.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
      if (bad !== undefined) throw new UsageError(`"${bad}" is not a variable name (letters, digits and _): ${usage}`);
      return applyChange(api, id, { [kind]: Object.fromEntries(items.map((name) => [name, null])) }, `unset ${kind === 'env' ? 'env' : 'secret'} ${items.join(', ')}`, options, out);
    }
    default:
      throw new UsageError(`\`portico ${kind}\` takes set, unset or ls, got "${action}"; see \`portico ${kind} --help\``);
  }
}

async function applyChange(api: ApiClient, id: string, change: object, what: string, options: ChangeOptions, out: Out): Promise<number> {
  const { body } = await api.json<{ project: ProjectJson; deployment: DeploymentJson | null }>('PATCH', projectPath(id), change);
  const { project, deployment } = body;
  if (deployment === null) {
    out(options.json ? JSON.stringify({ project: settingsOf(project), deployment: null }) + '\n' : `${what} on ${project.id}; no redeploy needed\n`);
    return EXIT.ok;
  }
  if (!options.json) out(`${what} on ${project.id}; redeploying\n`);
  if (!options.follow || !options.json) return finishDeployment(api, { id: project.id, endpoint: project.endpoint, deploymentId: deployment.id, json: options.json, follow: options.follow }, out);
  // --json and following: one document with the settings and the redeployment's end.
  let final = '';
  const code = await finishDeployment(api, { id: project.id, endpoint: project.endpoint, deploymentId: deployment.id, json: true, follow: true }, (text) => (final += text));
  out(JSON.stringify({ project: settingsOf(project), deployment: (JSON.parse(final) as { deployment: DeploymentJson }).deployment }) + '\n');
  return code;
}

/** The settings part of a project, as `config --json` prints them. */
function settingsOf(project: ProjectJson) {
  return {
    id: project.id,
    endpoint: project.endpoint,
    repo: project.repo,
    branch: project.branch,
    dockerfile: project.dockerfile,
    context: project.context,
    gpu: project.gpu,
    idleTimeoutSeconds: project.idleTimeoutSeconds,
    port: project.port ?? null,
    startupTimeoutSeconds: project.startupTimeoutSeconds ?? null,
    env: project.env,
    secrets: project.secrets,
  };
}

function describeSettings(project: ProjectJson): string {
  const rows: Array<[string, string]> = [
    ['source', `${project.repo} @ ${project.branch}`],
    ['dockerfile', project.dockerfile],
    ['context', project.context],
    ['gpu', String(project.gpu)],
    ['idle', `${project.idleTimeoutSeconds}s`],
    ['port', project.port == null ? 'auto (found from the Dockerfile and the container)' : String(project.port)],
    ['startup', project.startupTimeoutSeconds == null ? 'the gateway default' : `${project.startupTimeoutSeconds}s`],
    ['env', Object.keys(project.env).join(', ') || '(none)'],
    ['secrets', project.secrets.join(', ') || '(none)'],
  ];
  return `${project.id}  ${project.endpoint}\n${rows.map(([name, value]) => `  ${name.padEnd(10)} ${value}\n`).join('')}`;
}

function flagName(field: string): string {
  const names: Record<keyof SettingsBody, string> = { env: '--env', gpu: '--gpu', idleTimeoutSeconds: '--idle', port: '--port', startupTimeoutSeconds: '--startup-timeout', dockerfile: '--dockerfile', context: '--context' };
  return names[field as keyof SettingsBody] ?? field;
}

function projectPath(id: string): string {
  return `/api/projects/${encodeURIComponent(id)}`;
}
