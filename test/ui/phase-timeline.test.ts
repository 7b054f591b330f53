import { describe, expect, it } from 'vitest';
import { formatDuration, phaseSpans } from '../../gateway/ui/phase-timeline.tsx';
import { placementText } from '../../gateway/ui/placement-text.ts';

describe('phase timeline', () => {
  it('measures ended phases end to end and a running phase up to now', () => {
    const spans = phaseSpans(
      [
        { name: 'resolving', startedAt: '2026-11-25T12:00:00.000Z', endedAt: '2026-11-25T12:00:00.400Z' },
        { name: 'building', startedAt: '2026-11-25T12:00:00.400Z', endedAt: null },
      ],
      new Date('2026-11-25T12:00:03.400Z'),
    );
    expect(spans).toEqual([
      { name: 'resolving', startedAt: '2026-11-25T12:00:00.000Z', durationMs: 400, running: false },
      { name: 'building', startedAt: '2026-11-25T12:00:00.400Z', durationMs: 3000, running: true },
    ]);
  });

  it('formats durations for people', () => {
    expect([formatDuration(12), formatDuration(1500), formatDuration(125_000)]).toEqual(['12 ms', '1.5 s', '2 min 5 s']);
  });

  it('describes where a deployment runs', () => {
    expect(placementText(null)).toBe('—');
    expect(placementText({ gpus: 0, cudaVersion: null, pool: null, reason: 'CPU image' })).toBe('CPU');
    expect(placementText({ gpus: 2, cudaVersion: '12.4', pool: 'a10', reason: '' })).toBe('GPU ×2 (pool a10, CUDA 12.4)');
  });
});
