import { parseArgs, type ParseArgsConfig } from 'node:util';
import { detectLocalGpuPool } from '../adapters/local/nvidia-gpu-probe.ts';
import { ConfigError, loadConfig } from '../config.ts';
import type { GpuSetting } from '../domain/types.ts';
import { ApiError, ApiUnreachableError, createApiClient } from './api-client.ts';
import { deployCommand } from './deploy-command.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { inspectCommand } from './inspect-command.ts';
import { listCommand, logsCommand, removeCommand, statusCommand } from './project-commands.ts';

const USAGE = `usage: portico <command> [options]

  serve                      run the gateway and API (--port 8080 --host 127.0.0.1 --data-dir ./.portico --domain localhost --proxy auto|node|haproxy
                             --tls-cert PEM --tls-key PEM --https-port 8443)
  deploy <repo> [options]    deploy owner/repo, a git URL or a local directory; streams phases and build log
      --branch B  --dockerfile PATH  --context DIR  --gpu auto|prefer|off|N  --env NAME=value (repeatable)  --json  --no-follow
  ls [--json]                list projects
  status <project> [--json]  a project's endpoint, serving commit and latest deployment phases
  logs <project|deployment> [-f]  build log of the latest deployment; -f follows it
  rm <project>               remove a project with its containers and images
  inspect <dir|Dockerfile> [--build-arg NAME=value] [--gpu auto|prefer|off|N]
                             print the Dockerfile analysis and GPU placement as JSON (pools: PORTICO_GPU_POOLS or nvidia-smi)

Commands other than serve and inspect talk to the API at --api (PORTICO_API, default http://localhost:8080).
Exit codes: 0 ok, 1 failed (deployment failed or the API refused), 2 usage, 3 API unreachable.
`;

type Out = (text: string) => void;

export async function main(argv: readonly string[], out: Out = (t) => void process.stdout.write(t), err: Out = (t) => void process.stderr.write(t)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'deploy': {
        const { values, positionals } = parse(rest, {
          branch: { type: 'string' },
          dockerfile: { type: 'string' },
          context: { type: 'string' },
          gpu: { type: 'string' },
          env: { type: 'string', multiple: true },
          json: { type: 'boolean' },
          'no-follow': { type: 'boolean' },
        });
        const repo = one(positionals, 'deploy <repo>');
        return await deployCommand(api(values), {
          repo,
          branch: str(values.branch),
          dockerfile: str(values.dockerfile),
          context: str(values.context),
          gpu: str(values.gpu),
          env: (values.env as string[] | undefined) ?? [],
          json: values.json === true,
          follow: values['no-follow'] !== true,
        }, out);
      }
      case 'ls': {
        const { values } = parse(rest, { json: { type: 'boolean' } });
        return await listCommand(api(values), values.json === true, out);
      }
      case 'status': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean' } });
        return await statusCommand(api(values), one(positionals, 'status <project>'), values.json === true, out);
      }
      case 'logs': {
        const { values, positionals } = parse(rest, { follow: { type: 'boolean', short: 'f' } });
        return await logsCommand(api(values), one(positionals, 'logs <project|deployment>'), values.follow === true, out);
      }
      case 'rm': {
        const { values, positionals } = parse(rest, {});
        return await removeCommand(api(values), one(positionals, 'rm <project>'), out);
      }
      case 'inspect': {
        const { values, positionals } = parse(rest, { 'build-arg': { type: 'string', multiple: true }, gpu: { type: 'string' } }, false);
        const pools = loadConfig(process.env).gpuPools ?? [await detectLocalGpuPool()].filter((pool) => pool !== null);
        return await inspectCommand(one(positionals, 'inspect <dir|Dockerfile>'), { buildArgs: pairs((values['build-arg'] as string[] | undefined) ?? []), gpu: gpuSetting(str(values.gpu)), pools }, out, err);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error)) {
      err(`portico: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof ApiUnreachableError) {
      err(`portico: ${error.message}\n`);
      return EXIT.unreachable;
    }
    if (error instanceof ApiError) {
      err(`portico: ${error.message} (${error.code})\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

async function serve(args: readonly string[]): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, domain: { type: 'string' }, proxy: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'https-port': { type: 'string' } }, false);
  const config = loadConfig(process.env, values as Record<string, string | undefined>);
  const { startServer } = await import('../server.ts'); // only `serve` needs the engine and SQLite adapters
  const gateway = await startServer(config);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('stopping: waiting for running deployments to finish (Ctrl-C again to force)');
  process.once('SIGINT', () => process.exit(130));
  await gateway.close();
  return EXIT.ok;
}

type Options = NonNullable<ParseArgsConfig['options']>;

function parse(args: readonly string[], options: Options, withApi = true) {
  return parseArgs({ args: [...args], options: withApi ? { ...options, api: { type: 'string' } } : options, allowPositionals: true, strict: true });
}

function api(values: Record<string, unknown>) {
  return createApiClient(str(values.api) ?? process.env.PORTICO_API ?? 'http://localhost:8080', { token: process.env.PORTICO_TOKEN?.trim() || undefined });
}

function one(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected: portico ${usage}`);
  return positionals[0]!;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function gpuSetting(text: string | undefined): GpuSetting {
  if (text === undefined) return 'auto';
  if (text === 'auto' || text === 'prefer' || text === 'off') return text;
  if (/^\d+$/.test(text)) return Number(text);
  throw new UsageError(`--gpu takes auto, prefer, off or a number, got "${text}"`);
}

function pairs(items: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected NAME=value, got "${item}"`);
    result[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return result;
}

function isParseArgsError(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS');
}
