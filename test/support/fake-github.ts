import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path with query string, e.g. `/repos/acme/hello/contents/Dockerfile?ref=3f2a…`. */
  readonly path: string;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

export interface FakeResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface FakeGithub {
  /** The API base URL to configure as `PORTICO_GITHUB_API`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Serves the git repository at `gitDir` as `owner/repo`; with `token`, it is private: other callers get GitHub's 404. */
  addRepo(owner: string, repo: string, gitDir: string, options?: { token?: string }): void;
  /** Serves these bytes instead of `git archive` as the repository's tarball (null restores the real one). */
  setTarball(owner: string, repo: string, tarball: Buffer | null): void;
  /** While set, a response the handler returns is sent instead of the normal one (rate limits, outages). */
  intercept(handler: ((request: RecordedRequest) => FakeResponse | undefined) | null): void;
  close(): Promise<void>;
}

interface FakeRepo {
  readonly gitDir: string;
  readonly token: string | undefined;
  tarball: Buffer | null;
}

const NOT_FOUND: FakeResponse = json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

/**
 * A real HTTP server on 127.0.0.1 speaking the four GitHub REST endpoints Portico uses, backed
 * by real git repositories: repository info, commits/{ref}, contents/{path}, and tarball/{ref}
 * (a 302 to a codeload-style path, as GitHub does).
 */
export async function startFakeGithub(): Promise<FakeGithub> {
  const repos = new Map<string, FakeRepo>();
  const requests: RecordedRequest[] = [];
  let interceptor: ((request: RecordedRequest) => FakeResponse | undefined) | null = null;
  let baseUrl = '';

  async function route(request: RecordedRequest): Promise<FakeResponse> {
    const url = new URL(request.path, baseUrl);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

    if (parts[0] === 'codeload' && parts[3] === 'legacy.tar.gz' && parts.length === 5) {
      const repo = repos.get(key(parts[1]!, parts[2]!));
      if (!repo) return NOT_FOUND;
      const sha = parts[4]!;
      const body = repo.tarball ?? (await gitBytes(['archive', '--format=tar.gz', `--prefix=${parts[1]}-${parts[2]}-${sha.slice(0, 7)}/`, sha], repo.gitDir));
      return { status: 200, headers: { 'content-type': 'application/x-gzip' }, body };
    }

    if (parts[0] !== 'repos' || parts.length < 3) return NOT_FOUND;
    const [owner, name] = [parts[1]!, parts[2]!];
    const repo = repos.get(key(owner, name));
    if (!repo || (repo.token !== undefined && request.authorization !== `Bearer ${repo.token}`)) return NOT_FOUND;
    const rest = parts.slice(4).join('/');

    if (parts.length === 3) {
      const defaultBranch = (await gitText(['symbolic-ref', '--short', 'HEAD'], repo.gitDir)).trim();
      return json(200, { name, full_name: `${owner}/${name}`, private: repo.token !== undefined, default_branch: defaultBranch });
    }

    if (parts[3] === 'commits' && rest !== '') {
      const sha = await commitOf(repo, rest);
      if (sha === null) return json(422, { message: `No commit found for SHA: ${rest}` });
      if (request.accept?.includes('application/vnd.github.sha')) return { status: 200, headers: { 'content-type': 'text/plain' }, body: sha };
      return json(200, { sha, commit: { message: (await gitText(['log', '-1', '--format=%s', sha], repo.gitDir)).trim() } });
    }

    if (parts[3] === 'contents' && rest !== '') {
      const sha = await commitOf(repo, url.searchParams.get('ref') ?? 'HEAD');
      if (sha === null) return json(404, { message: `No commit found for the ref ${url.searchParams.get('ref')}` });
      const type = (await gitText(['cat-file', '-t', `${sha}:${rest}`], repo.gitDir).catch(() => '')).trim();
      if (type === 'tree') {
        const names = (await gitText(['ls-tree', '--name-only', sha, `${rest}/`], repo.gitDir)).split('\n').filter(Boolean);
        return json(200, names.map((path) => ({ type: 'file', name: path.split('/').at(-1), path })));
      }
      if (type !== 'blob') return NOT_FOUND;
      const bytes = await gitBytes(['cat-file', 'blob', `${sha}:${rest}`], repo.gitDir);
      if (request.accept?.includes('application/vnd.github.raw')) return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes };
      const content = (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
      return json(200, { type: 'file', encoding: 'base64', size: bytes.length, name: rest.split('/').at(-1), path: rest, content });
    }

    if (parts[3] === 'tarball' && rest !== '') {
      const sha = await commitOf(repo, rest);
      if (sha === null) return NOT_FOUND;
      return { status: 302, headers: { location: `${baseUrl}/codeload/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/legacy.tar.gz/${sha}` } };
    }
    return NOT_FOUND;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', authorization: req.headers.authorization, accept: req.headers.accept, headers: req.headers };
    requests.push(recorded);
    const response = interceptor?.(recorded) ?? (req.method === 'GET' ? await route(recorded) : json(404, { message: 'Not Found' }));
    res.writeHead(response.status, { 'x-ratelimit-remaining': '4999', ...response.headers });
    res.end(response.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    requests,
    addRepo(owner, repo, gitDir, options = {}) {
      repos.set(key(owner, repo), { gitDir, token: options.token, tarball: null });
    },
    setTarball(owner, repo, tarball) {
      const entry = repos.get(key(owner, repo));
      if (!entry) throw new Error(`fake GitHub has no repository ${owner}/${repo}; addRepo it first`);
      entry.tarball = tarball;
    },
    intercept(handler) {
      interceptor = handler;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GitHub's `heads/<branch>` and `tags/<tag>` refs, a bare branch name, or a SHA; null when nothing matches. */
async function commitOf(repo: FakeRepo, ref: string): Promise<string | null> {
  if (ref.startsWith('-')) return null;
  const full = /^(heads|tags)\//.test(ref) ? `refs/${ref}` : ref;
  const out = await gitText(['rev-parse', '--verify', '--quiet', '--end-of-options', `${full}^{commit}`], repo.gitDir).catch(() => '');
  return out.trim() || null;
}

function key(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

function json(status: number, body: unknown): FakeResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

function gitBytes(args: readonly string[], cwd: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args.join(' ')}: ${stderr.toString()}`)) : resolve(stdout),
    );
  });
}

async function gitText(args: readonly string[], cwd: string): Promise<string> {
  return (await gitBytes(args, cwd)).toString('utf8');
}
