import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../gateway/cli/commands.ts';

const run = promisify(execFile);
/** Nothing listens here: a command that got as far as the API would exit 3. */
const NO_API = 'http://127.0.0.1:1';

async function portico(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/portico.js', ...args], { cwd: process.cwd(), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What Node's own argument parser says; none of it may reach a user. */
const RAW_PARSER = /ERR_PARSE_ARGS|To specify a positional argument|Unknown option '|argument missing|at parseArgs|\n\s+at /;

describe('portico --help and usage errors, through the real binary', () => {
  const names = Object.keys(COMMANDS);

  it.each(names)('`portico %s --help` prints its usage and options and exits 0', async (name) => {
    const result = await portico([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith(`usage: portico ${COMMANDS[name]!.usage}\n`)).toBe(true);
    for (const option of Object.keys(COMMANDS[name]!.options)) expect(result.stdout, `--${option} is not described`).toContain(`--${option}`);
  });

  it('lists every command in `portico --help`, and `portico help <command>` is the command’s help', async () => {
    const top = await portico(['--help']);
    expect(top.code).toBe(0);
    for (const name of names) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect((await portico(['help', 'config'])).stdout).toBe((await portico(['config', '-h'])).stdout);
  });

  it.each(names)('`portico %s --bogus` names the unknown option and the help to read, exit 2', async (name) => {
    const result = await portico([name, '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`\`portico ${name}\` has no option --bogus; see \`portico ${name} --help\``);
    expect(result.stderr).not.toMatch(RAW_PARSER);
  });

  it('an option without its value, or a flag given a value, is a usage error in plain words', async () => {
    const missing = await portico(['deploy', 'acme/hello', '--branch']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--branch needs a value, e.g. --branch <value>');
    const swallowed = await portico(['deploy', 'acme/hello', '--branch', '--json']);
    expect(swallowed.stderr).toContain('--branch needs a value');
    const valued = await portico(['ls', '--json=yes']);
    expect(valued.code).toBe(2);
    expect(valued.stderr).toContain('--json takes no value');
    for (const result of [missing, swallowed, valued]) expect(result.stderr).not.toMatch(RAW_PARSER);
  });

  it('an unknown command says so and points at --help', async () => {
    const result = await portico(['deplyo']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('portico: unknown command "deplyo"; run `portico --help` for the list\n');
  });

  it('bad setting values are refused before the API is called', async () => {
    const gpu = await portico(['config', 'p', '--gpu', 'maybe', '--api', NO_API]);
    expect(gpu.code).toBe(2);
    expect(gpu.stderr).toContain('--gpu takes auto, prefer, off or a number of GPUs (0 to 16), got "maybe"');
    const idle = await portico(['config', 'p', '--idle', '-5', '--api', NO_API]);
    expect(idle.code).toBe(2);
    const env = await portico(['env', 'set', 'p', 'not-a-name=1', '--api', NO_API]);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('wants NAME=value');
    const noProject = await portico(['env', 'set', 'A=1', '--api', NO_API]);
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toContain('missing the project: portico env set <project> NAME=value…');
    const projectLast = await portico(['env', 'set', 'A=1', 'my-demo', '--api', NO_API]);
    expect(projectLast.code).toBe(3); // read as project my-demo with A=1, and sent
    const action = await portico(['secrets', 'show', 'p', '--api', NO_API]);
    expect(action.stderr).toContain('`portico secrets` takes set, unset or ls, got "show"');
  });
});

describe('portico deploy reads local paths as paths, through the real binary', () => {
  it.each([
    ['examples/helo-cpu', 'no directory examples/helo-cpu here; did you mean examples/hello-cpu?'],
    ['./examples/helo-cpu', 'no directory ./examples/helo-cpu here; did you mean ./examples/hello-cpu?'],
    ['examples/helo-cpu/', 'no directory examples/helo-cpu here; did you mean examples/hello-cpu?'],
    ['examples/nothing-like-it', 'no directory examples/nothing-like-it here; give owner/repo, a git URL or a directory'],
    ['hello-cpu', 'no directory hello-cpu here; give owner/repo, a git URL or a directory'],
  ])('`portico deploy %s` says the directory is missing and sends nothing (exit 2, not 3)', async (input, message) => {
    const result = await portico(['deploy', input, '--api', NO_API]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`portico deploy: ${message}\n`);
  });

  it.each(['examples/hello-cpu', './examples/hello-cpu', 'examples/hello-cpu/', 'acme/hello', 'https://github.com/acme/hello'])('`portico deploy %s` goes to the API', async (input) => {
    const result = await portico(['deploy', input, '--api', NO_API]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cannot reach the Portico API');
  });
});
