import { detectLocalGpuPool } from '../adapters/local/nvidia-gpu-probe.ts';
import { loadConfig } from '../config.ts';
import type { ApiClient } from './api-client.ts';
import { type OptionSpec, type Parsed, assignments, list, one, str } from './args.ts';
import { deployCommand, redeployCommand } from './deploy-command.ts';
import { UsageError } from './exit-codes.ts';
import { historyCommand } from './history-command.ts';
import { inspectCommand } from './inspect-command.ts';
import { openCommand } from './open-command.ts';
import { listCommand, logsCommand, removeCommand, statusCommand } from './project-commands.ts';
import { configCommand, envCommand, secretsCommand } from './settings-commands.ts';
import { SETTING_HELP, SETTING_OPTIONS, gpuSetting, settingFlags } from './settings.ts';

export interface CommandContext {
  readonly api: () => ApiClient;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export interface Command {
  /** `deploy <repo> [options]`: the name, then what follows it. */
  readonly usage: string;
  readonly summary: string;
  /** Options and notes shown by `portico <command> --help`. */
  readonly help: string;
  readonly options: OptionSpec;
  /** Talks to the API (takes --api). */
  readonly api: boolean;
  run(args: Parsed, ctx: CommandContext): Promise<number>;
}

const JSON_OPTION = { json: { type: 'boolean' } } as const;
const FOLLOW_HELP = '  --no-follow             return once the redeployment is queued instead of following it';
const json = (values: Parsed['values']) => values.json === true;
const follow = (values: Parsed['values']) => values['no-follow'] !== true;

const variables = (kind: 'env' | 'secrets'): Command => ({
  usage: `${kind} set|unset|ls <project> …`,
  summary: kind === 'env' ? "a project's environment variables" : "a project's secrets (values are never printed)",
  help: `  portico ${kind} set <project> NAME=value…   set variables; the project redeploys with them
  portico ${kind} unset <project> NAME…        remove variables; the project redeploys without them
  portico ${kind} ls <project>                 list them${kind === 'secrets' ? ' (names only: no command ever prints a secret value)' : ' as NAME=value'}
  --json                  print one JSON document (${kind === 'env' ? 'ls: {"env":{NAME:value}}' : 'ls: {"secrets":[NAME…]}'}; set/unset: {"project":{…settings},"deployment":{…}|null})
${FOLLOW_HELP}`,
  options: { ...JSON_OPTION, 'no-follow': { type: 'boolean' } },
  api: true,
  run({ values, positionals }, { api, out }) {
    const [action, ...rest] = positionals;
    if (action === undefined) throw new UsageError(`missing the action: portico ${kind} set|unset|ls <project> …`);
    const command = kind === 'env' ? envCommand : secretsCommand;
    return command(api(), action, rest, { json: json(values), follow: follow(values) }, out);
  },
});

export const COMMANDS: Readonly<Record<string, Command>> = {
  serve: {
    usage: 'serve [options]',
    summary: 'run the gateway: dashboard, API and endpoints (what `npm start` does)',
    help: `  --port N                port to listen on (PORTICO_PORT, default 8080)
  --host H                address to bind (PORTICO_HOST, default 127.0.0.1)
  --data-dir D            where state is kept (PORTICO_DATA_DIR, default ./.portico)
  --domain D              endpoints are http://{label}.D:port (PORTICO_DOMAIN, default localhost)
  --tls acme              HTTPS with HTTP/2 on --port, certificates from ACME (PORTICO_ACME_DIRECTORY)
  --tls-cert F --tls-key F  HTTPS with this (wildcard) certificate instead
  --http-port N           plain HTTP (ACME challenges, redirects) when TLS is on (default 80)
  --proxy auto|node|haproxy  what carries warm traffic (PORTICO_PROXY; auto: haproxy when installed)
Every other setting is an environment variable: see the README's Configuration. Ctrl-C or SIGTERM
stops it after running deployments finish (a second Ctrl-C forces).`,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      domain: { type: 'string' },
      tls: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'http-port': { type: 'string' },
      proxy: { type: 'string' },
    },
    api: false,
    async run({ values }) {
      const { serve } = await import('./serve-command.ts'); // only `serve` needs the engine and SQLite adapters
      return serve(loadConfig(process.env, values as Record<string, string | undefined>));
    },
  },
  deploy: {
    usage: 'deploy <repo> [options]',
    summary: 'deploy owner/repo, a git URL or a local directory; applies the flags to an existing project',
    help: `<repo> is GitHub's owner/repo, a git URL (https://, git://, file://), or a directory here
(./dir, dir/, or any path that exists; local directories need PORTICO_ALLOW_LOCAL_SOURCES=true on the gateway).
A new project starts with the flags as its settings; an existing one gets them as \`portico config\`
would set them, then is deployed once. Streams each phase and the build log, then prints the endpoint.
  --branch B              the branch to deploy (default: the repository's default branch)
${SETTING_HELP}
  --json                  print one JSON document at the end: {"id","endpoint","deployment":{…}}
  --no-follow             return once the deployment is queued`,
    options: { branch: { type: 'string' }, ...SETTING_OPTIONS, ...JSON_OPTION, 'no-follow': { type: 'boolean' } },
    api: true,
    run({ values, positionals }, { api, out }) {
      const repo = one(positionals, 'deploy <repo> [options]');
      return deployCommand(api(), { repo, branch: str(values.branch), ...settingFlags(values), json: json(values), follow: follow(values) }, out);
    },
  },
  redeploy: {
    usage: 'redeploy <project> [--json] [--no-follow]',
    summary: "deploy the project's branch head again, with its settings",
    help: `  --json                  print one JSON document at the end: {"id","endpoint","deployment":{…}}
  --no-follow             return once the deployment is queued`,
    options: { ...JSON_OPTION, 'no-follow': { type: 'boolean' } },
    api: true,
    run({ values, positionals }, { api, out }) {
      return redeployCommand(api(), one(positionals, 'redeploy <project>'), { json: json(values), follow: follow(values) }, out);
    },
  },
  config: {
    usage: 'config <project> [options]',
    summary: "show a project's settings, or change them (a change that needs it redeploys)",
    help: `Without options, shows the settings. Changing env, GPU, port, Dockerfile or context redeploys
the project (and follows the redeployment); the idle timeout applies at once, the startup timeout
at the next deployment.
${SETTING_HELP}
  --json                  print one JSON document: the settings {"id","endpoint","repo","branch","dockerfile","context","gpu",
                          "idleTimeoutSeconds","port","startupTimeoutSeconds","env","secrets":[NAME…]}; after a change
                          {"project":{…settings},"deployment":{…}|null}
${FOLLOW_HELP}`,
    options: { ...SETTING_OPTIONS, ...JSON_OPTION, 'no-follow': { type: 'boolean' } },
    api: true,
    run({ values, positionals }, { api, out }) {
      return configCommand(api(), one(positionals, 'config <project> [options]'), settingFlags(values), { json: json(values), follow: follow(values) }, out);
    },
  },
  env: variables('env'),
  secrets: variables('secrets'),
  ls: {
    usage: 'ls [--json]',
    summary: 'list projects with their status and endpoint',
    help: '  --json                  print {"projects":[…]} as GET /api/projects answers',
    options: JSON_OPTION,
    api: true,
    run({ values, positionals }, { api, out }) {
      if (positionals.length > 0) throw new UsageError('`portico ls` takes no arguments');
      return listCommand(api(), json(values), out);
    },
  },
  status: {
    usage: 'status <project> [--json]',
    summary: "a project's endpoint, serving commit and latest deployment's phases",
    help: '  --json                  print the project as GET /api/projects/<id> answers',
    options: JSON_OPTION,
    api: true,
    run({ values, positionals }, { api, out }) {
      return statusCommand(api(), one(positionals, 'status <project>'), json(values), out);
    },
  },
  history: {
    usage: 'history <project> [--json]',
    summary: 'deployments, newest first: status, commit, start, build and total durations (* serves)',
    help: '  --json                  print {"current":<deployment id>|null,"deployments":[…]} (GET /api/projects/<id>/deployments)',
    options: JSON_OPTION,
    api: true,
    run({ values, positionals }, { api, out }) {
      return historyCommand(api(), one(positionals, 'history <project>'), json(values), out);
    },
  },
  logs: {
    usage: 'logs <project|deployment> [-f]',
    summary: 'build log of the latest deployment (or of one deployment); -f follows it',
    help: '  -f, --follow            keep printing until the deployment ends',
    options: { follow: { type: 'boolean', short: 'f' } },
    api: true,
    run({ values, positionals }, { api, out }) {
      return logsCommand(api(), one(positionals, 'logs <project|deployment>'), values.follow === true, out);
    },
  },
  open: {
    usage: 'open <project> [--json] [--no-browser]',
    summary: "print the project's endpoint URL, and open it in a browser when there is one",
    help: `Opens a browser only from a terminal with a desktop (macOS, Windows, or DISPLAY/WAYLAND_DISPLAY set;
BROWSER=none turns it off); never waits for it.
  --no-browser            only print the URL
  --json                  print {"id","endpoint"}`,
    options: { ...JSON_OPTION, 'no-browser': { type: 'boolean' } },
    api: true,
    run({ values, positionals }, { api, out }) {
      return openCommand(api(), one(positionals, 'open <project>'), { json: json(values), browser: values['no-browser'] !== true }, out);
    },
  },
  rm: {
    usage: 'rm <project>',
    summary: 'remove a project with its containers and images',
    help: '',
    options: {},
    api: true,
    run({ positionals }, { api, out }) {
      return removeCommand(api(), one(positionals, 'rm <project>'), out);
    },
  },
  inspect: {
    usage: 'inspect <dir|Dockerfile> [options]',
    summary: 'print the Dockerfile analysis and GPU placement as JSON (no gateway needed)',
    help: `  --build-arg NAME=value  a build argument (repeatable)
  --gpu auto|prefer|off|N the project's GPU setting to place with
  --port N                the project's port setting, which wins over what the files declare
GPU pools come from PORTICO_GPU_POOLS, else nvidia-smi.`,
    options: { 'build-arg': { type: 'string', multiple: true }, gpu: { type: 'string' }, port: { type: 'string' } },
    api: false,
    async run({ values, positionals }, { out, err }) {
      const target = one(positionals, 'inspect <dir|Dockerfile>');
      const options = { buildArgs: assignments(list(values['build-arg']), '--build-arg'), gpu: gpuSetting(str(values.gpu)), port: inspectPort(str(values.port)) };
      const pools = loadConfig(process.env).gpuPools ?? [await detectLocalGpuPool()].filter((pool) => pool !== null);
      return inspectCommand(target, { ...options, pools }, out, err);
    },
  },
};

