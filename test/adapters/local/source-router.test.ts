import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirSource } from '../../../gateway/adapters/local/dir-source.ts';
import { createGitSource } from '../../../gateway/adapters/local/git-source.ts';
import { createGithubSource } from '../../../gateway/adapters/local/github-source.ts';
import { createSourceRouter } from '../../../gateway/adapters/local/source-router.ts';
import type { ResolvedSource, SourceSpec } from '../../../gateway/domain/types.ts';
import { PorticoError } from '../../../gateway/errors.ts';
import type { SourceFetcher } from '../../../gateway/ports/source-fetcher.ts';
import { startFakeGithub, type FakeGithub } from '../../support/fake-github.ts';
import { createGitRepo, type GitRepo } from '../../support/git-repo.ts';
import { readTree } from '../../ports/source-fetcher.contract.ts';

describe('source-router', () => {
  let github: FakeGithub;
  let repo: GitRepo;
  let workDir: string;
  let router: SourceFetcher;
  const scratch: string[] = [];

  beforeAll(async () => {
    github = await startFakeGithub();
    repo = await createGitRepo({ Dockerfile: 'FROM scratch\n' }, { branch: 'trunk' });
    github.addRepo('acme', 'hello', repo.dir);
    workDir = await mkdtemp(join(tmpdir(), 'portico-router-'));
    router = createSourceRouter({
      github: createGithubSource({ apiBaseUrl: github.url, maxSourceBytes: 1024 * 1024 }),
      git: createGitSource({ workDir, maxSourceBytes: 1024 * 1024 }),
      dir: createDirSource({ maxSourceBytes: 1024 * 1024 }),
    }, { allowLocalSources: true });
  });
  afterAll(async () => {
    await github.close();
    await repo.remove();
    await Promise.all([workDir, ...scratch].map((dir) => rm(dir, { recursive: true, force: true })));
  });

  const specs = (): Record<SourceSpec['kind'], SourceSpec> => ({
    github: { kind: 'github', owner: 'acme', repo: 'hello' },
    git: { kind: 'git', url: repo.url, owner: 'acme', repo: 'hello' },
    dir: { kind: 'dir', path: repo.dir, owner: 'local', repo: 'hello' },
  });

  it('sends each kind of source to its own adapter', async () => {
    const head = await repo.head();
    const { github: githubSpec, git: gitSpec, dir: dirSpec } = specs();

    expect(await router.defaultBranch(githubSpec)).toBe('trunk');
    expect((await router.resolve(githubSpec, 'trunk')).commit).toBe(head);
    expect(github.requests.length).toBeGreaterThan(0);
    github.requests.length = 0;

    expect((await router.resolve(gitSpec, 'trunk')).commit).toBe(head);
    const dirResolved = await router.resolve(dirSpec, 'trunk');
    expect(dirResolved.commit).not.toBe(head); // a content hash, not the git commit
    expect(github.requests).toEqual([]);
  });

  it('reads and fetches through the adapter of the resolved source', async () => {
    for (const spec of Object.values(specs())) {
      const resolved = await router.resolve(spec, 'trunk');
      expect(await router.readFile(resolved, 'Dockerfile')).toBe('FROM scratch\n');
      const dest = await mkdtemp(join(tmpdir(), 'portico-router-dest-'));
      scratch.push(dest);
      await router.fetch(resolved, dest);
      expect(await readTree(dest)).toEqual({ Dockerfile: 'FROM scratch\n' });
    }
  });

  describe('without PORTICO_ALLOW_LOCAL_SOURCES', () => {
    const strict = () =>
      createSourceRouter({
        github: createGithubSource({ apiBaseUrl: github.url, maxSourceBytes: 1024 * 1024 }),
        git: createGitSource({ workDir, maxSourceBytes: 1024 * 1024 }),
        dir: createDirSource({ maxSourceBytes: 1024 * 1024 }),
      });

    async function refusal(promise: Promise<unknown>): Promise<PorticoError> {
      const error = await promise.then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(PorticoError);
      expect((error as PorticoError).code).toBe('invalid_input');
      expect((error as PorticoError).message).toContain('PORTICO_ALLOW_LOCAL_SOURCES=true');
      return error as PorticoError;
    }

    it.each([
      ['a directory', () => specs().dir],
      ['a file:// git URL', () => specs().git],
      ['an upper-case FILE:// git URL', (): SourceSpec => ({ kind: 'git', url: repo.url.replace('file:', 'FILE:'), owner: 'acme', repo: 'hello' })],
      ['a bare path given as a git URL', (): SourceSpec => ({ kind: 'git', url: repo.dir, owner: 'acme', repo: 'hello' })],
    ])('refuses %s at every step, naming the setting, and reads nothing', async (_what, spec) => {
      const router = strict();
      const local = spec();
      expect((await refusal(router.defaultBranch(local))).field).toBe('repo');
      await refusal(router.resolve(local, 'trunk'));
      const resolved: ResolvedSource = { spec: local, branch: 'trunk', commit: await repo.head() };
      await refusal(router.readFile(resolved, 'Dockerfile'));
      const dest = await mkdtemp(join(tmpdir(), 'portico-router-refused-'));
      scratch.push(dest);
      await refusal(router.fetch(resolved, dest));
      expect(await readdir(dest)).toEqual([]);
    });

    it('still serves GitHub repositories', async () => {
      expect((await strict().resolve(specs().github, 'trunk')).commit).toBe(await repo.head());
    });
  });
});
