import { timestampMs } from '@bufbuild/protobuf/wkt';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import type { StatusResponse, VertexStatus } from './gen/control_pb.ts';

/** How many output lines of a step are kept to explain its failure (the docker CLI keeps 10 too). */
const KEPT_LINES = 10;

interface VertexState {
  readonly digest: string;
  index: number; // 0 until first printed, then #1, #2, … in the order steps start, like the docker CLI
  name: string;
  cached: boolean;
  started: Timestamp | undefined;
  completed: Timestamp | undefined;
  error: string;
  finished: boolean; // its DONE / CACHED / ERROR line is out
  partial: string; // output after the last newline, printed once the line ends
  partialStart: Timestamp | undefined;
  pending: string[]; // output lines not printed yet
  readonly lastLines: string[];
  readonly statuses: Map<string, VertexStatus>;
  readonly printedStatuses: Set<string>;
  readonly warnings: string[];
}

/** The step that failed, its error and its last output lines. */
export interface StepFailure {
  readonly step: string;
  readonly error: string;
  readonly lastLines: readonly string[];
}

export interface ProgressPrinter {
  /** The log text one BuildKit status message adds, in the docker CLI's plain progress format. */
  write(status: StatusResponse): string;
  /** Ends open lines; after a failure, the failing step and its last output, as `docker build` ends. */
  end(): string;
  /** The first step that failed, if any. */
  failure(): StepFailure | null;
}

/**
 * Renders BuildKit progress the way `docker build --progress=plain` does: `#5 [2/4] RUN …`,
 * `#5 0.523 output`, `#5 CACHED`, `#5 DONE 1.2s`, `#5 ERROR: …` (after moby/buildkit's
 * util/progress/progressui printer). Unlike the CLI it prints every message at once, without
 * throttling, so a log streamed to a dashboard shows output as it comes.
 */
