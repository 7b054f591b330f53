import { describeSource } from '../../domain/repo-spec.ts';
import type { SourceSpec } from '../../domain/types.ts';
import { PorticoError } from '../../errors.ts';
import type { SourceFetcher } from '../../ports/source-fetcher.ts';

export interface SourceRouterOptions {
  /**
   * Whether `file://` git URLs and directories on the gateway's machine may be read. Off by
   * default: anyone who can call the API could otherwise build (and so read out) any
   * directory or repository the gateway's user can read.
   */
  readonly allowLocalSources?: boolean;
}

/** One SourceFetcher over the three kinds of source: each call goes to the adapter for its spec's kind. */
export function createSourceRouter(
  fetchers: { readonly github: SourceFetcher; readonly git: SourceFetcher; readonly dir: SourceFetcher },
  options: SourceRouterOptions = {},
): SourceFetcher {
  const pick = (spec: SourceSpec): SourceFetcher => {
    if (!options.allowLocalSources && isLocal(spec)) throw localRefused(spec);
    return fetchers[spec.kind];
  };
  // Async wrappers so a refusal is a rejected promise, as every other source failure is.
  return {
    defaultBranch: async (spec) => pick(spec).defaultBranch(spec),
    resolve: async (spec, branch) => pick(spec).resolve(spec, branch),
    readFile: async (source, path) => pick(source.spec).readFile(source, path),
    fetch: async (source, destDir) => pick(source.spec).fetch(source, destDir),
  };
}

/** A source on the gateway's own machine: a directory, or a git URL that git reads from the file system. */
export function isLocal(spec: SourceSpec): boolean {
  if (spec.kind === 'dir') return true;
  // Lower-cased and trimmed: git itself accepts `FILE://`; anything without `scheme://` is a path to git.
  return spec.kind === 'git' && !/^(https?|git):\/\//.test(spec.url.trim().toLowerCase());
}

function localRefused(spec: SourceSpec): PorticoError {
  const what = spec.kind === 'dir' ? `directory ${spec.path}` : describeSource(spec);
  return new PorticoError(
    'invalid_input',
    `repo ${what} is on the gateway's own machine, and local sources are disabled; deploy an https:// or git:// repository, or set PORTICO_ALLOW_LOCAL_SOURCES=true if everyone who can reach the API may read this machine's files`,
    { field: 'repo' },
  );
}
