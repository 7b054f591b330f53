/**
 * A tiny inline SVG line chart (no library, nothing fetched), for the project page's
 * requests-per-minute and wake-time charts.
 */

export interface SparklineSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The SVG path of `values` spread evenly across `width`, scaled so the largest touches the top
 * and zero sits on the bottom edge. All zeros (or no values) draw a flat line on the bottom. Pure.
 */
export function sparklinePath(values: readonly number[], { width, height }: SparklineSize): string {
  if (values.length === 0) return `M0,${height} L${width},${height}`;
  const max = Math.max(0, ...values);
  const step = values.length === 1 ? 0 : width / (values.length - 1);
  const points = values.map((value, i) => `${round(i * step)},${round(max === 0 ? height : height - (Math.max(0, value) / max) * height)}`);
  if (values.length === 1) points.push(`${width},${points[0]!.split(',')[1]}`); // one value: a level line across
  return `M${points.join(' L')}`;
}

/** The same line closed along the bottom edge, for the shaded area under it. */
export function sparklineArea(values: readonly number[], size: SparklineSize): string {
  return `${sparklinePath(values, size)} L${size.width},${size.height} L0,${size.height} Z`;
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
  readonly width?: number;
  readonly height?: number;
}

export function Sparkline({ id, label, values, summary, width = 240, height = 40 }: SparklineProps) {
  const size = { width, height };
  return (
    <figure class="chart" id={id}>
      <figcaption>{label}</figcaption>
      <svg role="img" aria-label={`${label}: ${summary}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none">
        <path class="area" d={sparklineArea(values, size)} />
        <path class="line" d={sparklinePath(values, size)} />
      </svg>
      <div class="muted">{summary}</div>
    </figure>
  );
}
