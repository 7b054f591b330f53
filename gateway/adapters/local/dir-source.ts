import { execFile } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readFile, readdir, readlink, realpath, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SourceSpec } from '../../domain/types.ts';
import { PorticoError } from '../../errors.ts';
import type { SourceFetcher } from '../../ports/source-fetcher.ts';
import { isInside, normalizeRelativePath, sourceTooLarge } from './safe-extract.ts';

type DirSpec = Extract<SourceSpec, { kind: 'dir' }>;

/** Never part of a build: git's own data and installed dependencies. */
const SKIPPED = new Set(['.git', 'node_modules']);

type TreeEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly size: number; readonly mode: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string; readonly inside: string };

/**
 * A directory on the gateway's own machine, for trying a demo before pushing it. It has no
 * commits, so a deploy is pinned to a hash of its contents instead; `fetch` re-hashes what it
 * copies and refuses a tree that changed in between.
 */
export function createDirSource(options: { readonly maxSourceBytes: number }): SourceFetcher {
  return {
    async defaultBranch(spec) {
      const root = await checkedRoot(dirSpec(spec));
      return (await currentGitBranch(root)) ?? 'main';
    },

    async resolve(spec, branch) {
      const root = await checkedRoot(dirSpec(spec));
      const entries = await listTree(root, options.maxSourceBytes);
      return { spec, branch, commit: await digest(root, entries) };
    },

    async readFile(source, path) {
      const root = await checkedRoot(dirSpec(source.spec));
      const relativePath = normalizeRelativePath(path);
      if (relativePath === null) return null;
      const real = await realpath(join(root, relativePath)).catch(() => null);
      if (real === null) return null;
      if (!isInside(root, real)) throw new PorticoError('source_failed', `${path} in ${root} is a symlink to ${real}, outside the directory; point it inside`);
      if (!(await stat(real)).isFile()) return null;
      return readFile(real, 'utf8');
    },

    async fetch(source, destDir) {
      const root = await checkedRoot(dirSpec(source.spec));
      const entries = await listTree(root, options.maxSourceBytes);
      const copied = await digest(root, entries, destDir);
      if (copied !== source.commit) {
        throw new PorticoError('source_failed', `directory ${root} changed during the deploy (was ${source.commit.slice(0, 7)}, now ${copied.slice(0, 7)}); deploy again`);
      }
    },
  };
}

function dirSpec(spec: SourceSpec): DirSpec {
  if (spec.kind !== 'dir') throw new Error(`directory source asked about a ${spec.kind} source`);
  return spec;
}

/** The directory's real path, so every later "is it inside?" check compares like with like. */
async function checkedRoot(spec: DirSpec): Promise<string> {
  const root = await realpath(spec.path).catch(() => null);
  if (root === null) throw new PorticoError('invalid_input', `directory ${spec.path} does not exist on the gateway's machine`, { field: 'repo' });
  if (!(await stat(root)).isDirectory()) throw new PorticoError('invalid_input', `${spec.path} is not a directory`, { field: 'repo' });
  return root;
}

function currentGitBranch(root: string): Promise<string | null> {
  return new Promise((done) => {
    execFile('git', ['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: root, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, timeout: 10_000 }, (error, stdout) =>
      done(error ? null : stdout.trim() || null),
    );
  });
}

/** Every entry under `root`, sorted by path, skipping `.git` and `node_modules`; refuses links that lead outside. */
async function listTree(root: string, maxBytes: number): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  let total = 0;
  async function walk(dir: string): Promise<void> {
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      if (SKIPPED.has(dirent.name)) continue;
      const absolute = join(dir, dirent.name);
      const path = relative(root, absolute).split(sep).join('/');
      const stats = await lstat(absolute);
      if (stats.isDirectory()) {
        entries.push({ kind: 'dir', path });
        await walk(absolute);
      } else if (stats.isFile()) {
        total += stats.size;
        if (total > maxBytes) throw sourceTooLarge(maxBytes);
        entries.push({ kind: 'file', path, size: stats.size, mode: stats.mode & 0o777 });
      } else if (stats.isSymbolicLink()) {
        const target = await readlink(absolute);
        const lexical = resolve(dirname(absolute), target);
        const real = await realpath(absolute).catch(() => lexical); // a dangling link is judged by where it points
        if (!isInside(root, lexical) || !isInside(root, real)) {
          throw new PorticoError('source_failed', `symlink ${path} in ${root} points to ${target}, outside the directory; replace it with a copy or a link inside`);
        }
        entries.push({ kind: 'symlink', path, target, inside: relative(dirname(absolute), lexical) || '.' });
      }
      // Sockets and FIFOs cannot be part of a build context; they are left out.
    }
  }
  await walk(root);
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * sha256 over paths, kinds, modes and bytes; the first 40 hex characters stand in for a
 * commit. With `destDir`, the same single read also writes the copy.
 */
async function digest(root: string, entries: readonly TreeEntry[], destDir?: string): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of entries) {
    const destination = destDir === undefined ? undefined : join(destDir, ...entry.path.split('/'));
    switch (entry.kind) {
      case 'dir':
        hash.update(`dir\0${entry.path}\0`);
        if (destination) await mkdir(destination, { recursive: true });
        break;
      case 'symlink':
        hash.update(`symlink\0${entry.path}\0${entry.target}\0`);
        if (destination) await symlink(entry.inside, destination); // absolute targets become relative, so they stay inside the copy
        break;
      case 'file':
        hash.update(`file\0${entry.path}\0${entry.mode & 0o111 ? 'x' : '-'}\0${entry.size}\0`);
        await pipeline(
          createReadStream(join(root, ...entry.path.split('/'))),
          feed(hash),
          destination ? createWriteStream(destination, { flags: 'wx', mode: entry.mode | 0o600 }) : discard(),
        );
        hash.update('\0');
        break;
    }
  }
  return hash.digest('hex').slice(0, 40);
}

function feed(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}
