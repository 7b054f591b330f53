import { describe, expect, it } from 'vitest';
import { phaseProgress } from '../../gateway/cli/follow-deployment.ts';
import type { PhaseName } from '../../gateway/domain/types.ts';

const phase = (name: PhaseName, startedAt: string, endedAt: string | null) => ({ name, startedAt, endedAt });

describe('phaseProgress', () => {
  it('prints one line per ended phase with its duration, and each phase only once', () => {
    const reported = new Set<string>();
    const first = {
      phases: [phase('resolving', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.250Z'), phase('fetching', '2026-11-25T10:00:00.250Z', null)],
    };
    expect(phaseProgress(first, reported)).toBe('==> resolving done in 0.3s\n');

    const later = {
      phases: [
        phase('resolving', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.250Z'),
        phase('fetching', '2026-11-25T10:00:00.250Z', '2026-11-25T10:00:01.250Z'),
        phase('building', '2026-11-25T10:00:01.250Z', '2026-11-25T10:00:13.550Z'),
      ],
    };
    expect(phaseProgress(later, reported)).toBe('==> fetching done in 1.0s\n==> building done in 12.3s\n');
    expect(phaseProgress(later, reported)).toBe('');
  });

  it('prints nothing while the first phase runs', () => {
    expect(phaseProgress({ phases: [phase('resolving', '2026-11-25T10:00:00.000Z', null)] }, new Set())).toBe('');
  });
});
