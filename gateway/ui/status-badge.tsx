import { isTerminal } from '../domain/deployment-state.ts';
import type { DeploymentStatus } from '../domain/types.ts';

/** A deployment's status as a coloured pill; in-progress statuses pulse. `null` means never deployed. */
export function StatusBadge({ status }: { readonly status: DeploymentStatus | null }) {
  const tone = status === null ? 'none' : isTerminal(status) ? status : 'live';
  return (
    <span class={`badge ${tone}`} data-status={status ?? 'none'}>
      {status ?? 'not deployed'}
    </span>
  );
}
