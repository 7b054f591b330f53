import type { SourceSpec } from '../../domain/types.ts';
import type { SourceFetcher } from '../../ports/source-fetcher.ts';

/** One SourceFetcher over the three kinds of source: each call goes to the adapter for its spec's kind. */
export function createSourceRouter(fetchers: { readonly github: SourceFetcher; readonly git: SourceFetcher; readonly dir: SourceFetcher }): SourceFetcher {
  const pick = (spec: SourceSpec): SourceFetcher => fetchers[spec.kind];
  return {
    defaultBranch: (spec) => pick(spec).defaultBranch(spec),
    resolve: (spec, branch) => pick(spec).resolve(spec, branch),
    readFile: (source, path) => pick(source.spec).readFile(source, path),
    fetch: (source, destDir) => pick(source.spec).fetch(source, destDir),
  };
}