export function createProgressPrinter(): ProgressPrinter {
  const vertexes = new Map<string, VertexState>();
  let nextIndex = 0;
  let current: VertexState | null = null;
  let printedAny = false;
  let out: string[] = [];

  function vertexOf(digest: string): VertexState {
    let vertex = vertexes.get(digest);
    if (!vertex) {
      vertex = {
        digest,
        index: 0,
        name: digest,
        cached: false,
        started: undefined,
        completed: undefined,
        error: '',
        finished: false,
        partial: '',
        partialStart: undefined,
        pending: [],
        lastLines: [],
        statuses: new Map(),
        printedStatuses: new Set(),
        warnings: [],
      };
      vertexes.set(digest, vertex);
    }
    return vertex;
  }

  function line(vertex: VertexState, text: string): void {
    out.push(`#${vertex.index} ${text}`);
  }

  /** Makes `vertex` the one being printed: its header first, as the CLI does when output switches steps. */
  function select(vertex: VertexState): void {
    if (current === vertex) return;
    if (current && !current.finished) line(current, '...');
    if (vertex.index === 0) vertex.index = ++nextIndex;
    if (printedAny) out.push('');
    printedAny = true;
    line(vertex, vertex.name);
    current = vertex;
  }

  function print(vertex: VertexState): void {
    if (vertex.finished) return;
    const visible = vertex.started || vertex.cached || vertex.completed;
    if (!visible) return;
    select(vertex);
    for (const [id, status] of vertex.statuses) {
      if (vertex.printedStatuses.has(id)) continue;
      if (!status.completed && !vertex.completed) continue; // printed once, when done
      vertex.printedStatuses.add(id);
      line(vertex, `${id}${bytesOf(status)}${timeOf(status)}`);
    }
    for (const warning of vertex.warnings.splice(0)) line(vertex, `WARN: ${warning}`);
    for (const text of vertex.pending.splice(0)) line(vertex, text);
    if (vertex.completed) {
      if (vertex.partial) endPartial(vertex);
      for (const text of vertex.pending.splice(0)) line(vertex, text);
      vertex.finished = true;
      if (vertex.error) line(vertex, /context canceled$/.test(vertex.error) ? 'CANCELED' : `ERROR: ${vertex.error}`);
      else if (vertex.cached) line(vertex, 'CACHED');
      else line(vertex, `DONE ${seconds(vertex.started, vertex.completed).toFixed(1)}s`);
      current = null;
    }
  }

  function addOutput(vertex: VertexState, text: string, at: Timestamp | undefined): void {
    const pieces = text.split('\n');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      const last = i === pieces.length - 1;
      if (piece === '' && last) break; // text ended with a newline: no new line started
      if (vertex.partialStart === undefined) vertex.partialStart = at;
      vertex.partial += piece;
      if (!last) endPartial(vertex);
    }
  }

  function endPartial(vertex: VertexState): void {
    const text = vertex.partial.replace(/\r$/, '');
    const offset = seconds(vertex.started, vertex.partialStart);
    vertex.pending.push(`${offset.toFixed(offset < 10 ? 3 : offset < 100 ? 2 : 1)} ${text}`);
    vertex.lastLines.push(text);
    if (vertex.lastLines.length > KEPT_LINES) vertex.lastLines.shift();
    vertex.partial = '';
    vertex.partialStart = undefined;
  }

  return {
    write(status) {
      out = [];
      const touched: VertexState[] = [];
      const touch = (vertex: VertexState) => {
        if (!touched.includes(vertex)) touched.push(vertex);
      };
      for (const update of status.vertexes) {
        const vertex = vertexOf(update.digest);
        vertex.name = update.name || vertex.name;
        vertex.cached ||= update.cached;
        vertex.started ??= update.started;
        vertex.completed = update.completed ?? vertex.completed;
        vertex.error = update.error || vertex.error;
        touch(vertex);
      }
      for (const update of status.statuses) {
        const vertex = vertexOf(update.vertex);
        vertex.statuses.set(update.ID, update);
        touch(vertex);
      }
      for (const warning of status.warnings) {
        const vertex = vertexOf(warning.vertex);
        vertex.warnings.push(new TextDecoder().decode(warning.short));
        touch(vertex);
      }
      for (const log of status.logs) {
        const vertex = vertexOf(log.vertex);
        addOutput(vertex, new TextDecoder().decode(log.msg), log.timestamp);
        touch(vertex);
      }
      // The step being printed goes first, as in the CLI, so its lines are not split by a header.
      touched.sort((a, b) => Number(b === current) - Number(a === current));
      for (const vertex of touched) print(vertex);
      return out.length > 0 ? `${out.join('\n')}\n` : '';
    },

    end() {
      out = [];
      for (const vertex of vertexes.values()) {
        if (!vertex.partial) continue;
        endPartial(vertex);
        if (!vertex.finished && (vertex.started || vertex.cached)) {
          select(vertex);
          for (const text of vertex.pending.splice(0)) line(vertex, text);
        }
      }
      const failed = this.failure();
      if (failed && failed.lastLines.length > 0) {
        out.push('------', ` > ${failed.step}:`, ...failed.lastLines, '------');
      }
      return out.length > 0 ? `${out.join('\n')}\n` : '';
    },

    failure() {
      for (const vertex of vertexes.values()) {
        if (vertex.error && !/context canceled$/.test(vertex.error)) return { step: vertex.name, error: vertex.error, lastLines: [...vertex.lastLines] };
      }
      return null;
    },
  };
}

function seconds(from: Timestamp | undefined, to: Timestamp | undefined): number {
  if (!from || !to) return 0;
  return Math.max(0, (timestampMs(to) - timestampMs(from)) / 1000);
}

function bytesOf(status: VertexStatus): string {
  if (status.total !== 0n) return ` ${formatBytes(status.current)} / ${formatBytes(status.total)}`;
  if (status.current !== 0n) return ` ${formatBytes(status.current)}`;
  return '';
}

function timeOf(status: VertexStatus): string {
  const end = status.completed ?? status.timestamp;
  const took = seconds(status.started, end);
  return `${took > 0.01 ? ` ${took.toFixed(1)}s` : ''}${status.completed ? ' done' : ''}`;
}

/** Decimal units as the CLI prints them (tonistiigi/units `%.2f`): `123B`, `1.23kB`, `27.15MB`. */
export function formatBytes(count: bigint): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = Number(count);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value}${units[0]}` : `${value.toFixed(2)}${units[unit]}`;
}
