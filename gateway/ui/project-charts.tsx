import type { MinutePoint } from '../services/minute-series.ts';
import { formatDuration } from './phase-timeline.tsx';
import { Sparkline } from './sparkline.tsx';

/** The project page's last hour: requests per minute, and how long each minute's slowest wake took. */
export function ProjectCharts({ history }: { readonly history: readonly MinutePoint[] }) {
  const requests = history.map((point) => point.requests);
  const total = requests.reduce((sum, n) => sum + n, 0);
  const wakes = history.reduce((sum, point) => sum + point.wakes, 0);
  const slowest = Math.max(0, ...history.map((point) => point.wakeMaxMs ?? 0));
  return (
    <div class="charts">
      <Sparkline id="requests-chart" label="Requests per minute, last hour" values={requests} summary={`${total} request(s), at most ${Math.max(0, ...requests)} in a minute`} />
      <Sparkline
        id="wakes-chart"
        label="Wake time (slowest each minute), last hour"
        values={history.map((point) => point.wakeMaxMs ?? 0)}
        summary={wakes === 0 ? 'no wake in the last hour' : `${wakes} wake(s), slowest ${formatDuration(slowest)}`}
      />
    </div>
  );
}
