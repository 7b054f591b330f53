import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where a command is installed, or null. Also looks in the sbin dirs, where Debian puts nginx and a non-root PATH often lacks. */
export function findTool(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/usr/local/sbin', '/sbin');
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}
