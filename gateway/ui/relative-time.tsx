/** Times as people read them on a dashboard: "3 min ago", with the exact time on hover. */

const UNITS: readonly (readonly [limitSeconds: number, divisorSeconds: number, unit: string])[] = [
  [60, 1, 's'],
  [3600, 60, 'min'],
  [86_400, 3600, 'h'],
  [30 * 86_400, 86_400, 'day'],
  [365 * 86_400, 30 * 86_400, 'month'],
  [Infinity, 365 * 86_400, 'year'],
];

/** `then` relative to `now`: "just now", "42 s ago", "5 min ago", "3 h ago", "2 days ago", "in 4 min". Pure. */
export function relativeTime(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  const size = Math.abs(seconds);
  if (size < 5) return 'just now';
  const [, divisor, unit] = UNITS.find(([limit]) => size < limit)!;
  const count = Math.floor(size / divisor);
  const amount = unit === 's' || unit === 'min' || unit === 'h' ? `${count} ${unit}` : `${count} ${unit}${count === 1 ? '' : 's'}`;
  return seconds > 0 ? `${amount} ago` : `in ${amount}`;
}

/** The exact time, unambiguous for every reader: `2026-11-30 10:20:29 UTC`. Pure. */
export function exactTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `<time>` showing the relative time, the exact one on hover and in `datetime`. */
export function RelativeTime({ at, now }: { readonly at: string; readonly now: Date }) {
  const then = new Date(at);
  if (Number.isNaN(then.getTime())) return <span>{at}</span>;
  return (
    <time datetime={then.toISOString()} title={exactTime(then)}>
      {relativeTime(then, now)}
    </time>
  );
}
