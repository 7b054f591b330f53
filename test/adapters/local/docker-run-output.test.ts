import { describe, expect, it } from 'vitest';
import { comparableTime } from '../../../gateway/adapters/local/docker-run-output.ts';

describe('comparableTime', () => {
  it('orders the engine’s RFC 3339 times, whose trailing zeros it trims, as strings', () => {
    // The engine writes 10:34:55.1944Z for 10:34:55.194400000Z: compared raw, "1944Z" > "19439…" would be wrong.
    const times = ['2026-11-30T10:34:55.1944Z', '2026-11-30T10:34:55.194395596Z', '2026-11-30T10:34:55Z', '2026-11-30T10:34:55.2Z'];
    expect([...times].sort((a, b) => (comparableTime(a) < comparableTime(b) ? -1 : 1))).toStrictEqual([
      '2026-11-30T10:34:55Z',
      '2026-11-30T10:34:55.194395596Z',
      '2026-11-30T10:34:55.1944Z',
      '2026-11-30T10:34:55.2Z',
    ]);
    expect(comparableTime('2026-11-30T10:34:55.1944Z')).toBe('2026-11-30T10:34:55.194400000Z');
  });

  it('leaves what it does not recognise as it is', () => {
    expect(comparableTime('not a time')).toBe('not a time');
  });
});
