import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { branchProblem } from '../../domain/repo-spec.ts';
import type { ResolvedSource, SourceSpec } from '../../domain/types.ts';
import { PorticoError } from '../../errors.ts';
import type { SourceFetcher } from '../../ports/source-fetcher.ts';
import { extractTarGz, normalizeRelativePath } from './safe-extract.ts';

export interface GitSourceOptions {
  /** Scratch space for clones; leftovers from a previous run are removed on first use. */
  readonly workDir: string;
  readonly maxSourceBytes: number;
  readonly gitBinary?: string;
  /** Longest a clone or archive may run. */
  readonly commandTimeoutMs?: number;
  /** Longest an `ls-remote` may run; it answers API requests, so it is kept short. */
  readonly lsRemoteTimeoutMs?: number;
  /** Clones read (for the Dockerfile) but never fetched are dropped beyond this many. */
  readonly maxCachedClones?: number;
}

type GitSpec = Extract<SourceSpec, { kind: 'git' }>;

const ALLOWED_PROTOCOLS = ['https:', 'http:', 'git:', 'file:'];
const CLONE_PREFIX = 'clone-';

/**
 * Any git remote (https://, git://, file://) through the git command line. `readFile` and
 * `fetch` share one shallow clone per commit, so the Dockerfile check and the build see the
 * same tree and the network is crossed once.
 */
export function createGitSource(options: GitSourceOptions): SourceFetcher {
  const gitBinary = options.gitBinary ?? 'git';
  const timeout = options.commandTimeoutMs ?? 600_000;
  const lsRemoteTimeout = options.lsRemoteTimeoutMs ?? 60_000;
  const maxCachedClones = options.maxCachedClones ?? 8;
  // Never prompt (a deploy has no terminal), speak only the protocols we accept, and keep stderr in English for the messages below.
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: 'file:git:http:https', GCM_INTERACTIVE: 'never', LC_ALL: 'C' };
  const clones = new Map<string, Clone>();
  let workDirReady: Promise<void> | null = null;

  function git(args: readonly string[], cwd?: string, timeoutMs = timeout): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(gitBinary, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (error, stdout, stderr) => {
        if (error) reject(new GitFailure(args, stderr.toString('utf8'), error));
        else resolve(stdout.toString('utf8'));
      });
    });
  }

  /** Runs a command that talks to the remote; every failure there means the repository could not be read. */
  async function remote(args: readonly string[], url: string): Promise<string> {
    const timeoutMs = args[0] === 'ls-remote' ? lsRemoteTimeout : timeout;
    try {
      return await git(args, undefined, timeoutMs);
    } catch (error) {
      throw remoteError(error, url, gitBinary, timeoutMs);
    }
  }

  async function prepareWorkDir(): Promise<void> {
    workDirReady ??= (async () => {
      await mkdir(options.workDir, { recursive: true });
      const stale = (await readdir(options.workDir)).filter((name) => name.startsWith(CLONE_PREFIX));
      await Promise.all(stale.map((name) => rm(join(options.workDir, name), { recursive: true, force: true })));
    })();
    return workDirReady;
  }

  async function cloneAt(source: ResolvedSource, url: string): Promise<string> {
    await prepareWorkDir();
    const dir = await mkdtemp(join(options.workDir, CLONE_PREFIX));
    try {
      await remote(['clone', '--quiet', '--depth', '1', '--branch', source.branch, '--single-branch', '--no-checkout', '--', url, dir], url);
      const head = (await git(['rev-parse', 'HEAD'], dir)).trim();
      if (head !== source.commit) {
        throw new PorticoError(
          'source_failed',
          `branch ${source.branch} of ${url} moved during the deploy (was ${source.commit.slice(0, 7)}, now ${head.slice(0, 7)}); deploy again`,
        );
      }
      return dir;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      if (error instanceof PorticoError && /Remote branch .* not found/i.test(error.message)) {
        throw new PorticoError('invalid_input', `branch "${source.branch}" no longer exists in ${url}; pick another branch`, { field: 'branch', cause: error });
      }
      throw error;
    }
  }

  /** Lends the commit's clone to `use`; a clone marked for removal goes once its last borrower is done. */
  async function withClone<T>(source: ResolvedSource, use: (dir: string) => Promise<T>): Promise<T> {
    const url = gitSpec(source.spec).url;
    const key = cloneKey(source);
    let clone = clones.get(key);
    let evicted: Promise<unknown> = Promise.resolve();
    if (!clone) {
      const created: Clone = { dir: cloneAt(source, url), users: 0, discarded: false };
      created.dir.catch(() => clones.get(key) === created && clones.delete(key));
      clones.set(key, created);
      // Clones read for a Dockerfile whose deploy then failed are never fetched; the oldest go here.
      evicted = Promise.all([...clones.keys()].slice(0, Math.max(0, clones.size - maxCachedClones)).map(discard));
      clone = created;
    }
    clone.users += 1;
    try {
      await evicted;
      return await use(await clone.dir);
    } finally {
      clone.users -= 1;
      if (clone.discarded && clone.users === 0) await removeClone(clone);
    }
  }

  /** Forgets the clone; it is deleted now, or by its last borrower if someone is still reading it. */
  async function discard(key: string): Promise<void> {
    const clone = clones.get(key);
    if (!clone) return;
    clones.delete(key);
    clone.discarded = true;
    if (clone.users === 0) await removeClone(clone);
  }

  return {
    async defaultBranch(spec) {
      const url = checkedUrl(gitSpec(spec));
      const out = await remote(['ls-remote', '--symref', '--', url, 'HEAD'], url);
      const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
      return symref?.[1] ?? 'main'; // dumb HTTP servers do not advertise HEAD's target
    },

    async resolve(spec, branch) {
      const url = checkedUrl(gitSpec(spec));
      checkBranch(branch);
      const ref = `refs/heads/${branch}`;
      const out = await remote(['ls-remote', '--', url, ref], url);
      const line = out.split('\n').find((candidate) => candidate.endsWith(`\t${ref}`));
      if (!line) throw new PorticoError('invalid_input', `branch "${branch}" not found in ${url}; check the name or push it first`, { field: 'branch' });
      return { spec, branch, commit: line.split('\t')[0]! };
    },

    async readFile(source, path) {
      checkedUrl(gitSpec(source.spec));
      const relative = normalizeRelativePath(path);
      if (relative === null) return null;
      return withClone(source, async (dir) => {
        const object = `${source.commit}:${relative}`;
        const type = await git(['cat-file', '-t', object], dir).catch((error: unknown) => {
          if (error instanceof GitFailure && /does not exist|not a valid object name|exists on disk, but not in/i.test(error.stderr)) return null;
          throw new PorticoError('source_failed', `could not read ${path} from the clone of ${gitSpec(source.spec).url}: ${summarise(error)}`, { cause: error });
        });
        return type?.trim() === 'blob' ? git(['cat-file', 'blob', object], dir) : null;
      });
    },

    async fetch(source, destDir) {
      checkedUrl(gitSpec(source.spec));
      try {
        await withClone(source, (dir) => archiveInto(dir, source.commit, destDir));
      } finally {
        await discard(cloneKey(source));
      }
    },
  };

  /** `git archive` of the commit, unpacked by the same guarded extractor as GitHub tarballs: the tree without `.git`. */
  async function archiveInto(cloneDir: string, commit: string, destDir: string): Promise<void> {
    const child = spawn(gitBinary, ['archive', '--format=tar.gz', commit], { cwd: cloneDir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    try {
      await extractTarGz(child.stdout, destDir, { maxBytes: options.maxSourceBytes, stripComponents: 0 });
    } catch (error) {
      child.kill();
      await exited.catch(() => undefined);
      throw error;
    }
    const code = await exited;
    if (code !== 0) throw new PorticoError('source_failed', `git archive of ${commit.slice(0, 7)} failed: ${stderr.trim() || `exit code ${code}`}`);
  }
}

interface Clone {
  readonly dir: Promise<string>;
  users: number;
  discarded: boolean;
}

class GitFailure extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    readonly original: Error & { code?: unknown; killed?: boolean },
  ) {
    super(`git ${args[0]} failed: ${stderr.trim() || original.message}`, { cause: original });
  }
}

