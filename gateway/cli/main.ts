import { ConfigError } from '../config.ts';
import { ApiError, ApiUnreachableError, createApiClient } from './api-client.ts';
import { parseCommandArgs, str } from './args.ts';
import { COMMANDS, commandHelp, usage } from './commands.ts';
import { EXIT, InputError, UsageError } from './exit-codes.ts';
import { hintFor } from './hints.ts';

type Out = (text: string) => void;

/** Runs `portico <argv>`; returns the exit code. Every failure is a line (or a few) that names the fix, never a stack trace. */
export async function main(argv: readonly string[], out: Out = (t) => void process.stdout.write(t), err: Out = (t) => void process.stderr.write(t)): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    out(topic ? commandHelp(topic) : usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    err(`portico: unknown command "${name}"; run \`portico --help\` for the list\n`);
    return EXIT.usage;
  }
  const beforeDashes = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeDashes.includes('--help') || beforeDashes.includes('-h')) {
    out(commandHelp(command));
    return EXIT.ok;
  }
  let positionals: readonly string[] = [];
  try {
    const options = command.api ? { ...command.options, api: { type: 'string' } as const } : command.options;
    const parsed = parseCommandArgs(name, rest, options);
    positionals = parsed.positionals;
    const api = () => createApiClient(str(parsed.values.api) ?? process.env.PORTICO_API ?? 'http://localhost:8080', { token: process.env.PORTICO_TOKEN?.trim() || undefined });
    return await command.run(parsed, { api, out, err });
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      err(`portico ${name}: ${error.message}\n${error instanceof UsageError && !(error instanceof InputError) ? `usage: portico ${command.usage}   (portico ${name} --help)\n` : ''}`);
      return EXIT.usage;
    }
    if (error instanceof ApiUnreachableError) {
      err(`portico: ${error.message}\n`);
      return EXIT.unreachable;
    }
    if (error instanceof ApiError) {
      err(`portico: ${error.message} (${error.code})\n`);
      const hint = hintFor(error.message, projectArgument(name, positionals));
      if (hint) err(`hint: ${hint}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

/** The project a command was pointed at, for hints; null when it names none. */
function projectArgument(name: string, positionals: readonly string[]): string | null {
  if (name === 'env' || name === 'secrets') return positionals[1] ?? null;
  if (name === 'deploy') return null; // the id is known only once the API answers
  return positionals[0] ?? null;
}
