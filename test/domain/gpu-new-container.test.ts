import { describe, expect, it } from 'vitest';
import { type PoolHolder, planNewContainer } from '../../gateway/domain/gpu-allocation.ts';

const MINUTE = 60_000;
const NOW = 100 * MINUTE;
const holder = (projectId: string, overrides: Partial<PoolHolder> = {}): PoolHolder => ({
  containerId: `c-${projectId}`,
  projectId,
  pool: 't4',
  gpus: 1,
  lastActiveAt: NOW - 10 * MINUTE,
  busy: false,
  state: 'running',
  ...overrides,
});
const request = (gpus = 1) => ({ projectId: 'mine', pool: 't4', gpus });

describe('planNewContainer: GPUs for a new deployment before its container starts', () => {
  it('starts beside everything when the pool has room, even next to its own serving container', () => {
    expect(planNewContainer(request(), [holder('mine'), holder('other', { pool: 'a10g' })], 2, 'queue', NOW)).toEqual({ kind: 'fits' });
  });

  it("hands the own serving container's GPU over on a full pool, under either setting, disturbing no other project", () => {
    for (const contention of ['queue', 'evict'] as const) {
      const plan = planNewContainer(request(), [holder('other', { lastActiveAt: 0 }), holder('mine')], 2, contention, NOW);
      expect(plan).toMatchObject({ kind: 'make-room', stop: ['c-mine'], handOver: true });
    }
  });

  it('hands over even while the old container serves requests: the redeploy replaces it anyway', () => {
    expect(planNewContainer(request(), [holder('mine', { busy: true })], 1, 'queue', NOW)).toMatchObject({ kind: 'make-room', stop: ['c-mine'] });
  });

  it("stops other projects' least recently used idle demos under evict, only as many as needed", () => {
    const holders = [holder('recent', { lastActiveAt: NOW - MINUTE }), holder('oldest', { lastActiveAt: NOW - 30 * MINUTE }), holder('busy', { busy: true, lastActiveAt: 0 })];
    const plan = planNewContainer(request(), holders, 3, 'evict', NOW);
    expect(plan).toMatchObject({ kind: 'make-room', stop: ['c-oldest'], handOver: false, note: expect.stringContaining('oldest (idle 30 min)') });
  });

  it('stops idle demos and the own container together when neither alone makes room', () => {
    const plan = planNewContainer(request(2), [holder('other'), holder('mine')], 2, 'evict', NOW);
    expect(plan).toMatchObject({ kind: 'make-room', stop: ['c-other', 'c-mine'], handOver: true });
  });

  it('refuses under queue, naming who holds the pool and the setting that changes it', () => {
    const plan = planNewContainer(request(), [holder('gpt2-story', { state: 'paused', lastActiveAt: NOW - 3 * MINUTE })], 1, 'queue', NOW);
    expect(plan).toEqual({
      kind: 'refuse',
      reason:
        'No free GPU for the new container: pool t4 has 0 of 1 GPU free and this deployment needs 1; held by project gpt2-story (1 GPU, paused, idle 3 min). ' +
        'Set PORTICO_GPU_CONTENTION=evict to let a deployment stop the least recently used idle GPU demo, or deploy again once a holder has gone to sleep after its idle timeout.',
    });
  });

  it('refuses under evict when every other holder is serving requests, and never counts them as free', () => {
    const plan = planNewContainer(request(), [holder('busy', { busy: true })], 1, 'evict', NOW);
    expect(plan).toMatchObject({ kind: 'refuse', reason: expect.stringContaining('project busy (1 GPU, running, serving requests)') });
    expect(plan).toMatchObject({ reason: expect.stringContaining('serving requests or starting right now, and those are never stopped') });
  });

  it('counts a deployment still starting as a holder', () => {
    const plan = planNewContainer(request(), [holder('other', { state: 'starting', busy: true })], 1, 'evict', NOW);
    expect(plan).toMatchObject({ kind: 'refuse', reason: expect.stringContaining('held by project other (1 GPU, starting).') });
  });
});
