import type { CapacityProviderShare } from './ecs-runtime.ts';

/** The ECS capacity provider of a GPU pool, as the CDK cluster construct names it. */
export function gpuCapacityProviderName(pool: string): string {
  return `portico-${pool}`;
}

/** CPU demos run mostly on Fargate Spot (cheaper; a reclaimed task just wakes again) with Fargate as the base. */
const CPU_SHARES: readonly CapacityProviderShare[] = [
  { capacityProvider: 'FARGATE', weight: 1 },
  { capacityProvider: 'FARGATE_SPOT', weight: 3 },
];

/** The capacity provider strategy for a placement: its GPU pool's provider, or Fargate for CPU. */
export function capacityProviderFor(pool: string | null): readonly CapacityProviderShare[] {
  return pool === null ? CPU_SHARES : [{ capacityProvider: gpuCapacityProviderName(pool), weight: 1 }];
}
