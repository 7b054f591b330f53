import { describe, expect, it } from 'vitest';
import { parseMemory } from '../../gateway/domain/memory.ts';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('parseMemory', () => {
  it.each([
    ['1024', 1024],
    ['1024b', 1024],
    ['64k', 64 * KiB],
    ['512m', 512 * MiB],
    ['512M', 512 * MiB],
    ['4g', 4 * GiB],
    ['4G', 4 * GiB],
    ['2Gi', 2 * GiB],
    ['2GiB', 2 * GiB],
    ['2gb', 2 * GiB],
    ['1.5g', 1.5 * GiB],
    [' 8 Gi ', 8 * GiB],
    ['1t', 1024 * GiB],
  ])('reads %s as %d bytes, in binary units like docker run --memory', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it.each(['', 'lots', '4x', '-1g', '0', '0m', 'g', '4 g b', '1e3', 'Gi4', '99999999999999999p'])('refuses %j', (text) => {
    expect(parseMemory(text)).toBeNull();
  });
});
