import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceSpec } from '../../gateway/domain/types.ts';
import type { SourceFetcher } from '../../gateway/ports/source-fetcher.ts';

/** The tree every adapter is checked against: a Dockerfile, nested directories, an executable. */
export const CONTRACT_FILES: Readonly<Record<string, string>> = {
  Dockerfile: 'FROM scratch\nCOPY . /app\n',
  'README.md': '# hello\n',
  'app/main.py': 'print("hello")\n',
  'app/nested/deep.txt': 'deep\n',
};

export interface SourceFetcherFixture {
  readonly fetcher: SourceFetcher;
  /** A source holding exactly CONTRACT_FILES on `branch`. */
  readonly spec: SourceSpec;
  readonly branch: string;
  cleanup(): Promise<void>;
}

/** The behaviour every SourceFetcher shares, run against one adapter and its fixture. */
export function describeSourceFetcherContract(name: string, setup: (files: Readonly<Record<string, string>>) => Promise<SourceFetcherFixture>): void {
  describe(`${name} (SourceFetcher contract)`, () => {
    let fixture: SourceFetcherFixture;
    const scratch: string[] = [];

    beforeAll(async () => {
      fixture = await setup(CONTRACT_FILES);
    });
    afterAll(async () => {
      await fixture?.cleanup();
      await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
    });

    async function emptyDir(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'portico-fetch-'));
      scratch.push(dir);
      return dir;
    }

    it('pins the branch to a 40-hex commit and keeps the spec and branch', async () => {
      const resolved = await fixture.fetcher.resolve(fixture.spec, fixture.branch);
      expect(resolved.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(resolved.spec).toEqual(fixture.spec);
      expect(resolved.branch).toBe(fixture.branch);
    });

    it('pins an unchanged source to the same commit every time', async () => {
      const first = await fixture.fetcher.resolve(fixture.spec, fixture.branch);
      const second = await fixture.fetcher.resolve(fixture.spec, fixture.branch);
      expect(second.commit).toBe(first.commit);
    });

    it('reads the Dockerfile and a nested file at the pinned commit', async () => {
      const resolved = await fixture.fetcher.resolve(fixture.spec, fixture.branch);
      expect(await fixture.fetcher.readFile(resolved, 'Dockerfile')).toBe(CONTRACT_FILES.Dockerfile);
      expect(await fixture.fetcher.readFile(resolved, './app/nested/deep.txt')).toBe(CONTRACT_FILES['app/nested/deep.txt']);
    });

    it('answers null for a missing file, a directory and a path that climbs out', async () => {
      const resolved = await fixture.fetcher.resolve(fixture.spec, fixture.branch);
      expect(await fixture.fetcher.readFile(resolved, 'Dockerfile.missing')).toBeNull();
      expect(await fixture.fetcher.readFile(resolved, 'app')).toBeNull();
      expect(await fixture.fetcher.readFile(resolved, '../Dockerfile')).toBeNull();
      expect(await fixture.fetcher.readFile(resolved, '/etc/passwd')).toBeNull();
    });

    it('writes exactly the tree, without .git, into the destination', async () => {
      const resolved = await fixture.fetcher.resolve(fixture.spec, fixture.branch);
      const dest = await emptyDir();
      await fixture.fetcher.readFile(resolved, 'Dockerfile');
      await fixture.fetcher.fetch(resolved, dest);
      expect(await readTree(dest)).toEqual(CONTRACT_FILES);
    });

    it('fetches the same commit again for a second deployment', async () => {
      const resolved = await fixture.fetcher.resolve(fixture.spec, fixture.branch);
      const first = await emptyDir();
      const second = await emptyDir();
      await fixture.fetcher.fetch(resolved, first);
      await fixture.fetcher.fetch(resolved, second);
      expect(await readTree(second)).toEqual(CONTRACT_FILES);
    });
  });
}

/** Every file under `dir` (including dot-directories such as `.git`) as path → text. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    tree[relative(dir, path).split('\\').join('/')] = await readFile(path, 'utf8');
  }
  return tree;
}
