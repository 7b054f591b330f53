import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitSource } from '../../../gateway/adapters/local/git-source.ts';
import type { SourceSpec } from '../../../gateway/domain/types.ts';
import { createGitRepo, git, startGitDaemon, type GitDaemon, type GitRepo } from '../../support/git-repo.ts';
import { describeSourceFetcherContract } from '../../ports/source-fetcher.contract.ts';
import { failure } from '../../support/failure.ts';

const MB = 1024 * 1024;
const hasGitDaemon = existsSync(join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-daemon'));
const gitSpec = (url: string): SourceSpec => ({ kind: 'git', url, owner: 'acme', repo: 'hello' });

describeSourceFetcherContract('git-source over file://', async (files) => {
  const repo = await createGitRepo({ ...files });
  const workDir = await mkdtemp(join(tmpdir(), 'portico-git-work-'));
  return {
    fetcher: createGitSource({ workDir, maxSourceBytes: 10 * MB }),
    spec: gitSpec(repo.url),
    branch: 'main',
    cleanup: async () => {
      await repo.remove();
      await rm(workDir, { recursive: true, force: true });
    },
  };
});

describe.skipIf(!hasGitDaemon)('git-source over git:// (git daemon)', () => {
  describeSourceFetcherContract('git-source over git://', async (files) => {
    const repo = await createGitRepo({ ...files });
    const daemon = (await startGitDaemon(dirname(repo.dir)))!;
    const workDir = await mkdtemp(join(tmpdir(), 'portico-git-work-'));
    return {
      fetcher: createGitSource({ workDir, maxSourceBytes: 10 * MB }),
      spec: gitSpec(daemon.urlFor(basename(repo.dir))),
      branch: 'main',
      cleanup: async () => {
        await daemon.close();
        await repo.remove();
        await rm(workDir, { recursive: true, force: true });
      },
    };
  });

  let daemon: GitDaemon;
  let repo: GitRepo;
  beforeAll(async () => {
    repo = await createGitRepo({ Dockerfile: 'FROM scratch\n' }, { branch: 'trunk' });
    daemon = (await startGitDaemon(dirname(repo.dir)))!;
  });
  afterAll(async () => {
    await daemon?.close();
    await repo?.remove();
  });

  it("answers the remote's HEAD branch over git://", async () => {
    const fetcher = createGitSource({ workDir: join(tmpdir(), 'portico-unused'), maxSourceBytes: MB });
    expect(await fetcher.defaultBranch(gitSpec(daemon.urlFor(basename(repo.dir))))).toBe('trunk');
  });

  it('refuses a repository the daemon does not have with field repo', async () => {
    const fetcher = createGitSource({ workDir: join(tmpdir(), 'portico-unused'), maxSourceBytes: MB });
    const error = await fetcher.resolve(gitSpec(daemon.urlFor('no-such-repo')), 'main').catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'invalid_input', field: 'repo' });
  });
});

