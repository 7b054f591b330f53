import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGithubSource } from '../../../gateway/adapters/local/github-source.ts';
import type { SourceSpec } from '../../../gateway/domain/types.ts';
import { startFakeGithub, type FakeGithub } from '../../support/fake-github.ts';
import { createGitRepo, type GitRepo } from '../../support/git-repo.ts';
import { describeSourceFetcherContract } from '../../ports/source-fetcher.contract.ts';
import { failure } from '../../support/failure.ts';

const MB = 1024 * 1024;

describeSourceFetcherContract('github-source', async (files) => {
  const github = await startFakeGithub();
  const repo = await createGitRepo({ ...files });
  github.addRepo('acme', 'hello', repo.dir);
  return {
    fetcher: createGithubSource({ apiBaseUrl: github.url, maxSourceBytes: 10 * MB }),
    spec: { kind: 'github', owner: 'acme', repo: 'hello' },
    branch: 'main',
    cleanup: async () => {
      await github.close();
      await repo.remove();
    },
  };
});

describe('github-source', () => {
  let github: FakeGithub;
  let host: string;
  const repos: GitRepo[] = [];
  const dirs: string[] = [];
  const spec = (repo: string, owner = 'acme'): SourceSpec => ({ kind: 'github', owner, repo });

  beforeAll(async () => {
    github = await startFakeGithub();
    host = new URL(github.url).host;
  });
  afterAll(async () => {
    await github.close();
    await Promise.all([...repos.map((repo) => repo.remove()), ...dirs.map((dir) => rm(dir, { recursive: true, force: true }))]);
  });
  afterEach(() => {
    github.intercept(null);
    github.requests.length = 0;
  });

  async function serve(name: string, files: Record<string, string>, options: { branch?: string; token?: string } = {}): Promise<GitRepo> {
    const repo = await createGitRepo(files, options);
    repos.push(repo);
    github.addRepo('acme', name, repo.dir, options);
    return repo;
  }

  async function emptyDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'portico-gh-'));
    dirs.push(dir);
    return dir;
  }

  const source = (token?: string, maxSourceBytes = 10 * MB) => createGithubSource({ apiBaseUrl: github.url, token, maxSourceBytes });

  it("answers the repository's default branch", async () => {
    await serve('trunked', { Dockerfile: 'FROM scratch\n' }, { branch: 'trunk' });
    expect(await source().defaultBranch(spec('trunked'))).toBe('trunk');
  });

  it('pins the branch to its head commit, asking for heads/<branch>', async () => {
    const repo = await serve('pinned', { Dockerfile: 'FROM scratch\n' });
    const resolved = await source().resolve(spec('pinned'), 'main');
    expect(resolved.commit).toBe(await repo.head());
    expect(github.requests.map((r) => r.path)).toContain('/repos/acme/pinned/commits/heads/main');
  });

  it('reads the Dockerfile at the pinned commit even after the branch moves on', async () => {
    const repo = await serve('moving', { Dockerfile: 'FROM one\n' });
    const fetcher = source();
    const resolved = await fetcher.resolve(spec('moving'), 'main');
    await repo.commit({ Dockerfile: 'FROM two\n' });
    expect(await fetcher.readFile(resolved, 'Dockerfile')).toBe('FROM one\n');
    expect((await fetcher.resolve(spec('moving'), 'main')).commit).toBe(await repo.head());
  });

  it('falls back to the raw media type for files GitHub sends without content', async () => {
    await serve('large', { Dockerfile: 'FROM big\n' });
    github.intercept((request) =>
      request.path.includes('/contents/') && !request.accept?.includes('raw')
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'file', encoding: 'none', content: '' }) }
        : undefined,
    );
    const fetcher = source();
    expect(await fetcher.readFile(await fetcher.resolve(spec('large'), 'main'), 'Dockerfile')).toBe('FROM big\n');
    expect(github.requests.filter((r) => r.path.includes('/contents/')).map((r) => r.accept)).toEqual(['application/vnd.github+json', 'application/vnd.github.raw']);
  });

  it('follows the tarball redirect and strips the top directory', async () => {
    await serve('tarball', { Dockerfile: 'FROM scratch\n', 'src/app.py': 'print(1)\n' });
    const fetcher = source();
    const dest = await emptyDir();
    await fetcher.fetch(await fetcher.resolve(spec('tarball'), 'main'), dest);
    expect((await readdir(dest)).sort()).toEqual(['Dockerfile', 'src']);
    expect(github.requests.some((r) => r.path.startsWith('/codeload/acme/tarball/legacy.tar.gz/'))).toBe(true);
  });

  it('sends the token as a bearer Authorization header with the API version and user agent', async () => {
    await serve('tokened', { Dockerfile: 'FROM scratch\n' });
    const fetcher = source('t0ken');
    const resolved = await fetcher.resolve(spec('tokened'), await fetcher.defaultBranch(spec('tokened')));
    await fetcher.readFile(resolved, 'Dockerfile');
    await fetcher.fetch(resolved, await emptyDir());
    const apiCalls = github.requests.filter((r) => r.path.startsWith('/repos/'));
    expect(apiCalls.length).toBe(4);
    for (const call of apiCalls) {
      expect(call.authorization).toBe('Bearer t0ken');
      expect(call.headers['x-github-api-version']).toBe('2022-11-28');
      expect(call.headers['user-agent']).toBe('portico');
    }
  });

  it('sends no Authorization header without a token', async () => {
    await serve('anonymous', { Dockerfile: 'FROM scratch\n' });
    await source().resolve(spec('anonymous'), 'main');
    expect(github.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('names the repository, the host and the token setting when the repository does not exist', async () => {
    const error = await failure(source().resolve(spec('nope'), 'main'));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'repo' });
    expect(error.message).toBe(`repository acme/nope not found on ${host} (if it is private, set PORTICO_GITHUB_TOKEN)`);
    expect((await failure(source().defaultBranch(spec('nope')))).field).toBe('repo');
  });

  it('reads a private repository with the right token and hints at the token without one', async () => {
    await serve('secret', { Dockerfile: 'FROM private\n' }, { token: 's3cret' });
    const anonymous = await failure(source().defaultBranch(spec('secret')));
    expect(anonymous.message).toContain('if it is private, set PORTICO_GITHUB_TOKEN');
    const wrongToken = await failure(source('wrong').defaultBranch(spec('secret')));
    expect(wrongToken.message).toContain('if it is private, check that PORTICO_GITHUB_TOKEN can read it');
    const fetcher = source('s3cret');
    expect(await fetcher.readFile(await fetcher.resolve(spec('secret'), 'main'), 'Dockerfile')).toBe('FROM private\n');
  });

  it('refuses an unknown branch of an existing repository with field branch', async () => {
    await serve('branches', { Dockerfile: 'FROM scratch\n' });
    const error = await failure(source().resolve(spec('branches'), 'no-such-branch'));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'branch' });
    expect(error.message).toContain('branch "no-such-branch" not found in acme/branches');
  });

  it('refuses a branch git would read as an option, or an overlong one, without asking GitHub', async () => {
    await serve('hostile-branch', { Dockerfile: 'FROM scratch\n' });
    for (const branch of ['--upload-pack=touch /tmp/x', 'a..b', 'x'.repeat(256)]) {
      const error = await failure(source().resolve(spec('hostile-branch'), branch));
      expect(error).toMatchObject({ code: 'invalid_input', field: 'branch' });
    }
    expect(github.requests).toEqual([]);
  });

  it('resolves a branch whose name contains a slash', async () => {
    const repo = await serve('slashes', { Dockerfile: 'FROM scratch\n' }, { branch: 'feature/x' });
    expect((await source().resolve(spec('slashes'), 'feature/x')).commit).toBe(await repo.head());
  });

  it('reports a rate limit as source_failed with when it resets and how to raise it', async () => {
    await serve('limited', { Dockerfile: 'FROM scratch\n' });
    github.intercept(() => ({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' }, body: JSON.stringify({ message: 'API rate limit exceeded' }) }));
    const error = await failure(source().resolve(spec('limited'), 'main'));
    expect(error.code).toBe('source_failed');
    expect(error.message).toBe(`GitHub at ${host} rate-limits this gateway until 2030-03-17T17:46:40.000Z; set PORTICO_GITHUB_TOKEN for a higher limit, or wait and deploy again`);
  });

  it('reports a GitHub outage (5xx) as source_failed', async () => {
    github.intercept(() => ({ status: 502, body: 'bad gateway' }));
    const error = await failure(source().defaultBranch(spec('anything')));
    expect(error.code).toBe('source_failed');
    expect(error.message).toContain('answered 502');
  });

  it('reports a rejected token as source_failed naming the setting', async () => {
    github.intercept(() => ({ status: 401, body: JSON.stringify({ message: 'Bad credentials' }) }));
    const error = await failure(source('expired').defaultBranch(spec('anything')));
    expect(error).toMatchObject({ code: 'source_failed' });
    expect(error.message).toContain('rejected the token (401 Bad credentials); check PORTICO_GITHUB_TOKEN');
  });

  it('reports an unreachable API as source_failed naming the host', async () => {
    const port = await closedPort();
    const error = await failure(createGithubSource({ apiBaseUrl: `http://127.0.0.1:${port}`, maxSourceBytes: MB }).defaultBranch(spec('x')));
    expect(error.code).toBe('source_failed');
    expect(error.message).toBe(`could not reach GitHub at 127.0.0.1:${port}: ECONNREFUSED; check the network and PORTICO_GITHUB_API`);
  });

  it('refuses a hostile tarball with a ../ entry', async () => {
    await serve('hostile', { Dockerfile: 'FROM scratch\n' });
    github.setTarball('acme', 'hostile', await tarGz([{ name: 'top/../../evil', content: 'pwned' }]));
    const fetcher = source();
    const dest = await emptyDir();
    const error = await failure(fetcher.fetch(await fetcher.resolve(spec('hostile'), 'main'), dest));
    expect(error).toMatchObject({ code: 'source_failed' });
    expect(error.message).toContain('"top/../../evil"');
  });

  it('stops a tarball that unpacks to more than maxSourceBytes', async () => {
    await serve('huge', { Dockerfile: 'FROM scratch\n', 'weights.bin': 'x'.repeat(2 * MB) });
    const fetcher = source(undefined, MB);
    const error = await failure(fetcher.fetch(await fetcher.resolve(spec('huge'), 'main'), await emptyDir()));
    expect(error.message).toContain('source is larger than the 1 MB limit (PORTICO_MAX_SOURCE_MB)');
  });
});

async function tarGz(entries: ReadonlyArray<{ name: string; content: string }>): Promise<Buffer> {
  const archive = pack();
  for (const entry of entries) archive.entry({ name: entry.name }, entry.content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
