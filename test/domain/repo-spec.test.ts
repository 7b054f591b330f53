import { describe, expect, it } from 'vitest';
import { describeSource, parseRepo } from '../../gateway/domain/repo-spec.ts';

describe('parseRepo', () => {
  it.each([
    ['acme/hello', { kind: 'github', owner: 'acme', repo: 'hello' }, null],
    ['acme/hello.git', { kind: 'github', owner: 'acme', repo: 'hello' }, null],
    ['https://github.com/acme/hello', { kind: 'github', owner: 'acme', repo: 'hello' }, null],
    ['https://github.com/acme/hello.git', { kind: 'github', owner: 'acme', repo: 'hello' }, null],
    ['github.com/acme/hello', { kind: 'github', owner: 'acme', repo: 'hello' }, null],
    ['https://github.com/acme/hello/tree/dev', { kind: 'github', owner: 'acme', repo: 'hello' }, 'dev'],
    ['https://github.com/acme/hello/tree/feature/x', { kind: 'github', owner: 'acme', repo: 'hello' }, 'feature/x'],
    ['https://gitlab.com/group/demo.git', { kind: 'git', url: 'https://gitlab.com/group/demo.git', owner: 'group', repo: 'demo' }, null],
    ['git://127.0.0.1:9418/acme/hello.git', { kind: 'git', url: 'git://127.0.0.1:9418/acme/hello.git', owner: 'acme', repo: 'hello' }, null],
    ['file:///srv/git/acme/hello.git', { kind: 'git', url: 'file:///srv/git/acme/hello.git', owner: 'acme', repo: 'hello' }, null],
    ['/home/me/demos/gpt2', { kind: 'dir', path: '/home/me/demos/gpt2', owner: 'local', repo: 'gpt2' }, null],
    ['/home/me/demos/gpt2/', { kind: 'dir', path: '/home/me/demos/gpt2', owner: 'local', repo: 'gpt2' }, null],
  ])('reads %s', (input, spec, branch) => {
    expect(parseRepo(input)).toEqual({ ok: true, value: { spec, branch } });
  });

  it.each([
    ['', /empty/],
    ['--upload-pack=touch /tmp/x', /starts with "-"/],
    ['ext::sh -c touch% /tmp/pwned', /not supported/],
    ['ssh://git@example.com/a/b.git', /not supported/],
    ['https://user:secret@example.com/a/b.git', /credentials/],
    ['just-a-word', /neither owner\/repo/],
    ['acme/he llo', /neither owner\/repo/],
    ['acme/-x', /not a valid GitHub owner\/repo/],
  ])('refuses %j with a reason', (input, reason) => {
    const result = parseRepo(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(reason);
  });
});

describe('describeSource', () => {
  it('shows GitHub repos as owner/repo and others by URL or path', () => {
    expect(describeSource({ kind: 'github', owner: 'a', repo: 'b' })).toBe('a/b');
    expect(describeSource({ kind: 'git', url: 'file:///x/y.git', owner: 'x', repo: 'y' })).toBe('file:///x/y.git');
    expect(describeSource({ kind: 'dir', path: '/x/y', owner: 'local', repo: 'y' })).toBe('/x/y');
  });
});
