/**
 * A repository-relative path in `a/b/c` form, or null when it is absolute or climbs out
 * with `..`: such a path names nothing inside the repository.
 */
export function normalizeRelativePath(path: string): string | null {
  if (path.startsWith('/') || path.includes('\0')) return null;
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return parts.join('/');
}
