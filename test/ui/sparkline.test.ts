import { describe, expect, it } from 'vitest';
import { Sparkline, axisTop, sparklineArea, sparklinePath } from '../../gateway/ui/sparkline.tsx';

const SIZE = { width: 100, height: 20 };

describe('sparkline path', () => {
  it('spreads the values across the width with the largest at the top and zero at the bottom', () => {
    expect(sparklinePath([0, 5, 10], SIZE)).toBe('M0,20 L50,10 L100,0');
  });

  it('draws all zeros as a flat line along the bottom', () => {
    expect(sparklinePath([0, 0, 0, 0, 0], SIZE)).toBe('M0,20 L25,20 L50,20 L75,20 L100,20');
  });

  it('draws nothing measured as a flat line, and one value as a level line across', () => {
    expect(sparklinePath([], SIZE)).toBe('M0,20 L100,20');
    expect(sparklinePath([7], SIZE)).toBe('M0,0 L100,0');
  });

  it('rounds coordinates to a tenth and clamps negatives to the bottom', () => {
    expect(sparklinePath([3, -1, 1], { width: 10, height: 10 })).toBe('M0,0 L5,10 L10,6.7');
  });

  it('closes the area along the bottom edge', () => {
    expect(sparklineArea([0, 10], SIZE)).toBe('M0,20 L100,0 L100,20 L0,20 Z');
  });

  it('scales to a given top instead of the largest value', () => {
    expect(sparklinePath([0, 5], SIZE, 10)).toBe('M0,20 L100,10');
  });

  it('puts the value axis top at the next 1, 2 or 5 × 10ⁿ', () => {
    expect([0, 0.3, 1, 3, 7, 12, 2400, 5000].map(axisTop)).toStrictEqual([1, 0.5, 1, 5, 10, 20, 5000, 5000]);
  });

  it('renders an inline SVG labelled with its summary, with value and time axes, no external resource', async () => {
    const html = await Sparkline({
      id: 'c',
      label: 'Requests per minute',
      values: [1, 3],
      summary: '4 requests',
      width: 100,
      height: 20,
      formatValue: (n) => `${n} req/min`,
      timeTicks: [
        { at: 0, text: '60 min ago' },
        { at: 1, text: 'now' },
      ],
    }).toString();
    // The plot plus its margins (78 left for the values, 22 below for the times).
    expect(html).toContain('<svg role="img" aria-label="Requests per minute: 4 requests" width="188" height="50" viewBox="0 0 188 50"');
    expect(html).toContain('<path class="line" d="M0,16 L100,8"'); // top of the axis is 5
    for (const tick of ['>0 req/min<', '>2.5 req/min<', '>5 req/min<', '>60 min ago<', '>now<']) expect(html).toContain(tick);
    expect(html).not.toMatch(/https?:/);
  });
});
