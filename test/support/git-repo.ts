import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { accepts, freePort } from './net.ts';

export interface GitRepo {
  /** The work tree (with `.git` inside). */
  readonly dir: string;
  /** `file://` URL of the repository. */
  readonly url: string;
  /** Writes (string) or deletes (null) files, commits everything, returns the new SHA. */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  head(): Promise<string>;
  remove(): Promise<void>;
}

/** Identity and settings passed on every call, so tests work on a machine with no git config at all. */
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Portico Test',
  GIT_AUTHOR_EMAIL: 'test@portico.invalid',
  GIT_COMMITTER_NAME: 'Portico Test',
  GIT_COMMITTER_EMAIL: 'test@portico.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export function git(args: readonly string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd, env: GIT_ENV }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args.join(' ')} failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/** A real repository in a temp dir with one commit holding `files`, on `branch` (default `main`). */
export async function createGitRepo(files: Record<string, string>, options: { branch?: string } = {}): Promise<GitRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-repo-'));
  await git(['init', '--quiet', `--initial-branch=${options.branch ?? 'main'}`], dir);
  const repo: GitRepo = {
    dir,
    url: pathToFileURL(dir).href,
    async commit(changes, message = 'test commit') {
      for (const [path, content] of Object.entries(changes)) {
        const file = join(dir, path);
        if (content === null) {
          await rm(file, { force: true });
        } else {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, content);
        }
      }
      await git(['add', '--all'], dir);
      await git(['commit', '--quiet', '--allow-empty', '-m', message], dir);
      return repo.head();
    },
    async head() {
      return (await git(['rev-parse', 'HEAD'], dir)).trim();
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  await repo.commit(files, 'initial commit');
  return repo;
}

export interface GitDaemon {
  /** `git://127.0.0.1:<port>/` followed by a path under the base directory. */
  urlFor(relativePath: string): string;
  close(): Promise<void>;
}

/**
 * `git daemon` serving every repository under `baseDir` over git://, or null when this
 * machine has no git daemon. The daemon cannot take port 0, so a free port is picked first.
 */
export async function startGitDaemon(baseDir: string): Promise<GitDaemon | null> {
  const execPath = (await git(['--exec-path'])).trim();
  const port = await freePort();
  const child = spawn(join(execPath, 'git-daemon'), ['--export-all', `--base-path=${baseDir}`, '--listen=127.0.0.1', `--port=${port}`, '--reuseaddr', '--informative-errors', baseDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const failed = new Promise<null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', () => resolve(null));
  });
  const ready = (async () => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (await accepts(port)) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  })();
  if ((await Promise.race([failed, ready])) === null) {
    child.kill();
    return null;
  }
  return {
    urlFor: (relativePath) => `git://127.0.0.1:${port}/${relativePath.replace(/^\/+/, '')}`,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}


/** Creates repositories for one suite and removes them all at its end. */
export function repoTracker(): { create(files: Record<string, string>): Promise<GitRepo>; removeAll(): Promise<void> } {
  const repos: GitRepo[] = [];
  return {
    async create(files) {
      const repo = await createGitRepo(files);
      repos.push(repo);
      return repo;
    },
    async removeAll() {
      await Promise.all(repos.splice(0).map((repo) => repo.remove()));
    },
  };
}
