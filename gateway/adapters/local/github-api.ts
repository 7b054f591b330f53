import { branchProblem } from '../../domain/repo-spec.ts';
import type { SourceSpec } from '../../domain/types.ts';
import { PorticoError } from '../../errors.ts';
import type { SourceReader } from '../../ports/source-fetcher.ts';
import { normalizeRelativePath } from './relative-path.ts';

export interface GithubApiOptions {
  /** `https://api.github.com`, or `https://host/api/v3` for GitHub Enterprise. */
  readonly apiBaseUrl: string;
  readonly token?: string | undefined;
  readonly fetch?: typeof fetch;
  /** Longest one API call may take. */
  readonly requestTimeoutMs?: number;
}

export type GithubSpec = Extract<SourceSpec, { kind: 'github' }>;

/** The reading half of the GitHub source, and the call it makes, for the tarball download (github-source.ts). */
export interface GithubApi extends SourceReader {
  readonly host: string;
  /** One API call; the failures that mean "GitHub, not the repository, is the problem" are thrown. */
  call(path: string, accept?: string, timeoutMs?: number): Promise<Response>;
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * GitHub (or GitHub Enterprise) through its REST API: pins a branch to a commit and reads single
 * files at that commit. What the gateway Lambda needs before CodeBuild clones; the local gateway's
 * github-source.ts adds the tarball download, so this file stays free of tar extraction.
 */
export function createGithubApi(options: GithubApiOptions): GithubApi {
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const host = new URL(base).host;
  const request = options.fetch ?? fetch;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;

  /** One API call; the failures that mean "GitHub, not the repository, is the problem" are thrown here. */
  async function call(path: string, accept = 'application/vnd.github+json', timeoutMs = requestTimeoutMs): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept, 'X-GitHub-Api-Version': '2022-11-28', 'User-Agent': 'portico' };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await request(`${base}${path}`, { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new PorticoError('source_failed', `could not reach GitHub at ${host}: ${networkReason(error)}; check the network and PORTICO_GITHUB_API`, { cause: error });
    }
    if (response.ok || response.status === 404 || response.status === 422) return response;
    const detail = await githubMessage(response);
    if (response.status === 401) {
      throw new PorticoError('source_failed', `GitHub at ${host} rejected the token (401 ${detail}); check PORTICO_GITHUB_TOKEN`);
    }
    if (response.status === 429 || (response.status === 403 && response.headers.get('x-ratelimit-remaining') === '0')) {
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
      const hint = options.token ? 'wait and deploy again' : 'set PORTICO_GITHUB_TOKEN for a higher limit, or wait and deploy again';
      throw new PorticoError('source_failed', `GitHub at ${host} rate-limits this gateway${when}; ${hint}`);
    }
    if (response.status >= 500) {
      throw new PorticoError('source_failed', `GitHub at ${host} answered ${response.status} for ${path}; it is having trouble, deploy again in a minute`);
    }
    throw new PorticoError('source_failed', `GitHub at ${host} answered ${response.status} for ${path}: ${detail}`);
  }

  function repoNotFound(spec: GithubSpec): PorticoError {
    const hint = options.token ? 'check that PORTICO_GITHUB_TOKEN can read it' : 'set PORTICO_GITHUB_TOKEN';
    return new PorticoError('invalid_input', `repository ${spec.owner}/${spec.repo} not found on ${host} (if it is private, ${hint})`, { field: 'repo' });
  }

  async function repository(spec: GithubSpec): Promise<{ default_branch?: unknown }> {
    const response = await call(repoPath(spec));
    if (response.status === 404) {
      await response.body?.cancel();
      throw repoNotFound(spec);
    }
    return (await json(response, host)) as { default_branch?: unknown };
  }

  return {
    host,
    call,

    async defaultBranch(spec) {
      const info = await repository(githubSpec(spec));
      if (typeof info.default_branch !== 'string' || info.default_branch === '') {
        throw new PorticoError('source_failed', `GitHub at ${host} named no default branch for ${describe(spec)}; give a branch explicitly`);
      }
      return info.default_branch;
    },

    async resolve(spec, branch) {
      const github = githubSpec(spec);
      const problem = branchProblem(branch);
      if (problem) throw new PorticoError('invalid_input', `branch "${branch.slice(0, 300)}" ${problem}; give the name of a branch in ${describe(github)}`, { field: 'branch' });
      // `heads/<branch>` so a tag or a SHA that happens to share the name is never picked instead.
      const ref = ['heads', ...branch.split('/')].map(encodeURIComponent).join('/');
      const response = await call(`${repoPath(github)}/commits/${ref}`, 'application/vnd.github.sha');
      if (response.status === 404 || response.status === 422) {
        await response.body?.cancel();
        await repository(github); // throws the clearer message when the repository itself is missing
        throw new PorticoError('invalid_input', `branch "${branch}" not found in ${describe(github)} on ${host}; check the name or push it first`, { field: 'branch' });
      }
      const text = (await response.text()).trim();
      const commit = text.startsWith('{') ? String((JSON.parse(text) as { sha?: unknown }).sha) : text;
      if (!SHA.test(commit)) throw new PorticoError('source_failed', `GitHub at ${host} answered something that is not a commit SHA for ${describe(github)}@${branch}`);
      return { spec, branch, commit };
    },

    async readFile(source, path) {
      const github = githubSpec(source.spec);
      const relative = normalizeRelativePath(path);
      if (relative === null) return null;
      const contents = `${repoPath(github)}/contents/${relative.split('/').map(encodeURIComponent).join('/')}?ref=${source.commit}`;
      const response = await call(contents);
      if (response.status === 404 || response.status === 422) {
        await response.body?.cancel();
        return null;
      }
      const body = (await json(response, host)) as { type?: unknown; encoding?: unknown; content?: unknown } | unknown[];
      if (Array.isArray(body) || body.type !== 'file') return null; // a directory or a submodule, not a file
      if (body.encoding === 'base64' && typeof body.content === 'string') return Buffer.from(body.content, 'base64').toString('utf8');
      // Files over 1 MB come without content in JSON; the raw media type has them.
      return (await call(contents, 'application/vnd.github.raw')).text();
    },
  };
}

export function repoPath(spec: GithubSpec): string {
  return `/repos/${encodeURIComponent(spec.owner)}/${encodeURIComponent(spec.repo)}`;
}

export function githubSpec(spec: SourceSpec): GithubSpec {
  if (spec.kind !== 'github') throw new Error(`GitHub source asked about a ${spec.kind} source`);
  return spec;
}

export function describe(spec: SourceSpec): string {
  return `${spec.owner}/${spec.repo}`;
}

async function json(response: Response, host: string): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    throw new PorticoError('source_failed', `GitHub at ${host} answered with something that is not JSON; check PORTICO_GITHUB_API points at the REST API`, { cause: error });
  }
}

/** GitHub's own `message`, if the body has one. */
async function githubMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: fall through to the status text
  }
  return response.statusText || text.slice(0, 200);
}

function networkReason(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'the request timed out';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
