import { describe, expect, it } from 'vitest';
import { MAX_BRANCH_LENGTH, branchProblem, describeSource, parseRepo } from '../../gateway/domain/repo-spec.ts';

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
    ['fd::17', /remote helper/],
    ['EXT::sh -c id', /remote helper/],
    ['file::/tmp/repo', /remote helper/],
    ['ftp://example.com/a/b.git', /not supported/],
    ['javascript:alert(1)', /not supported/],
    ['https://github.com/acme/hello/tree/--upload-pack=x', /names a branch that starts with "-"/],
    ['https://github.com/acme/hello/tree/a..b', /names a branch that contains/],
    [`https://example.com/${'a'.repeat(2100)}.git`, /at most 2048/],
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

describe('branchProblem', () => {
  it.each(['main', 'feature/x', 'release-1.2', 'v2_final', 'user@host', 'a'.repeat(MAX_BRANCH_LENGTH)])('accepts %j', (branch) => {
    expect(branchProblem(branch)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['-b', /starts with "-"/],
    ['--upload-pack=touch /tmp/x', /starts with "-"/],
    ['a..b', /"\.\."/],
    ['main@{1}', /"@\{"/],
    ['a//b', /"\/\/"/],
    ['main~1', /one of/],
    ['has space', /a space/],
    ['tab\there', /control character/],
    ['x:y', /one of/],
    ['/leading', /not a valid/],
    ['trailing/', /not a valid/],
    ['dot.', /not a valid/],
    ['refs.lock', /not a valid/],
    ['@', /not a valid/],
    ['a'.repeat(MAX_BRANCH_LENGTH + 1), /at most 255/],
  ])('refuses %j', (branch, reason) => {
    expect(branchProblem(branch)).toMatch(reason);
  });
});
