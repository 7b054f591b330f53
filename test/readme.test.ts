import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../gateway/config.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it.each(SETTINGS.map((s) => [s.env, s] as const))('documents %s with its flag and default', (_env, setting) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${setting.env}\` |`));
    expect(row, `README configuration table has no row for ${setting.env}`).toBeDefined();
    expect(row).toContain(setting.fallback === undefined ? '(unset)' : `\`${setting.fallback}\``);
    if (setting.flag) expect(row).toContain(`\`--${setting.flag}\``);
  });

  it('gives the same test command that .ci/run runs', () => {
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(readme).toContain('npm ci && npm test');
    expect(ci).toMatch(/^npm test$/m);
  });
});
