import { PassThrough, type Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { messageOf } from '../../errors.ts';

/*
 * A container's output, one run at a time: the engine restarts a crashing demo (and keeps every
 * run's output), so a start that failed shows what its last run said, once, not every run's.
 */

/** RFC 3339 with nanoseconds (the engine trims trailing zeros), padded so two times compare as strings. */
export function comparableTime(time: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}${match[3]}` : time;
}

/** Splits one timestamped log line ("2026-11-30T10:00:00.123456789Z text") into its time and text. */
function splitStamp(line: string): { readonly time: string; readonly text: string } {
  const space = line.indexOf(' ');
  return space < 0 ? { time: line, text: '' } : { time: line.slice(0, space), text: line.slice(space + 1) };
}

/**
 * The engine records a run's StartedAt only after the process runs: a fast app has written (and
 * even exited) a little before it. A run's output is taken from this long before its StartedAt;
 * the previous run's output is older by the engine's restart backoff (100 ms, doubling) and more.
 */
const START_SLACK_MS = 50;

/** From when a run's output counts, as a comparable time. */
function runStart(startedAt: string): string {
  const ms = Date.parse(startedAt);
  return Number.isFinite(ms) ? comparableTime(new Date(ms - START_SLACK_MS).toISOString()) : comparableTime(startedAt);
}

/** Until when an ended run's output counts, as a comparable time; null when the engine has no end time. */
function runEnd(finishedAt: string): string | null {
  const ms = finishedAt.startsWith('0001-') ? Number.NaN : Date.parse(finishedAt);
  return Number.isFinite(ms) ? comparableTime(new Date(ms + START_SLACK_MS).toISOString()) : null;
}

/** Whole seconds, as the engine's `since` wants them: lines from earlier in that second are filtered by their own time. */
function sinceSeconds(startedAt: string): number {
  const ms = Date.parse(startedAt);
  return Number.isFinite(ms) ? Math.floor((ms - START_SLACK_MS) / 1000) : 0;
}

/**
 * Streams what the run that started at `startedAt` writes (stdout and stderr, line by line, as
 * written) to `onOutput`, until `stop`. Lines of later runs (after a crash and the engine's
 * restart) are left out. Never throws: a log that cannot be followed is reported as one line.
 */
export function followRunOutput(docker: Dockerode, id: string, startedAt: string, onOutput: (text: string) => void): { stop(endedAt?: string): Promise<void> } {
  const from = runStart(startedAt);
  let until: string | null = null;
  let stream: Readable | null = null;
  let stopped = false;
  let ended: Promise<void> = Promise.resolve();
  let runOver = false;

  const lineSink = () => {
    const sink = new PassThrough();
    let pending = '';
    const emit = (line: string) => {
      const { time, text } = splitStamp(line);
      const at = comparableTime(time);
      if (at < from || (until !== null && at > until) || runOver) return;
      onOutput(`${text}\n`);
    };
    sink.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) emit(line.replace(/\r$/, ''));
    });
    sink.on('end', () => {
      if (pending) emit(pending);
      pending = '';
    });
    return sink;
  };

  const started = (async () => {
    try {
      const raw = (await docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true, timestamps: true, since: sinceSeconds(startedAt) })) as unknown as Readable;
      if (stopped) {
        raw.destroy();
        return;
      }
      stream = raw;
      const out = lineSink();
      const err = lineSink();
      docker.modem.demuxStream(raw, out, err);
      ended = new Promise((resolve) => {
        const finish = () => {
          out.end();
          err.end();
          resolve();
        };
        raw.on('end', finish);
        raw.on('close', finish);
        raw.on('error', finish);
      });
    } catch (error) {
      if (!stopped) onOutput(`(the container's output cannot be followed: ${messageOf(error)})\n`);
    }
  })();

  return {
    /** `endedAt`: when the run ended (it crashed); what later runs wrote is left out. */
    async stop(endedAt?: string) {
      // Like StartedAt, FinishedAt is recorded a little after the process wrote its last line.
      if (endedAt) until = runEnd(endedAt);
      stopped = true;
      await started;
      // A run that ended: give what the engine already sent a moment to arrive, then cut the stream.
      if (until !== null) await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 200))]);
      runOver = true;
      stream?.destroy();
    },
  };
}

/**
 * The last `tail` lines the container's latest run wrote (stdout and stderr interleaved as
 * written): for a crashed demo the engine restarted, only what its last run said.
 */
export async function lastRunOutput(docker: Dockerode, info: Dockerode.ContainerInspectInfo, tail: number): Promise<string> {
  try {
    const from = runStart(info.State.StartedAt);
    // A run that ended (between the engine's restarts, or for good): by the time its output is
    // read, the engine may have started the next run, whose lines are left out too.
    const ended = !info.State.Running || info.State.Restarting ? runEnd(info.State.FinishedAt) : null;
    const raw: unknown = await docker.getContainer(info.Id).logs({ stdout: true, stderr: true, timestamps: true, follow: false, since: sinceSeconds(info.State.StartedAt) });
    const text = demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    const lines = text
      .split('\n')
      .filter((line) => line !== '')
      .map(splitStamp)
      .filter(({ time }) => comparableTime(time) >= from && (ended === null || comparableTime(time) <= ended))
      .map(({ text: line }) => line.replace(/\r$/, ''));
    const last = lines.slice(-tail).join('\n').trimEnd();
    return last || '(no output)';
  } catch (error) {
    return `(logs unavailable: ${messageOf(error)})`;
  }
}

/**
 * Splits the engine's multiplexed log stream (non-TTY containers): frames of an 8-byte header
 * (stream type, 3 zero bytes, big-endian length) followed by the payload. A TTY container's
 * log is plain text and passes through.
 */
export function demuxLogs(buffer: Buffer): string {
  const framed = buffer.length >= 8 && buffer[0]! <= 2 && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
  if (!framed) return buffer.toString('utf8');
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}
