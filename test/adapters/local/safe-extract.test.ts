import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractTarGz, normalizeRelativePath, sourceTooLarge } from '../../../gateway/adapters/local/safe-extract.ts';
import { PorticoError } from '../../../gateway/errors.ts';

interface Entry {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
}

/** A gzip tarball built entry by entry, so an archive can hold anything a hostile host might send. */
async function tarGz(entries: readonly Entry[]): Promise<Buffer> {
  const archive = pack();
  for (const entry of entries) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
    const header = { name: entry.name, type: entry.type ?? 'file', linkname: entry.linkname, mode: entry.mode, size: content?.length ?? 0 };
    if (content) archive.entry(header, content);
    else archive.entry(header);
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('extractTarGz', () => {
  let sandbox: string; // holds dest plus a sibling that hostile entries aim at
  let dest: string;

  beforeEach(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'portico-extract-'));
    dest = join(sandbox, 'dest');
    await mkdir(dest);
    await mkdir(join(sandbox, 'outside'));
  });
  afterEach(() => rm(sandbox, { recursive: true, force: true }));

  const extract = async (entries: readonly Entry[], options: { maxBytes?: number; stripComponents?: number } = {}) =>
    extractTarGz(Readable.from(await tarGz(entries)), dest, { maxBytes: options.maxBytes ?? 1024 * 1024, stripComponents: options.stripComponents ?? 0 });

  async function refusal(entries: readonly Entry[], options: { maxBytes?: number; stripComponents?: number } = {}): Promise<PorticoError> {
    const error = await extract(entries, options).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(PorticoError);
    expect((error as PorticoError).code).toBe('source_failed');
    return error as PorticoError;
  }

  it('unpacks files and directories, dropping the stripped top directory and keeping the executable bit', async () => {
    await extract(
      [
        { name: 'acme-hello-1234567/', type: 'directory' },
        { name: 'acme-hello-1234567/Dockerfile', content: 'FROM scratch\n' },
        { name: 'acme-hello-1234567/bin/run.sh', content: '#!/bin/sh\n', mode: 0o755 },
        { name: 'acme-hello-1234567/empty/', type: 'directory' },
      ],
      { stripComponents: 1 },
    );
    expect((await readdir(dest)).sort()).toEqual(['Dockerfile', 'bin', 'empty']);
    expect(await readFile(join(dest, 'Dockerfile'), 'utf8')).toBe('FROM scratch\n');
    expect((await stat(join(dest, 'bin/run.sh'))).mode & 0o111).not.toBe(0);
  });

  it('keeps symlinks and hard links that stay inside the tree', async () => {
    await extract([
      { name: 'data/model.txt', content: 'weights' },
      { name: 'current', type: 'symlink', linkname: 'data/model.txt' },
      { name: 'copy.txt', type: 'link', linkname: 'data/model.txt' },
    ]);
    expect(await readlink(join(dest, 'current'))).toBe('data/model.txt');
    expect(await readFile(join(dest, 'copy.txt'), 'utf8')).toBe('weights');
  });

  it('accepts a web ReadableStream such as a fetch response body', async () => {
    const body = new Response(new Uint8Array(await tarGz([{ name: 'a.txt', content: 'a' }]))).body!;
    await extractTarGz(body, dest, { maxBytes: 1024, stripComponents: 0 });
    expect(await readFile(join(dest, 'a.txt'), 'utf8')).toBe('a');
  });

  it('refuses a tarball entry that climbs out with ../ and writes nothing outside', async () => {
    const error = await refusal([{ name: '../evil', content: 'pwned' }]);
    expect(error.message).toContain('"../evil"');
    expect(await readdir(sandbox)).not.toContain('evil');
  });

  it('refuses ../ hidden inside the path after the stripped top directory', async () => {
    const error = await refusal([{ name: 'top/a/../../../evil', content: 'pwned' }], { stripComponents: 1 });
    expect(error.message).toContain('climbs out');
  });

  it('refuses an entry with an absolute path', async () => {
    const error = await refusal([{ name: '/etc/x', content: 'pwned' }]);
    expect(error.message).toContain('"/etc/x" has an absolute path');
  });

  it('refuses a symlink to /etc', async () => {
    const error = await refusal([{ name: 'etc', type: 'symlink', linkname: '/etc' }]);
    expect(error.message).toContain('"etc" is a symlink to "/etc"');
  });

  it('refuses a relative symlink that leads outside', async () => {
    const error = await refusal([{ name: 'sub/up', type: 'symlink', linkname: '../../outside' }]);
    expect(error.message).toContain('outside the source tree');
  });

  it('refuses a file written through a symlink extracted before it', async () => {
    const error = await refusal([
      { name: 'real/', type: 'directory' },
      { name: 'alias', type: 'symlink', linkname: 'real' },
      { name: 'alias/x', content: 'through the link' },
    ]);
    expect(error.message).toContain('"alias/x" would be written through the symlink "alias"');
    expect(await readdir(join(dest, 'real'))).toEqual([]);
  });

  it('refuses a chain of symlinks that only leads outside once both exist', async () => {
    const error = await refusal([
      { name: 'd/', type: 'directory' },
      { name: 'd/up', type: 'symlink', linkname: '..' },
      { name: 'escape', type: 'symlink', linkname: 'd/up/..' },
    ]);
    expect(error.message).toContain('"escape" is a symlink that resolves to');
  });

  it('refuses a hard link to a file outside the tree', async () => {
    const error = await refusal([{ name: 'passwd', type: 'link', linkname: '../outside/secret' }]);
    expect(error.message).toContain('"passwd" is a hard link to "../outside/secret", outside the source tree');
    const absolute = await refusal([{ name: 'passwd', type: 'link', linkname: '/etc/passwd' }]);
    expect(absolute.message).toContain('hard link');
    await expect(lstat(join(dest, 'passwd'))).rejects.toThrow();
  });

  it('refuses a hard link to a file the archive did not contain', async () => {
    const error = await refusal([{ name: 'copy', type: 'link', linkname: 'never-extracted' }]);
    expect(error.message).toContain('not a file extracted before it');
  });

  it('refuses device and fifo entries', async () => {
    expect((await refusal([{ name: 'pipe', type: 'fifo' }])).message).toContain('"pipe" is a fifo entry');
    expect((await refusal([{ name: 'tty', type: 'character-device' }])).message).toContain('"tty" is a character-device entry');
  });

  it('stops when the files add up to more than the limit', async () => {
    const error = await refusal([{ name: 'big.bin', content: Buffer.alloc(1.5 * 1024 * 1024) }], { maxBytes: 1024 * 1024 });
    expect(error.message).toBe('source is larger than the 1 MB limit (PORTICO_MAX_SOURCE_MB); shrink the repository or raise the limit');
  });

  it('counts headers too, so many empty entries cannot get past the limit', async () => {
    const entries = Array.from({ length: 50 }, (_, index) => ({ name: `d${index}/`, type: 'directory' as const }));
    expect((await refusal(entries, { maxBytes: 10 * 512 })).message).toContain('source is larger than');
  });

  it('reports a body that is not gzip as an unreadable archive', async () => {
    const error = await extractTarGz(Readable.from(Buffer.from('<html>rate limited</html>')), dest, { maxBytes: 1024, stripComponents: 0 }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'source_failed' });
    expect((error as Error).message).toContain('could not unpack the source archive');
  });
});

describe('sourceTooLarge', () => {
  it('names the configured limit in MB and the setting that raises it', () => {
    expect(sourceTooLarge(200 * 1024 * 1024).message).toContain('source is larger than the 200 MB limit (PORTICO_MAX_SOURCE_MB)');
  });
});

describe('normalizeRelativePath', () => {
  it('turns ./a//b/ into a/b', () => {
    expect(normalizeRelativePath('./a//b/')).toBe('a/b');
  });

  it('answers null for absolute paths, .. segments and empty paths', () => {
    expect(normalizeRelativePath('/etc/passwd')).toBeNull();
    expect(normalizeRelativePath('a/../../b')).toBeNull();
    expect(normalizeRelativePath('.')).toBeNull();
  });
});
