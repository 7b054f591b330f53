import type { MinutePoint } from '../services/minute-series.ts';
import { formatDuration } from './phase-timeline.tsx';
import { Sparkline } from './sparkline.tsx';

/** The time axis of the last hour, a point a minute: the newest minute on the right. */
const LAST_HOUR = [
  { at: 0, text: '60 min ago' },
  { at: 0.5, text: '30 min ago' },
  { at: 1, text: 'now' },
];

/** Whole numbers of requests; halves only appear on the axis of a chart whose top is 1. */
const requestsPerMinute = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)} req/min`;
const seconds = (s: number) => `${+s.toFixed(2)} s`;

/** The project page's last hour: requests per minute, and how long each minute's slowest wake took. */
export function ProjectCharts({ history }: { readonly history: readonly MinutePoint[] }) {
  const requests = history.map((point) => point.requests);
  const total = requests.reduce((sum, n) => sum + n, 0);
  const wakes = history.reduce((sum, point) => sum + point.wakes, 0);
  const slowest = Math.max(0, ...history.map((point) => point.wakeMaxMs ?? 0));
  return (
    <div class="charts">
      <Sparkline
        id="requests-chart"
        label="Requests per minute, last hour"
        values={requests}
        formatValue={requestsPerMinute}
        timeTicks={LAST_HOUR}
        summary={`${total} request(s), at most ${Math.max(0, ...requests)} in a minute`}
      />
      <Sparkline
        id="wakes-chart"
        label="Wake time (slowest each minute), last hour"
        values={history.map((point) => (point.wakeMaxMs ?? 0) / 1000)}
        formatValue={seconds}
        timeTicks={LAST_HOUR}
        summary={wakes === 0 ? 'no wake in the last hour' : `${wakes} wake(s), slowest ${formatDuration(slowest)}`}
      />
    </div>
  );
}
