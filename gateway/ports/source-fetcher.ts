import type { ResolvedSource, SourceSpec } from '../domain/types.ts';

/**
 * Reads a project's source. Failures throw `PorticoError`: `invalid_input` (field `repo` or
 * `branch`) when the repository or branch does not exist, `source_failed` for everything else
 * (unreachable host, archive too large, unsafe archive entry).
 */
export interface SourceFetcher extends SourceReader {
  /** Writes the whole tree at the pinned commit into `destDir` (which exists and is empty). */
  fetch(source: ResolvedSource, destDir: string): Promise<void>;
}

/** What is read before anything is built, failing as `SourceFetcher` says: on AWS all the gateway needs, since CodeBuild fetches the tree itself. */
export interface SourceReader {
  /** The branch used when the user names none (GitHub's default branch, a git remote's HEAD). */
  defaultBranch(spec: SourceSpec): Promise<string>;
  /** Pins a branch to the commit it points at now. */
  resolve(spec: SourceSpec, branch: string): Promise<ResolvedSource>;
  /** One file's text at the pinned commit, or null when it does not exist. Used to read the Dockerfile before anything is built. */
  readFile(source: ResolvedSource, path: string): Promise<string | null>;
}
