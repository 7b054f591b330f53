import { writeFile } from 'node:fs/promises';
import { round } from './stats.ts';

/** A goal as the issue states it, on a metric's value: `>= 0.6`, `< 2` (ms), `== 1`. */
export interface Goal {
  readonly op: '>=' | '<=' | '<' | '==';
  readonly target: number;
}

/** One line of the table: what Portico measured, what it is compared with, and the goal on their ratio or difference. */
export interface Metric {
  readonly id: string;
  readonly name: string;
  readonly portico: number | null;
  readonly baseline: number | null;
  /** The quantity the goal is about (a ratio, a difference in ms, or a count); null when it could not be measured. */
  readonly value: number | null;
  /** What `value` is: a ratio Portico/baseline, milliseconds (a difference when there is a baseline), or a count. */
  readonly unit: 'ratio' | 'ms' | 'count';
  readonly goal: Goal | null;
  /** Null when not measured or when the row has no goal. */
  readonly met: boolean | null;
  readonly note?: string;
}

export function metric(fields: Omit<Metric, 'met'>): Metric {
  return { ...fields, met: fields.goal && fields.value !== null ? meets(fields.value, fields.goal) : null };
}

function meets(value: number, goal: Goal): boolean {
  switch (goal.op) {
    case '>=':
      return value >= goal.target;
    case '<=':
      return value <= goal.target;
    case '<':
      return value < goal.target;
    case '==':
      return value === goal.target;
  }
}

/** The compact table printed at the end of a run. */
export function formatTable(metrics: readonly Metric[]): string {
  const header = ['metric', 'Portico', 'baseline', 'ratio / Δ', 'goal', 'met?'];
  const rows = metrics.map((m) => [
    m.name,
    number(m.portico),
    number(m.baseline),
    m.value === null ? '—' : m.unit === 'ms' ? `${m.baseline !== null && m.value >= 0 ? '+' : ''}${number(m.value)} ms` : number(m.value),
    m.goal ? `${m.goal.op} ${m.goal.target}${m.unit === 'ms' ? ' ms' : ''}` : '—',
    m.met === null ? (m.goal ? 'n/a' : '—') : m.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  const notes = metrics.filter((m) => m.note).map((m) => `  ${m.name}: ${m.note}`);
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

function number(value: number | null): string {
  if (value === null) return '—';
  return Math.abs(value) >= 100 ? value.toFixed(0) : String(round(value, 2));
}

export async function writeResults(path: string, results: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(results, null, 2) + '\n');
}
