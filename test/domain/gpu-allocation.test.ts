import { describe, expect, it } from 'vitest';
import { type GpuHolder, allocateGpus } from '../../gateway/domain/gpu-allocation.ts';

const holder = (containerId: string, overrides: Partial<GpuHolder> = {}): GpuHolder => ({ containerId, pool: 't4', gpus: 1, lastActiveAt: 0, busy: false, ...overrides });

describe('allocateGpus', () => {
  it('fits when the pool has enough free GPUs', () => {
    expect(allocateGpus({ pool: 't4', gpus: 1 }, [holder('a')], 2, 'evict')).toEqual({ kind: 'fits' });
    expect(allocateGpus({ pool: 't4', gpus: 2 }, [holder('a', { pool: 'a10g' })], 2, 'queue')).toEqual({ kind: 'fits' });
  });

  it('evicts the least recently used idle holder first, only as many as needed', () => {
    const holders = [holder('recent', { lastActiveAt: 300 }), holder('oldest', { lastActiveAt: 100 }), holder('middle', { lastActiveAt: 200 })];
    expect(allocateGpus({ pool: 't4', gpus: 1 }, holders, 3, 'evict')).toEqual({ kind: 'evict', containerIds: ['oldest'] });
    expect(allocateGpus({ pool: 't4', gpus: 2 }, holders, 3, 'evict')).toEqual({ kind: 'evict', containerIds: ['oldest', 'middle'] });
  });

  it('never evicts a holder that is serving a request', () => {
    const holders = [holder('busy-old', { lastActiveAt: 1, busy: true }), holder('idle-new', { lastActiveAt: 9 })];
    expect(allocateGpus({ pool: 't4', gpus: 1 }, holders, 2, 'evict')).toEqual({ kind: 'evict', containerIds: ['idle-new'] });
  });

  it('waits when every holder is busy, saying who holds the pool', () => {
    const decision = allocateGpus({ pool: 't4', gpus: 1 }, [holder('abcdef1234567890', { busy: true })], 1, 'evict');
    expect(decision).toEqual({ kind: 'wait', reason: 'pool t4 has 0 of 1 GPU(s) free and needs 1; held by abcdef123456 (1, busy)' });
  });

  it('waits instead of evicting under the queue policy', () => {
    expect(allocateGpus({ pool: 't4', gpus: 1 }, [holder('a')], 1, 'queue').kind).toBe('wait');
  });

  it('waits when the request is larger than the whole pool', () => {
    expect(allocateGpus({ pool: 't4', gpus: 4 }, [], 2, 'evict').kind).toBe('wait');
  });
});
