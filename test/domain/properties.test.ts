import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseDockerfile } from '../../gateway/domain/dockerfile.ts';
import { parseHost } from '../../gateway/domain/host.ts';
import { endpointLabel, isEndpointLabel } from '../../gateway/domain/labels.ts';
import { parseRepo } from '../../gateway/domain/repo-spec.ts';

/** Names as people write them: letters, digits, punctuation, CamelCase, unicode, long. */
const name = fc.string({ minLength: 1, maxLength: 120, unit: fc.constantFrom(...'abcXYZ019-_.Ü/ ~'.split('')) });
const nameWithALetter = name.filter((text) => /[a-z0-9]/i.test(text));

describe('properties', () => {
  it('endpoint labels are always valid DNS labels of at most 63 characters', () => {
    fc.assert(
      fc.property(nameWithALetter, nameWithALetter, nameWithALetter, (branch, repo, owner) => {
        expect(isEndpointLabel(endpointLabel(branch, repo, owner))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('labels of long names that differ stay different (the hash suffix)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 70, maxLength: 120, unit: fc.constantFrom('a', 'b', 'c') }), fc.string({ minLength: 70, maxLength: 120, unit: fc.constantFrom('a', 'b', 'c') }), (a, b) => {
        fc.pre(a !== b);
        expect(endpointLabel('main', a, 'acme')).not.toBe(endpointLabel('main', b, 'acme'));
      }),
      { numRuns: 1000 },
    );
  });

  it('Host parsing never throws and only yields labels under the configured domain', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (host) => {
        const target = parseHost(host, 'localhost');
        if (target.kind === 'endpoint') expect(host.toLowerCase()).toContain(`${target.label}.localhost`);
      }),
      { numRuns: 3000 },
    );
  });

  it('Dockerfile analysis never throws on arbitrary text and returns a result or an error value', () => {
    const line = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('FROM busybox', 'FROM ${X}', 'ARG X=1', 'EXPOSE 80', 'LABEL a=b', 'FROM a AS b', 'ENV PORT=${P:-9}', '\\', '# comment'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const result = analyseDockerfile(lines.join('\n'));
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('repo parsing never throws and never accepts an option-looking or ext:: input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        const result = parseRepo(input);
        if (result.ok && (input.trim().startsWith('-') || input.includes('ext::'))) expect.fail(`accepted ${JSON.stringify(input)}`);
      }),
      { numRuns: 3000 },
    );
  });
});
