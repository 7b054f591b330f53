import { type Clock, realSleep } from '../../gateway/ports/clock.ts';

/**
 * A clock whose "now" only moves when a test says so, so idle timeouts of minutes pass in no
 * time. Short waits (`sleep`) stay real: they pace probes and bound waits for real containers.
 */
export function steppedClock(start = new Date('2026-11-25T12:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    sleep: realSleep,
    advance(ms) {
      now += ms;
    },
  };
}
