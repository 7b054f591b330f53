import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, PHASES, canTransition, isTerminal, transition } from '../../gateway/domain/deployment-state.ts';
import type { DeploymentStatus } from '../../gateway/domain/types.ts';

const at = (second: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, second));
const fresh = { status: 'queued' as DeploymentStatus, phases: [], error: null };

describe('deployment state machine', () => {
  it('walks queued → resolving → fetching → building → starting → ready, timing each phase', () => {
    let state = transition(fresh, 'resolving', at(0));
    state = transition(state, 'fetching', at(1));
    state = transition(state, 'building', at(3));
    state = transition(state, 'starting', at(10));
    state = transition(state, 'ready', at(12));
    expect(state.status).toBe('ready');
    expect(state.phases.map((p) => [p.name, p.startedAt.slice(17, 19), p.endedAt?.slice(17, 19)])).toEqual([
      ['resolving', '00', '01'],
      ['fetching', '01', '03'],
      ['building', '03', '10'],
      ['starting', '10', '12'],
    ]);
  });

  it.each(['queued', ...PHASES] as DeploymentStatus[])('can fail from %s with a reason, closing the open phase', (status) => {
    const state = transition({ status, phases: [{ name: 'building', startedAt: at(0).toISOString(), endedAt: null }], error: null }, 'failed', at(5), 'RUN exit 3 failed');
    expect(state).toMatchObject({ status: 'failed', error: 'RUN exit 3 failed' });
    expect(state.phases[0]?.endedAt).toBe(at(5).toISOString());
  });

  it('lets only a ready deployment be superseded', () => {
    expect(canTransition('ready', 'superseded')).toBe(true);
    expect(canTransition('failed', 'superseded')).toBe(false);
    expect(canTransition('building', 'superseded')).toBe(false);
  });

  it('lets a rollback go from queued straight to starting, opening only that phase', () => {
    const state = transition(fresh, 'starting', at(0));
    expect(state.status).toBe('starting');
    expect(state.phases).toStrictEqual([{ name: 'starting', startedAt: at(0).toISOString(), endedAt: null }]);
  });

  it('refuses skipping a phase or leaving a terminal state', () => {
    expect(() => transition(fresh, 'building', at(0))).toThrow(InvalidTransitionError);
    expect(() => transition({ status: 'failed', phases: [], error: 'x' }, 'resolving', at(0))).toThrow('cannot go from failed to resolving');
    expect(() => transition({ status: 'ready', phases: [], error: null }, 'failed', at(0))).toThrow(InvalidTransitionError);
  });

  it('knows which states are final', () => {
    expect((['ready', 'failed', 'superseded'] as DeploymentStatus[]).every(isTerminal)).toBe(true);
    expect((['queued', ...PHASES] as DeploymentStatus[]).some(isTerminal)).toBe(false);
  });
});