export const API_NOTE = `Commands that talk to the gateway take --api URL (PORTICO_API, default http://localhost:8080) and send
PORTICO_TOKEN as the bearer token when it is set.
Exit codes: 0 ok, 1 failed (deployment failed or the API refused), 2 usage, 3 API unreachable.`;

/** `portico --help`. */
export function usage(): string {
  const rows = Object.values(COMMANDS).map((command) => [command.usage, command.summary] as const);
  const width = Math.max(...rows.map(([u]) => u.length));
  return `usage: portico <command> [options]     (portico <command> --help for its options)

${rows.map(([u, summary]) => `  ${u.padEnd(width)}  ${summary}`).join('\n')}

${API_NOTE}
`;
}

/** `portico <command> --help`. */
export function commandHelp(command: Command): string {
  const apiLine = command.api ? '\n  --api URL               the gateway (PORTICO_API, default http://localhost:8080)' : '';
  return `usage: portico ${command.usage}

${command.summary}
${command.help ? `\n${command.help}` : ''}${apiLine}
${command.api ? '\nExit codes: 0 ok, 1 failed or refused by the API, 2 usage, 3 API unreachable.\n' : ''}`;
}

/** `inspect --port N`: the project setting to declare with. */
function inspectPort(text: string | undefined): number | null {
  if (text === undefined) return null;
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (port >= 1 && port <= 65535) return port;
  throw new UsageError(`--port takes a port from 1 to 65535, got "${text}"`);
}
