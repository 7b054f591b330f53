const MINUTE_MS = 60_000;

/** One minute of a project's traffic, for the dashboard's charts. */
export interface MinutePoint {
  /** The start of the minute. */
  readonly startedAt: string;
  readonly requests: number;
  readonly wakes: number;
  /** The slowest wake that minute; null when none happened. */
  readonly wakeMaxMs: number | null;
}

interface Bucket {
  /** Minutes since the epoch. */
  readonly minute: number;
  requests: number;
  wakes: number;
  wakeMaxMs: number | null;
}

/**
 * Requests and wakes per minute over the last `minutes` minutes. Bounded: minutes older than
 * that are dropped as new ones begin, so a project costs at most `minutes` small buckets. Pure:
 * the caller passes the time.
 */
export function createMinuteSeries(minutes = 60) {
  const buckets: Bucket[] = []; // oldest first, only minutes that saw something

  function bucketAt(nowMs: number): Bucket {
    const minute = Math.floor(nowMs / MINUTE_MS);
    let last = buckets.at(-1);
    if (!last || last.minute < minute) {
      last = { minute, requests: 0, wakes: 0, wakeMaxMs: null };
      buckets.push(last);
      while (buckets[0]!.minute <= minute - minutes) buckets.shift();
    }
    // A time earlier than the newest bucket (a clock step back) counts in the newest: never unbounded, never lost.
    return last;
  }

  return {
    request(nowMs: number, count = 1): void {
      bucketAt(nowMs).requests += count;
    },
    wake(nowMs: number, durationMs: number): void {
      const bucket = bucketAt(nowMs);
      bucket.wakes += 1;
      bucket.wakeMaxMs = Math.max(bucket.wakeMaxMs ?? 0, durationMs);
    },
    /** Exactly `minutes` points, oldest first, ending with the minute `nowMs` falls in; quiet minutes are zeros. */
    points(nowMs: number): MinutePoint[] {
      const current = Math.floor(nowMs / MINUTE_MS);
      const byMinute = new Map(buckets.map((bucket) => [bucket.minute, bucket]));
      return Array.from({ length: minutes }, (_, i) => {
        const minute = current - minutes + 1 + i;
        const bucket = byMinute.get(minute);
        return { startedAt: new Date(minute * MINUTE_MS).toISOString(), requests: bucket?.requests ?? 0, wakes: bucket?.wakes ?? 0, wakeMaxMs: bucket?.wakeMaxMs ?? null };
      });
    },
    /** How many minutes are held (for the bound's test). */
    size: () => buckets.length,
  };
}

export type MinuteSeries = ReturnType<typeof createMinuteSeries>;
