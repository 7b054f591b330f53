/**
 * A small inline SVG line chart with axes (no library, nothing fetched), for the project
 * page's requests-per-minute and wake-time charts.
 */

export interface SparklineSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The SVG path of `values` spread evenly across `width`, scaled so `top` (by default the largest
 * value) touches the top and zero sits on the bottom edge. All zeros (or no values) draw a flat
 * line on the bottom. Pure.
 */
export function sparklinePath(values: readonly number[], { width, height }: SparklineSize, top?: number): string {
  if (values.length === 0) return `M0,${height} L${width},${height}`;
  const max = top ?? Math.max(0, ...values);
  const step = values.length === 1 ? 0 : width / (values.length - 1);
  const points = values.map((value, i) => `${round(i * step)},${round(max === 0 ? height : height - (Math.max(0, value) / max) * height)}`);
  if (values.length === 1) points.push(`${width},${points[0]!.split(',')[1]}`); // one value: a level line across
  return `M${points.join(' L')}`;
}

/** The same line closed along the bottom edge, for the shaded area under it. */
export function sparklineArea(values: readonly number[], size: SparklineSize, top?: number): string {
  return `${sparklinePath(values, size, top)} L${size.width},${size.height} L0,${size.height} Z`;
}

/** The top of the value axis: the smallest 1, 2 or 5 × 10ⁿ at or above `max` (1 when there is nothing). Pure. */
export function axisTop(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= max * (1 - 1e-9))!;
  return step * magnitude;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface SparklineProps {
  readonly id: string;
  readonly label: string;
  readonly values: readonly number[];
  /** Says what the numbers are, e.g. "latest 3, peak 12 a minute". */
  readonly summary: string;
  /** A value-axis label, with its unit, e.g. `3 req/min` or `2.5 s`. */
  readonly formatValue?: (value: number) => string;
  /** Labels along the time axis, from the left edge (0) to the right (1). */
  readonly timeTicks?: readonly { readonly at: number; readonly text: string }[];
  /** The plot area, without the axes around it. */
  readonly width?: number;
  readonly height?: number;
}

const MARGIN = { left: 78, right: 10, top: 8, bottom: 22 };

export function Sparkline({ id, label, values, summary, formatValue = String, timeTicks = [], width = 360, height = 110 }: SparklineProps) {
  const size = { width, height };
  const top = axisTop(Math.max(0, ...values));
  const outer = { width: MARGIN.left + width + MARGIN.right, height: MARGIN.top + height + MARGIN.bottom };
  const levels = [0, top / 2, top];
  return (
    <figure class="chart" id={id}>
      <figcaption>{label}</figcaption>
      <svg role="img" aria-label={`${label}: ${summary}`} width={outer.width} height={outer.height} viewBox={`0 0 ${outer.width} ${outer.height}`}>
        <g class="axis" transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          {levels.map((level) => {
            const y = round(height - (level / top) * height);
            return (
              <>
                <line class="grid" x1="0" x2={width} y1={y} y2={y} />
                <text class="value-tick" x="-6" y={y} dy="0.32em" text-anchor="end">
                  {formatValue(level)}
                </text>
              </>
            );
          })}
          {timeTicks.map((tick) => (
            <text class="time-tick" x={round(tick.at * width)} y={height + 16} text-anchor={tick.at === 0 ? 'start' : tick.at === 1 ? 'end' : 'middle'}>
              {tick.text}
            </text>
          ))}
          <path class="area" d={sparklineArea(values, size, top)} />
          <path class="line" d={sparklinePath(values, size, top)} />
        </g>
      </svg>
      <div class="muted">{summary}</div>
    </figure>
  );
}
