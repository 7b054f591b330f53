import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from './exit-codes.ts';

/**
 * What `portico deploy <repo>` was given, read as a user means it: a URL or `git@` address as
 * is; a path as a path (`./x`, `../x`, `x/`, `~/x`, an absolute path, anything with two or more
 * slashes, a single word, or `a/b` where `a` is a directory here); else GitHub's `owner/repo`. A path is made
 * absolute for the gateway; one that does not exist is refused here, with the nearest
 * directory that does, so a typo never reaches GitHub as a repository name.
 */
export function sourceArgument(input: string, cwd: string = process.cwd(), home: string | undefined = process.env.HOME): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) || /^[^/\s]+@[^/\s]+:/.test(input)) return input;
  const expanded = home !== undefined && (input === '~' || input.startsWith('~/')) ? join(home, input.slice(1)) : input;
  if (!looksLikePath(expanded, cwd)) return input;
  const path = resolve(cwd, expanded);
  if (isDirectory(path)) return path;
  const shown = input.replace(/\/+$/, '');
  if (exists(path)) throw new InputError(`${shown} is a file; give the directory that holds the Dockerfile (e.g. ${dirname(shown) || '.'})`);
  const guess = nearestDirectory(path);
  const parent = dirname(shown);
  const hint = guess === null ? '; give owner/repo, a git URL or a directory' : `; did you mean ${parent === '.' && !shown.startsWith('./') ? '' : `${parent}/`}${basename(guess)}?`;
  throw new InputError(`no directory ${shown} here${hint}`);
}

function looksLikePath(input: string, cwd: string): boolean {
  if (isAbsolute(input) || input === '.' || input === '..' || /^\.\.?\//.test(input) || input.endsWith('/')) return true;
  const parts = input.split('/');
  if (parts.length > 2) return true;
  if (parts.length === 1) return true; // GitHub needs owner/repo: one word can only be a directory
  return isDirectory(resolve(cwd, parts[0]!));
}

/** The directory beside `path` whose name is closest to its name (at most a third of it differing), or null. */
function nearestDirectory(path: string): string | null {
  const parent = dirname(path);
  const wanted = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(parent, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return null;
  }
  let best: { name: string; distance: number } | null = null;
  for (const name of entries) {
    const distance = editDistance(wanted.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(wanted.length / 3)) && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best === null ? null : join(parent, best.name);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
