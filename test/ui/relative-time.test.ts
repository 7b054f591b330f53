import { describe, expect, it } from 'vitest';
import { RelativeTime, exactTime, relativeTime } from '../../gateway/ui/relative-time.tsx';

const NOW = new Date('2026-11-30T10:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

describe('relative times', () => {
  it.each([
    [0, 'just now'],
    [4, 'just now'],
    [42, '42 s ago'],
    [60, '1 min ago'],
    [59 * 60 + 59, '59 min ago'],
    [3 * 3600 + 120, '3 h ago'],
    [86_400, '1 day ago'],
    [2 * 86_400 + 5, '2 days ago'],
    [45 * 86_400, '1 month ago'],
    [800 * 86_400, '2 years ago'],
  ])('says %i seconds back as "%s"', (seconds, text) => {
    expect(relativeTime(ago(seconds), NOW)).toBe(text);
  });

  it('says a time ahead (a clock a little off) as "in …"', () => {
    expect(relativeTime(ago(-240), NOW)).toBe('in 4 min');
  });

  it('gives the exact time in UTC to the second', () => {
    expect(exactTime(new Date('2026-11-30T09:58:31.456Z'))).toBe('2026-11-30 09:58:31 UTC');
  });

  it('renders a <time> with the relative text, the exact time as its title and the ISO time as datetime', async () => {
    const html = await RelativeTime({ at: '2026-11-30T09:55:00.000Z', now: NOW }).toString();
    expect(html).toBe('<time datetime="2026-11-30T09:55:00.000Z" title="2026-11-30 09:55:00 UTC">5 min ago</time>');
  });

  it('shows text that is not a time as it is, without inventing one', async () => {
    expect(await RelativeTime({ at: 'not a time', now: NOW }).toString()).toBe('<span>not a time</span>');
  });
});
