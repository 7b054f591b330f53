import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { pack } from 'tar-fs';
import { GENERATED_DIR, type GeneratedFile } from './dockerfile-compat.ts';

// A CommonJS module (`module.exports = factory`) whose types say `export default`: required as it is.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof import('@balena/dockerignore').default;

/**
 * The build context as a tar stream, as the docker CLI sends it: without what `.dockerignore`
 * excludes (BuildKit on Docker 20.10 does not apply it to a tar context; the classic builder did),
 * but always with the Dockerfile and `.dockerignore`. Generated files (an adapted Dockerfile,
 * here-document contents) are added under `.portico-buildkit/`; the project's directory is never
 * written to.
 */
export async function contextTar(contextDir: string, dockerfile: string, generated: readonly GeneratedFile[]): Promise<NodeJS.ReadableStream> {
  const patterns = await readFile(join(contextDir, '.dockerignore'), 'utf8').catch(() => '');
  const rules = dockerignore({ ignorecase: false }).add(patterns);
  // With `!exceptions`, an excluded directory may hold files that are sent: look inside every one.
  const pruneDirectories = !/^\s*!/m.test(patterns);
  const kept = new Set(['.dockerignore', dockerfile.split('/').join(sep)]);
  const own = join(contextDir, GENERATED_DIR);
  const tar = pack(contextDir, {
    ignore: (name: string) => {
      if (generated.length > 0 && (name === own || name.startsWith(`${own}${sep}`))) return true;
      const path = relative(contextDir, name);
      if (path === '' || kept.has(path) || !rules.ignores(path.split(sep).join('/'))) return false;
      return pruneDirectories || !isDirectory(name);
    },
    finalize: generated.length === 0,
    finish: (stream) => {
      if (generated.length === 0) return;
      for (const file of generated) stream.entry({ name: file.path, mode: file.mode, mtime: new Date(0) }, file.content);
      stream.finalize();
    },
  });
  // tar-fs packs with streamx streams, which pipe like Node's but are typed apart.
  return tar as unknown as NodeJS.ReadableStream;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
