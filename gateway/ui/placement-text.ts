import type { Placement } from '../domain/types.ts';

/** "CPU", "GPU ×1 (pool t4, CUDA 12.1)", or "—" before the Dockerfile has been read. */
export function placementText(placement: Placement | null): string {
  if (placement === null) return '—';
  if (placement.gpus === 0) return 'CPU';
  const details = [placement.pool ? `pool ${placement.pool}` : null, placement.cudaVersion ? `CUDA ${placement.cudaVersion}` : null].filter(Boolean);
  return `GPU ×${placement.gpus}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
