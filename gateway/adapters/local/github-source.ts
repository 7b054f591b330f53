import type { SourceFetcher } from '../../ports/source-fetcher.ts';
import { PorticoError } from '../../errors.ts';
import { type GithubApiOptions, createGithubApi, describe, githubSpec, repoPath } from './github-api.ts';
import { extractTarGz } from './safe-extract.ts';

export interface GithubSourceOptions extends GithubApiOptions {
  readonly maxSourceBytes: number;
  /** Longest the tarball download may take. */
  readonly downloadTimeoutMs?: number;
}

/**
 * GitHub (or GitHub Enterprise) through its REST API: no git binary, no clone. The commit is
 * pinned first, and the Dockerfile and tarball are then read at that commit, never at the
 * branch, so a push during a deploy cannot mix two trees.
 */
export function createGithubSource(options: GithubSourceOptions): SourceFetcher {
  const api = createGithubApi(options);
  const downloadTimeoutMs = options.downloadTimeoutMs ?? 600_000;
  return {
    defaultBranch: api.defaultBranch,
    resolve: api.resolve,
    readFile: api.readFile,

    async fetch(source, destDir) {
      const github = githubSpec(source.spec);
      const response = await api.call(`${repoPath(github)}/tarball/${source.commit}`, 'application/vnd.github+json', downloadTimeoutMs);
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw new PorticoError('source_failed', `GitHub at ${api.host} has no tarball of ${describe(github)} at ${source.commit.slice(0, 7)} (${response.status}); deploy again`);
      }
      // GitHub wraps the tree in one `owner-repo-sha7/` directory.
      await extractTarGz(response.body, destDir, { maxBytes: options.maxSourceBytes, stripComponents: 1 });
    },
  };
}
