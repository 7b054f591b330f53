import type { Phase, PhaseName } from '../domain/types.ts';

export interface PhaseSpan {
  readonly name: PhaseName;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Still under way: its duration counts up to `now`. */
  readonly running: boolean;
}

/** How long each phase took (or has taken so far), for the timeline. Pure. */
export function phaseSpans(phases: readonly Phase[], now: Date): PhaseSpan[] {
  return phases.map((phase) => {
    const end = phase.endedAt === null ? now.getTime() : Date.parse(phase.endedAt);
    return { name: phase.name, startedAt: phase.startedAt, durationMs: Math.max(0, end - Date.parse(phase.startedAt)), running: phase.endedAt === null };
  });
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One horizontal bar per phase, widths proportional to the longest, so the slow phase stands out. */
export function PhaseTimeline({ phases, now }: { readonly phases: readonly Phase[]; readonly now: Date }) {
  const spans = phaseSpans(phases, now);
  if (spans.length === 0)
    return (
      <p class="muted" id="timeline">
        Queued: no phase has started yet.
      </p>
    );
  const longest = Math.max(1, ...spans.map((span) => span.durationMs));
  return (
    <div class="timeline" id="timeline">
      {spans.map((span) => (
        <>
          <span>{span.name}</span>
          <div class={span.running ? 'bar running' : 'bar'} style={`width: ${((span.durationMs / longest) * 100).toFixed(1)}%`} />
          {span.running ? (
            <span data-phase={span.name} data-running-since={span.startedAt}>{`${formatDuration(span.durationMs)}…`}</span>
          ) : (
            <span data-phase={span.name}>{formatDuration(span.durationMs)}</span>
          )}
        </>
      ))}
    </div>
  );
}
