import { describe, expect, it } from 'vitest';
import { MAX_LABEL_LENGTH, endpointLabel, isEndpointLabel, labelPart } from '../../gateway/domain/labels.ts';

describe('labelPart', () => {
  it.each([
    ['JoJoGAN', 'jo-jo-gan'],
    ['KoGPT2', 'ko-gpt2'],
    ['gpt2', 'gpt2'],
    ['GANModel', 'gan-model'],
    ['stable_diffusion.web', 'stable-diffusion-web'],
    ['feature/New UI', 'feature-new-ui'],
    ['--weird__name--', 'weird-name'],
    ['main', 'main'],
    ['v1.2.3', 'v1-2-3'],
    ['ÜberModel', 'ber-model'],
  ])('turns %s into %s', (input, expected) => {
    expect(labelPart(input)).toBe(expected);
  });
});

describe('endpointLabel', () => {
  it('joins branch, repo and owner as Ainize did', () => {
    expect(endpointLabel('main', 'JoJoGAN', 'mchong6')).toBe('main-jo-jo-gan-mchong6');
    expect(endpointLabel('master', 'KoGPT2-FineTuning', 'gyunggyung')).toBe('master-ko-gpt2-fine-tuning-gyunggyung');
  });

  it('collapses runs of hyphens that meet at the joins', () => {
    expect(endpointLabel('-main-', '_repo_', '.owner.')).toBe('main-repo-owner');
  });

  it('keeps labels of exactly 63 characters unchanged', () => {
    const repo = 'r'.repeat(MAX_LABEL_LENGTH - 'main--o'.length);
    const label = endpointLabel('main', repo, 'o');
    expect(label).toHaveLength(MAX_LABEL_LENGTH);
    expect(label).toBe(`main-${repo}-o`);
  });

  it('cuts long labels to 63 characters ending in a hash', () => {
    const label = endpointLabel('feature-branch-with-a-long-name', 'a-very-long-repository-name-for-a-demo', 'some-organisation');
    expect(label).toHaveLength(MAX_LABEL_LENGTH);
    expect(label).toMatch(/^feature-branch-with-a-long-name-a-very-long-reposit.*-[0-9a-f]{8}$/);
    expect(isEndpointLabel(label)).toBe(true);
  });

  it('gives different labels to long names that share their first 63 characters', () => {
    const a = endpointLabel('main', `${'x'.repeat(70)}-one`, 'acme');
    const b = endpointLabel('main', `${'x'.repeat(70)}-two`, 'acme');
    expect(a).not.toBe(b);
    expect(a.slice(0, 50)).toBe(b.slice(0, 50));
  });

  it('never ends the cut part in a hyphen before the hash', () => {
    const label = endpointLabel('b', `${'y'.repeat(52)}-zzzz`, 'o');
    expect(label).not.toMatch(/--/);
  });

  it('refuses names with no letter or digit at all', () => {
    expect(() => endpointLabel('--', '__', '..')).toThrow(/at least one letter or digit/);
  });
});

describe('isEndpointLabel', () => {
  it.each(['a', 'main-hello-acme', 'x'.repeat(63)])('accepts %s', (label) => expect(isEndpointLabel(label)).toBe(true));
  it.each(['', '-a', 'a-', 'A', 'a.b', 'x'.repeat(64), 'a_b'])('refuses %j', (label) => expect(isEndpointLabel(label)).toBe(false));
});
