import { createWriteStream } from 'node:fs';
import { link, lstat, mkdir, realpath, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { PorticoError } from '../../errors.ts';

export { normalizeRelativePath } from './relative-path.ts';

const MB = 1024 * 1024;

/** The error every source adapter throws when a tree outgrows `PORTICO_MAX_SOURCE_MB`. */
export function sourceTooLarge(maxBytes: number): PorticoError {
  const limit = maxBytes >= MB ? `${Number((maxBytes / MB).toFixed(2))} MB` : `${maxBytes} bytes`;
  return new PorticoError('source_failed', `source is larger than the ${limit} limit (PORTICO_MAX_SOURCE_MB); shrink the repository or raise the limit`);
}

/**
 * Unpacks a gzip tarball from an untrusted host into `destDir`. Every entry is checked before
 * anything touches the disk: no absolute paths, no `..`, no links leading outside, nothing
 * written through a symlink, no device files, and no more than `maxBytes` in total. On error
 * the directory may hold a partial tree; the caller deletes it.
 */
export async function extractTarGz(
  stream: NodeJS.ReadableStream | ReadableStream<Uint8Array>,
  destDir: string,
  options: { maxBytes: number; stripComponents: number },
): Promise<void> {
  const root = resolve(destDir);
  const input = isWebStream(stream) ? Readable.fromWeb(stream as WebReadableStream<Uint8Array>) : (stream as NodeJS.ReadableStream);
  const tar = extract();
  const symlinks: Array<{ path: string; name: string }> = [];
  let total = 0;

  const consume = async () => {
    for await (const entry of tar) {
      const header = entry.header;
      // Headers count too, so a million empty entries cannot fill the disk's inodes for free.
      total += 512 + (header.type === 'file' || header.type === 'contiguous-file' ? (header.size ?? 0) : 0);
      if (total > options.maxBytes) throw sourceTooLarge(options.maxBytes);
      const path = targetPath(root, header, options.stripComponents);
      if (path === null) {
        entry.resume();
        continue;
      }
      await refuseSymlinkParents(root, path, header.name);
      switch (header.type) {
        case 'directory':
          await mkdir(path, { recursive: true });
          entry.resume();
          break;
        case 'file':
        case 'contiguous-file':
          await mkdir(dirname(path), { recursive: true });
          await removeNonDirectory(path);
          // 'wx' never follows a link planted at this path; the mode keeps the executable bit.
          await pipeline(entry, createWriteStream(path, { flags: 'wx', mode: ((header.mode ?? 0o644) & 0o777) | 0o600 }));
          break;
        case 'symlink': {
          const target = header.linkname ?? '';
          if (isAbsolute(target) || !isInside(root, resolve(dirname(path), target))) refuse(header.name, `is a symlink to "${target}", outside the source tree`);
          await mkdir(dirname(path), { recursive: true });
          await removeNonDirectory(path);
          await symlink(target, path);
          symlinks.push({ path, name: header.name });
          entry.resume();
          break;
        }
        case 'link': {
          const landing = entryPath(root, header.linkname ?? '', options.stripComponents);
          const linked = 'path' in landing ? landing.path : null;
          if (linked === null) refuse(header.name, `is a hard link to "${header.linkname}", outside the source tree`);
          await refuseSymlinkParents(root, linked, header.name);
          const stats = await lstat(linked).catch(() => null);
          if (!stats?.isFile()) refuse(header.name, `is a hard link to "${header.linkname}", which is not a file extracted before it`);
          await mkdir(dirname(path), { recursive: true });
          await removeNonDirectory(path);
          await link(linked, path);
          entry.resume();
          break;
        }
        default:
          refuse(header.name, `is a ${header.type ?? 'unknown'} entry; only files, directories and links are allowed`);
      }
    }
  };

  const unpack = pipeline(input, createGunzip(), tar);
  try {
    await Promise.all([unpack, consume()]);
    await refuseEscapingSymlinks(root, symlinks);
  } catch (error) {
    tar.destroy();
    unpack.catch(() => undefined);
    if (error instanceof PorticoError) throw error;
    throw new PorticoError('source_failed', `could not unpack the source archive: ${(error as Error).message}`, { cause: error });
  }
}

function isWebStream(stream: unknown): stream is ReadableStream<Uint8Array> {
  return typeof (stream as ReadableStream).getReader === 'function';
}

/** Where an entry lands, or null for entries stripped away entirely (the archive's top directory). */
function targetPath(root: string, header: Header, stripComponents: number): string | null {
  const landing = entryPath(root, header.name, stripComponents);
  if ('refused' in landing) refuse(header.name, landing.refused);
  return landing.path;
}

function entryPath(root: string, name: string, stripComponents: number): { path: string | null } | { refused: string } {
  if (name.startsWith('/')) return { refused: 'has an absolute path' };
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return { refused: 'climbs out of the source tree with ".."' };
  const kept = parts.slice(stripComponents);
  return { path: kept.length === 0 ? null : join(root, ...kept) };
}

/** A symlink extracted earlier must never become a way to write outside the tree. */
async function refuseSymlinkParents(root: string, path: string, name: string): Promise<void> {
  let current = root;
  for (const part of relative(root, dirname(path)).split(sep).filter(Boolean)) {
    current = join(current, part);
    const stats = await lstat(current).catch(() => null);
    if (stats === null) return;
    if (stats.isSymbolicLink()) refuse(name, `would be written through the symlink "${relative(root, current)}"`);
  }
}

/**
 * The per-entry check is lexical; a chain of links (`b -> ..`, then `x -> b/..`) can still
 * point outside, so once everything exists each link is resolved for real.
 */
async function refuseEscapingSymlinks(root: string, symlinks: ReadonlyArray<{ path: string; name: string }>): Promise<void> {
  const realRoot = await realpath(root);
  for (const { path, name } of symlinks) {
    const real = await realpath(path).catch(() => null); // dangling links reach nothing
    if (real !== null && !isInside(realRoot, real)) refuse(name, `is a symlink that resolves to "${real}", outside the source tree`);
  }
}

async function removeNonDirectory(path: string): Promise<void> {
  const stats = await lstat(path).catch(() => null);
  if (stats && !stats.isDirectory()) await rm(path, { force: true });
}

/** Whether `path` is `root` or lies beneath it (both absolute). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function refuse(name: string, why: string): never {
  throw new PorticoError('source_failed', `refusing source archive: entry "${name}" ${why}`);
}
