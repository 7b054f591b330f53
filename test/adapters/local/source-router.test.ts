import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirSource } from '../../../gateway/adapters/local/dir-source.ts';
import { createGitSource } from '../../../gateway/adapters/local/git-source.ts';
import { createGithubSource } from '../../../gateway/adapters/local/github-source.ts';
import { createSourceRouter } from '../../../gateway/adapters/local/source-router.ts';
import type { SourceSpec } from '../../../gateway/domain/types.ts';
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
    });
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
});
