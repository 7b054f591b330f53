import { chmod, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDirSource } from '../../../gateway/adapters/local/dir-source.ts';
import type { SourceSpec } from '../../../gateway/domain/types.ts';
import { createGitRepo } from '../../support/git-repo.ts';
import { describeSourceFetcherContract, readTree } from '../../ports/source-fetcher.contract.ts';
import { failure } from '../../support/failure.ts';

const MB = 1024 * 1024;
const dirSpec = (path: string): SourceSpec => ({ kind: 'dir', path, owner: 'local', repo: basename(path) });

describeSourceFetcherContract('dir-source', async (files) => {
  const repo = await createGitRepo({ ...files });
  return { fetcher: createDirSource({ maxSourceBytes: 10 * MB }), spec: dirSpec(repo.dir), branch: 'main', cleanup: () => repo.remove() };
});

describe('dir-source', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  const source = createDirSource({ maxSourceBytes: 10 * MB });

  /** A plain directory (no git) holding `files`. */
  async function directory(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'portico-dir-'));
    dirs.push(dir);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return dir;
  }

  const commitOf = async (dir: string) => (await source.resolve(dirSpec(dir), 'main')).commit;

  it("answers the work tree's current git branch as the default", async () => {
    const repo = await createGitRepo({ Dockerfile: 'FROM scratch\n' }, { branch: 'trunk' });
    dirs.push(repo.dir);
    expect(await source.defaultBranch(dirSpec(repo.dir))).toBe('trunk');
  });

  it('answers main for a directory that is not a git work tree', async () => {
    expect(await source.defaultBranch(dirSpec(await directory({ Dockerfile: 'FROM scratch\n' })))).toBe('main');
  });

  it('pins a directory to a hash that changes with a file, a new file or an executable bit', async () => {
    const dir = await directory({ Dockerfile: 'FROM scratch\n', 'run.sh': 'echo\n' });
    const original = await commitOf(dir);
    await writeFile(join(dir, 'Dockerfile'), 'FROM other\n');
    const edited = await commitOf(dir);
    await writeFile(join(dir, 'extra.txt'), '');
    const added = await commitOf(dir);
    await chmod(join(dir, 'run.sh'), 0o755);
    const executable = await commitOf(dir);
    expect(new Set([original, edited, added, executable]).size).toBe(4);
  });

  it('leaves .git and node_modules out of the hash and the copy', async () => {
    const dir = await directory({ Dockerfile: 'FROM scratch\n', 'node_modules/left-pad/index.js': 'x', 'web/node_modules/a.js': 'y', '.git/HEAD': 'ref' });
    const before = await commitOf(dir);
    await writeFile(join(dir, 'node_modules/left-pad/index.js'), 'changed');
    await writeFile(join(dir, '.git/HEAD'), 'changed');
    const resolved = await source.resolve(dirSpec(dir), 'main');
    expect(resolved.commit).toBe(before);
    const dest = await directory({});
    await source.fetch(resolved, dest);
    expect(await readTree(dest)).toEqual({ Dockerfile: 'FROM scratch\n' });
  });

  it('copies symlinks that stay inside, turning absolute ones relative', async () => {
    const dir = await directory({ 'data/model.txt': 'weights' });
    await symlink('data/model.txt', join(dir, 'relative-link'));
    await symlink(join(dir, 'data'), join(dir, 'absolute-link'));
    const dest = await directory({});
    await source.fetch(await source.resolve(dirSpec(dir), 'main'), dest);
    expect(await readlink(join(dest, 'relative-link'))).toBe('data/model.txt');
    expect(await readlink(join(dest, 'absolute-link'))).toBe('data');
  });

  it('refuses a symlink that points outside the directory', async () => {
    const dir = await directory({ Dockerfile: 'FROM scratch\n' });
    await symlink('/etc', join(dir, 'etc'));
    const error = await failure(source.resolve(dirSpec(dir), 'main'));
    expect(error.code).toBe('source_failed');
    expect(error.message).toContain('symlink etc in');
    expect(error.message).toContain('points to /etc, outside the directory');
  });

  it('refuses to read a Dockerfile that is a symlink to a file outside', async () => {
    const outside = await directory({ Dockerfile: 'FROM secret\n' });
    const dir = await directory({});
    await symlink(join(outside, 'Dockerfile'), join(dir, 'Dockerfile'));
    const resolved = { spec: dirSpec(dir), branch: 'main', commit: '0'.repeat(40) };
    expect(await failure(source.readFile(resolved, 'Dockerfile'))).toMatchObject({ code: 'source_failed' });
  });

  it('refuses a path that does not exist, or is a file, with field repo', async () => {
    const missing = await failure(source.resolve(dirSpec('/nonexistent/portico-demo'), 'main'));
    expect(missing).toMatchObject({ code: 'invalid_input', field: 'repo' });
    expect(missing.message).toBe("directory /nonexistent/portico-demo does not exist on the gateway's machine");
    const dir = await directory({ Dockerfile: 'FROM scratch\n' });
    expect(await failure(source.defaultBranch(dirSpec(join(dir, 'Dockerfile'))))).toMatchObject({ code: 'invalid_input', field: 'repo' });
  });

  it('refuses a directory whose files add up to more than maxSourceBytes', async () => {
    const dir = await directory({ Dockerfile: 'FROM scratch\n', 'weights.bin': 'x'.repeat(4096) });
    const error = await failure(createDirSource({ maxSourceBytes: 1024 }).resolve(dirSpec(dir), 'main'));
    expect(error.message).toContain('source is larger than the 1024 bytes limit (PORTICO_MAX_SOURCE_MB)');
  });

  it('refuses to fetch a directory that changed since it was pinned', async () => {
    const dir = await directory({ Dockerfile: 'FROM scratch\n' });
    const resolved = await source.resolve(dirSpec(dir), 'main');
    await writeFile(join(dir, 'Dockerfile'), 'FROM changed\n');
    const error = await failure(source.fetch(resolved, await directory({})));
    expect(error.code).toBe('source_failed');
    expect(error.message).toContain('changed during the deploy');
    expect(error.message).toContain('deploy again');
  });
});