describe('git-source', () => {
  const repos: GitRepo[] = [];
  const dirs: string[] = [];
  afterAll(() => Promise.all([...repos.map((repo) => repo.remove()), ...dirs.map((dir) => rm(dir, { recursive: true, force: true }))]));

  async function repo(files: Record<string, string>, options: { branch?: string } = {}): Promise<GitRepo> {
    const created = await createGitRepo(files, options);
    repos.push(created);
    return created;
  }

  async function tempDir(prefix = 'portico-git-test-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  }

  async function fetcher(options: { maxSourceBytes?: number; gitBinary?: string; maxCachedClones?: number } = {}) {
    const workDir = await tempDir('portico-git-work-');
    return { workDir, source: createGitSource({ workDir, ...options, maxSourceBytes: options.maxSourceBytes ?? 10 * MB }) };
  }

  it("answers the remote's HEAD branch as the default", async () => {
    const trunk = await repo({ Dockerfile: 'FROM scratch\n' }, { branch: 'trunk' });
    const { source } = await fetcher();
    expect(await source.defaultBranch(gitSpec(trunk.url))).toBe('trunk');
  });

  it('pins a branch to its head commit, not to a tag or another branch', async () => {
    const remote = await repo({ Dockerfile: 'FROM one\n' });
    const first = await remote.head();
    await git(['tag', 'release', first], remote.dir);
    await git(['branch', 'other', first], remote.dir);
    const second = await remote.commit({ Dockerfile: 'FROM two\n' });
    const { source } = await fetcher();
    expect((await source.resolve(gitSpec(remote.url), 'main')).commit).toBe(second);
    expect((await source.resolve(gitSpec(remote.url), 'other')).commit).toBe(first);
  });

  it('reads and fetches through one shallow clone that is gone after the fetch', async () => {
    const remote = await repo({ Dockerfile: 'FROM scratch\n' });
    await remote.commit({ 'app.py': 'print(2)\n' });
    const { source, workDir } = await fetcher();
    const resolved = await source.resolve(gitSpec(remote.url), 'main');
    expect(await source.readFile(resolved, 'Dockerfile')).toBe('FROM scratch\n');
    expect(await source.readFile(resolved, 'app.py')).toBe('print(2)\n');
    const clones = await readdir(workDir);
    expect(clones).toHaveLength(1);
    expect((await git(['rev-list', '--count', 'HEAD'], join(workDir, clones[0]!))).trim()).toBe('1');

    const dest = await tempDir();
    await source.fetch(resolved, dest);
    expect((await readdir(dest)).sort()).toEqual(['Dockerfile', 'app.py']);
    expect(await readdir(workDir)).toEqual([]);
  });

  it('keeps the executable bit of scripts', async () => {
    const remote = await repo({ 'run.sh': '#!/bin/sh\necho hi\n' });
    await git(['update-index', '--chmod=+x', 'run.sh'], remote.dir);
    await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'exec'], remote.dir);
    const { source } = await fetcher();
    const dest = await tempDir();
    await source.fetch(await source.resolve(gitSpec(remote.url), 'main'), dest);
    expect((await stat(join(dest, 'run.sh'))).mode & 0o111).not.toBe(0);
  });

  it('says the branch moved and to deploy again when the clone finds a newer commit', async () => {
    const remote = await repo({ Dockerfile: 'FROM one\n' });
    const { source, workDir } = await fetcher();
    const resolved = await source.resolve(gitSpec(remote.url), 'main');
    const moved = await remote.commit({ Dockerfile: 'FROM two\n' });
    const error = await failure(source.readFile(resolved, 'Dockerfile'));
    expect(error.code).toBe('source_failed');
    expect(error.message).toBe(`branch main of ${remote.url} moved during the deploy (was ${resolved.commit.slice(0, 7)}, now ${moved.slice(0, 7)}); deploy again`);
    expect(await readdir(workDir)).toEqual([]);
  });

  it('drops the oldest clone that was read but never fetched once the cache is full', async () => {
    const remote = await repo({ Dockerfile: 'FROM one\n' });
    const { source, workDir } = await fetcher({ maxCachedClones: 1 });
    const first = await source.resolve(gitSpec(remote.url), 'main');
    await source.readFile(first, 'Dockerfile');
    await remote.commit({ Dockerfile: 'FROM two\n' });
    const second = await source.resolve(gitSpec(remote.url), 'main');
    expect(await source.readFile(second, 'Dockerfile')).toBe('FROM two\n');
    expect(await readdir(workDir)).toHaveLength(1);
  });

  it('removes clones left behind by an earlier run on first use', async () => {
    const remote = await repo({ Dockerfile: 'FROM scratch\n' });
    const { source, workDir } = await fetcher();
    await mkdir(join(workDir, 'clone-stale'));
    await source.readFile(await source.resolve(gitSpec(remote.url), 'main'), 'Dockerfile');
    expect(await readdir(workDir)).not.toContain('clone-stale');
  });

  it('refuses a repository that does not exist with field repo and what git said', async () => {
    const { source } = await fetcher();
    const error = await failure(source.resolve(gitSpec('file:///nonexistent/portico-repo'), 'main'));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'repo' });
    expect(error.message).toBe("could not read git repository file:///nonexistent/portico-repo: '/nonexistent/portico-repo' does not appear to be a git repository");
    expect((await failure(source.defaultBranch(gitSpec('file:///nonexistent/portico-repo')))).field).toBe('repo');
  });

  it('refuses an unreachable git:// host with field repo', async () => {
    const { source } = await fetcher();
    const error = await failure(source.defaultBranch(gitSpec('git://127.0.0.1:1/nothing')));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'repo' });
    expect(error.message).toContain('could not read git repository git://127.0.0.1:1/nothing');
  });

  it('refuses a missing branch with field branch', async () => {
    const remote = await repo({ Dockerfile: 'FROM scratch\n' });
    const { source } = await fetcher();
    const error = await failure(source.resolve(gitSpec(remote.url), 'nope'));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'branch' });
    expect(error.message).toBe(`branch "nope" not found in ${remote.url}; check the name or push it first`);
  });

  it('refuses branch names git would read as options or revisions', async () => {
    const remote = await repo({ Dockerfile: 'FROM scratch\n' });
    const { source } = await fetcher();
    for (const branch of ['--upload-pack=touch', '-b', 'a..b', 'main~1', '', 'x'.repeat(256)]) {
      expect(await failure(source.resolve(gitSpec(remote.url), branch))).toMatchObject({ code: 'invalid_input', field: 'branch' });
    }
  });

  it('refuses URLs that start with - or use a remote helper such as ext::, and runs nothing', async () => {
    const marker = join(await tempDir(), 'pwned');
    const { source } = await fetcher();
    const hostile = [
      '--upload-pack=touch /tmp/x',
      `ext::sh -c touch% ${marker}`,
      `EXT::sh -c touch% ${marker}`,
      `  ext::sh -c touch% ${marker}`,
      'fd::17',
      'testgit::/tmp/repo',
      'file::/tmp/repo',
      'ssh://example.invalid/repo',
      'git@example.invalid:acme/repo.git',
      'ftp://example.invalid/repo.git',
    ];
    for (const url of hostile) {
      const error = await failure(source.defaultBranch(gitSpec(url)));
      expect(error).toMatchObject({ code: 'invalid_input', field: 'repo' });
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('stops a tree larger than maxSourceBytes', async () => {
    const remote = await repo({ Dockerfile: 'FROM scratch\n', 'weights.bin': 'x'.repeat(4096) });
    const { source, workDir } = await fetcher({ maxSourceBytes: 2048 });
    const resolved = await source.resolve(gitSpec(remote.url), 'main');
    const error = await failure(source.fetch(resolved, await tempDir()));
    expect(error.message).toContain('source is larger than the 2048 bytes limit (PORTICO_MAX_SOURCE_MB)');
    expect(await readdir(workDir)).toEqual([]);
  });

  it('says git is not installed when the binary is missing', async () => {
    const { source } = await fetcher({ gitBinary: '/nonexistent/git' });
    const error = await failure(source.defaultBranch(gitSpec('file:///tmp/anything')));
    expect(error).toMatchObject({ code: 'source_failed' });
    expect(error.message).toContain('git is not installed (looked for "/nonexistent/git")');
  });
});
