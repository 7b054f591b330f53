import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../gateway/cli/exit-codes.ts';
import { sourceArgument } from '../../gateway/cli/source-arg.ts';

describe('sourceArgument', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'portico-source-arg-'));
    await mkdir(join(cwd, 'examples/hello-cpu'), { recursive: true });
    await mkdir(join(cwd, 'home/demos/app'), { recursive: true });
    await writeFile(join(cwd, 'examples/hello-cpu/Dockerfile'), 'FROM scratch\n');
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  const read = (input: string) => sourceArgument(input, cwd, join(cwd, 'home'));

  it.each(['examples/hello-cpu', './examples/hello-cpu', 'examples/hello-cpu/', 'examples/../examples/hello-cpu'])('makes the existing directory %s absolute', (input) => {
    expect(read(input)).toBe(join(cwd, 'examples/hello-cpu'));
  });

  it('expands ~ to the home directory', () => {
    expect(read('~/demos/app')).toBe(join(cwd, 'home/demos/app'));
  });

  it.each(['acme/hello', 'acme/hello.git', 'https://github.com/acme/hello', 'git://example.test/a/b.git', 'file:///srv/repo', 'git@github.com:acme/hello.git'])('leaves %s for the gateway', (input) => {
    expect(read(input)).toBe(input);
  });

  it('names the nearest directory when a path is mistyped', () => {
    expect(() => read('examples/helo-cpu')).toThrow(new InputError('no directory examples/helo-cpu here; did you mean examples/hello-cpu?'));
    expect(() => read('examples/HELLO-CPU2')).toThrow('did you mean examples/hello-cpu?');
  });

  it('reads a/b/c and a single word as paths, never as GitHub names', () => {
    expect(() => read('x/y/z')).toThrow('no directory x/y/z here; give owner/repo, a git URL or a directory');
    expect(() => read('hello')).toThrow('no directory hello here');
  });

  it('refuses a file, pointing at its directory', () => {
    expect(() => read('examples/hello-cpu/Dockerfile')).toThrow('examples/hello-cpu/Dockerfile is a file; give the directory that holds the Dockerfile (e.g. examples/hello-cpu)');
  });
});