function cloneKey(source: ResolvedSource): string {
  return `${gitSpec(source.spec).url}\n${source.commit}`;
}

async function removeClone(clone: Clone): Promise<void> {
  const dir = await clone.dir.catch(() => null);
  if (dir) await rm(dir, { recursive: true, force: true });
}

function gitSpec(spec: SourceSpec): GitSpec {
  if (spec.kind !== 'git') throw new Error(`git source asked about a ${spec.kind} source`);
  return spec;
}

/** Git treats `-…` as an option and `ext::`/`fd::` as "run this command": neither may come from a user. */
function checkedUrl(spec: GitSpec): string {
  const url = spec.url;
  const refuse = (why: string) => new PorticoError('invalid_input', `repo URL "${url}" ${why}; use an https://, git:// or file:// URL`, { field: 'repo' });
  if (url.startsWith('-')) throw refuse('starts with "-"');
  if (/^[A-Za-z0-9+.-]+::/.test(url)) throw refuse('uses a git remote helper');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('is not a URL');
  }
  if (!ALLOWED_PROTOCOLS.includes(parsed.protocol)) throw refuse(`uses the unsupported "${parsed.protocol}" protocol`);
  return url;
}

function checkBranch(branch: string): void {
  const problem = branchProblem(branch);
  if (problem) throw new PorticoError('invalid_input', `branch "${branch.slice(0, 300)}" ${problem}; give the name of a branch in the repository`, { field: 'branch' });
}

function remoteError(error: unknown, url: string, gitBinary: string, timeoutMs: number): PorticoError {
  if (!(error instanceof GitFailure)) return new PorticoError('source_failed', `git failed on ${url}: ${String(error)}`, { cause: error });
  if (error.original.code === 'ENOENT') {
    return new PorticoError('source_failed', `git is not installed (looked for "${gitBinary}"); install git to deploy from git URLs`, { cause: error });
  }
  if (error.original.killed) {
    return new PorticoError('source_failed', `git ${error.args[0]} ${url} took longer than ${Math.round(timeoutMs / 1000)} s; check that the host is reachable and try again`, { cause: error });
  }
  const hint = /terminal prompts disabled|could not read Username|Authentication failed/i.test(error.stderr) ? ' (private repositories need credentials in git\'s credential helper)' : '';
  return new PorticoError('invalid_input', `could not read git repository ${url}: ${summarise(error)}${hint}`, { field: 'repo', cause: error });
}

/** Git's most telling line: the first `fatal:`, without the prefix. */
function summarise(error: unknown): string {
  if (!(error instanceof GitFailure)) return String(error);
  const lines = error.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const fatal = lines.find((line) => line.startsWith('fatal:')) ?? lines[0] ?? error.original.message;
  return fatal.replace(/^fatal:\s*/, '').slice(0, 300);
}
