import { describe, expect, it } from 'vitest';
import { withPhaseProgress } from '../../gateway/cli/follow-deployment.ts';
import type { DeploymentStatus, PhaseName } from '../../gateway/domain/types.ts';

const phase = (name: PhaseName, startedAt: string, endedAt: string | null) => ({ name, startedAt, endedAt });
const at = (seconds: number) => new Date(Date.parse('2026-11-25T10:00:00.000Z') + seconds * 1000).toISOString();

/** A deployment that went through every phase: resolving 0.25 s, fetching 1 s, building 12.3 s, starting 0.5 s. */
const ended = {
  status: 'ready' as DeploymentStatus,
  phases: [phase('resolving', at(0), at(0.25)), phase('fetching', at(0.25), at(1.25)), phase('building', at(1.25), at(13.55)), phase('starting', at(13.55), at(14.05))],
};

describe('withPhaseProgress', () => {
  it('puts each phase’s line just before the next phase’s marker, even when the whole log arrives at once', () => {
    const log = '==> resolving\ncommit abc\n==> fetching\n==> building\nStep 1/2 : FROM x\n==> starting\n==> ready\nserving http://127.0.0.1:1\n';
    expect(withPhaseProgress(log, ended, new Set())).toBe(
      '==> resolving\ncommit abc\n==> resolving done in 0.3s\n==> fetching\n==> fetching done in 1.0s\n==> building\nStep 1/2 : FROM x\n' +
        '==> building done in 12.3s\n==> starting\n==> starting done in 0.5s\n==> ready\nserving http://127.0.0.1:1\n',
    );
  });

  it('prints each phase once across polls, and nothing for a phase still running', () => {
    const reported = new Set<string>();
    const building = { status: 'building' as DeploymentStatus, phases: [...ended.phases.slice(0, 2), phase('building', at(1.25), null)] };
    expect(withPhaseProgress('==> resolving\n==> fetching\n==> building\nStep 1/2\n', building, reported)).toBe(
      '==> resolving\n==> resolving done in 0.3s\n==> fetching\n==> fetching done in 1.0s\n==> building\nStep 1/2\n',
    );
    expect(withPhaseProgress('Step 2/2\n==> starting\n', { ...building, phases: ended.phases }, reported)).toBe('Step 2/2\n==> building done in 12.3s\n==> starting\n');
    expect(reported).toStrictEqual(new Set(['resolving', 'fetching', 'building']));
  });

  it('reports the phases before a failure at its marker', () => {
    const failed = { status: 'failed' as DeploymentStatus, phases: [ended.phases[0]!, ended.phases[1]!, phase('building', at(1.25), at(3.25))] };
    expect(withPhaseProgress('error: step 2 failed\n==> failed: build failed\n', failed, new Set(['resolving']))).toBe(
      'error: step 2 failed\n==> fetching done in 1.0s\n==> building done in 2.0s\n==> failed: build failed\n',
    );
  });

  it('reports what is left once the deployment has ended, even with no marker in the last text', () => {
    expect(withPhaseProgress('', ended, new Set(['resolving', 'fetching', 'building']))).toBe('==> starting done in 0.5s\n');
    expect(withPhaseProgress('', { ...ended, status: 'building' as DeploymentStatus }, new Set(['resolving', 'fetching', 'building']))).toBe('');
  });
});
