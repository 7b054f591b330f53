import type { SourceSpec } from './types.ts';

export interface ParsedRepo {
  readonly spec: SourceSpec;
  /** A branch named inside the input itself (`…/tree/<branch>`). */
  readonly branch: string | null;
}

export type ParseRepoResult = { readonly ok: true; readonly value: ParsedRepo } | { readonly ok: false; readonly error: string };

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})$/;
/** Longest repository input read at all: ample for any real URL, small enough to log and store. */
export const MAX_REPO_LENGTH = 2048;
/** Git allows longer refs, but no host (GitHub: 255 bytes) keeps one this long. */
export const MAX_BRANCH_LENGTH = 255;
const GITHUB_WEB = /^(?:https?:\/\/)?(?:www\.)?github\.com\/([^/]+)\/([^/]+?)(?:\.git)?(?:\/tree\/(.+?))?\/?$/;

/**
 * Reads what a user typed as a repository: `owner/repo`, a github.com URL (optionally with
 * `/tree/<branch>`), any other `https://`, `http://`, `git://` or `file://` git URL, or an
 * absolute directory path. Pure: whether it exists is the source adapter's question.
 */
export function parseRepo(input: string): ParseRepoResult {
  const text = input.trim();
  if (text === '') return fail('is empty; give owner/repo, a git URL or an absolute directory path');
  if (text.length > MAX_REPO_LENGTH) return fail(`is ${text.length} characters long; at most ${MAX_REPO_LENGTH} are accepted`);
  if (text.startsWith('-')) return fail(`"${text}" starts with "-"; give owner/repo, a git URL or a directory`);
  // `ext::<command>`, `fd::<n>` and other `<helper>::<address>` forms make git run a remote helper.
  if (/^[A-Za-z0-9+.-]+::/.test(text)) return fail(`"${text}" names a git remote helper, which is not supported; use https://, git:// or file://`);

  const web = GITHUB_WEB.exec(text);
  if (web) return github(web[1]!, web[2]!, web[3] ? decodeURIComponent(web[3]) : null, text);

  const short = /^([^/\s:]+)\/([^/\s:]+)$/.exec(text);
  if (short) return github(short[1]!, short[2]!.replace(/\.git$/, ''), null, text);

  if (text.startsWith('/')) {
    const parts = text.split('/').filter(Boolean);
    const repo = parts.at(-1) ?? 'root';
    return ok({ kind: 'dir', path: text.replace(/\/+$/, '') || '/', owner: 'local', repo });
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`"${text}" is neither owner/repo, a URL nor an absolute path`);
  }
  if (!['https:', 'http:', 'git:', 'file:'].includes(url.protocol)) {
    return fail(`"${url.protocol}" URLs are not supported; use https://, git:// or file://`);
  }
  if (url.username || url.password) return fail('must not carry credentials; set PORTICO_GITHUB_TOKEN for private GitHub repos');
  const parts = url.pathname.split('/').filter(Boolean).map((part) => part.replace(/\.git$/, ''));
  const repo = parts.at(-1);
  if (!repo) return fail(`"${text}" names no repository`);
  const owner = parts.at(-2) ?? url.hostname ?? 'git';
  return ok({ kind: 'git', url: url.href, owner: owner || 'git', repo });
}

function github(owner: string, repo: string, branch: string | null, text: string): ParseRepoResult {
  if (!NAME.test(owner) || !NAME.test(repo)) return fail(`"${text}" is not a valid GitHub owner/repo`);
  const problem = branch === null ? null : branchProblem(branch);
  if (problem) return fail(`"${text}" names a branch that ${problem}`);
  return { ok: true, value: { spec: { kind: 'github', owner, repo }, branch } };
}

function ok(spec: SourceSpec): ParseRepoResult {
  return { ok: true, value: { spec, branch: null } };
}

function fail(reason: string): ParseRepoResult {
  return { ok: false, error: `repo ${reason}` };
}

/**
 * Why a branch name cannot be used, or null if it can: the shapes `git check-ref-format
 * --branch` refuses, plus a leading `-` (git would read it as an option) and a length cap.
 */
export function branchProblem(branch: string): string | null {
  if (branch === '') return 'is empty';
  if (branch.length > MAX_BRANCH_LENGTH) return `is ${branch.length} characters long (at most ${MAX_BRANCH_LENGTH})`;
  if (branch.startsWith('-')) return 'starts with "-"';
  if (branch.includes('..') || branch.includes('@{') || branch.includes('//')) return 'contains "..", "@{" or "//"';
  if (/[\s~^:?*[\\\x00-\x1f\x7f]/.test(branch)) return 'contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (branch.startsWith('/') || branch.endsWith('/') || branch.endsWith('.') || branch.endsWith('.lock') || branch === '@') return 'is not a valid git branch name';
  return null;
}

/** How a source is shown to users and matched for "same repo": stable and without secrets. */
export function describeSource(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'github':
      return `${spec.owner}/${spec.repo}`;
    case 'git':
      return spec.url;
    case 'dir':
      return spec.path;
  }
}
