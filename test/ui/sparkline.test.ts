import { describe, expect, it } from 'vitest';
import { Sparkline, sparklineArea, sparklinePath } from '../../gateway/ui/sparkline.tsx';

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

  it('renders an inline SVG labelled with its summary, no external resource', async () => {
    const html = await Sparkline({ id: 'c', label: 'Requests per minute', values: [1, 2], summary: '3 requests', width: 100, height: 20 }).toString();
    expect(html).toContain('<svg role="img" aria-label="Requests per minute: 3 requests" width="100" height="20" viewBox="0 0 100 20"');
    expect(html).toContain('<path class="line" d="M0,10 L100,0"');
    expect(html).not.toMatch(/https?:/);
  });
});
