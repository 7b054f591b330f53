import { posix } from 'node:path';
import type { ContextCopy } from './dockerfile.ts';

const SCRIPT = /\.(?:sh|bash)$/;

/** `./scripts/start.sh` → `scripts/start.sh`; `.` → ``. */
function contextPath(path: string): string {
  const normal = posix.normalize(`/${path}`).slice(1);
  return normal === '.' ? '' : normal.replace(/\/$/, '');
}

function absolute(path: string, workdir: string): string {
  const normal = posix.normalize(path.startsWith('/') ? path : `${workdir}/${path}`);
  return normal.length > 1 ? normal.replace(/\/$/, '') : normal;
}

/** Where in the build context the file now at `target` came from, by this COPY; null if not by it. */
function sourceOf(copy: ContextCopy, target: string): string | null {
  const destination = absolute(copy.destination, copy.workdir);
  const intoDirectory = copy.destination.endsWith('/') || copy.sources.length > 1;
  for (const source of copy.sources) {
    const name = posix.basename(contextPath(source));
    const isTree = contextPath(source) === '' || source.endsWith('/');
    if (!intoDirectory && !isTree && target === destination) return contextPath(source);
    const under = destination === '/' ? target.slice(1) : target.startsWith(`${destination}/`) ? target.slice(destination.length + 1) : null;
    if (under === null) continue;
    if (!isTree && under === name) return contextPath(source);
    // A directory copied to the destination (COPY . /app, COPY scripts /app/scripts).
    if (isTree || !intoDirectory) return contextPath(posix.join(contextPath(source), under));
  }
  return null;
}

/**
 * The shell scripts a command runs that were COPYed from the build context, as context paths
 * (`scripts/start.sh` for `COPY ./scripts/start.sh /app/start.sh` and `CMD ./start.sh` in /app).
 * The latest COPY to a path wins, as in the image.
 */
export function startScripts(words: readonly string[], copies: readonly ContextCopy[], workdir: string): string[] {
  const found = new Set<string>();
  for (const word of words) {
    if (!SCRIPT.test(word)) continue;
    const target = absolute(word, workdir);
    for (const copy of [...copies].reverse()) {
      const source = sourceOf(copy, target);
      if (source !== null) {
        found.add(source);
        break;
      }
    }
  }
  return [...found];
}
