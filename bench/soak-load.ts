import { createHash, randomBytes } from 'node:crypto';
import { type Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** The requests the soak sends, each checked end to end (status and body), not just counted. */
export type RequestKind = 'get' | 'sse' | 'post' | 'burst';

/** A demo as the load reaches it: through the gateway's port, named by Host header. */
export interface SoakTarget {
  readonly label: string;
  readonly host: string;
  /** What its `GET /` answers: a different one per project, so a request routed to the wrong demo is caught. */
  readonly greeting: string;
}

/** On/off pattern in seconds, repeated: `[10, 4]` is 10 s of traffic then 4 s of silence. */
export type Pattern = readonly number[];

export interface Stream {
  readonly target: SoakTarget;
  readonly kind: RequestKind;
  readonly perSecond: number;
  /** Unset: always on. */
  readonly pattern?: Pattern;
  /** Undefined: a fresh connection per request. */
  readonly agent?: Agent;
}

/** At the start of every on-phase of `pattern`, `size` GETs at once, each on its own connection. */
export interface Burst {
  readonly target: SoakTarget;
  readonly pattern: Pattern;
  readonly size: number;
}

export interface Tally {
  served: number;
  readonly servedByKind: Record<RequestKind, number>;
  /** Failures by kind of failure (`HTTP 502`, `connection ECONNRESET`, `wrong body`, `timeout`). */
  readonly errors: Record<string, number>;
  /** The first few failures in full, to see what went wrong. */
  readonly examples: string[];
  readonly latencyMs: Record<RequestKind, number[]>;
  inFlight: number;
  maxInFlight: number;
}

export function createTally(): Tally {
  return {
    served: 0,
    servedByKind: { get: 0, sse: 0, post: 0, burst: 0 },
    errors: {},
    examples: [],
    latencyMs: { get: [], sse: [], post: [], burst: [] },
    inFlight: 0,
    maxInFlight: 0,
  };
}

export function errorCount(tally: Tally): number {
  return Object.values(tally.errors).reduce((sum, n) => sum + n, 0);
}

const UPLOAD = randomBytes(32 * 1024);
const UPLOAD_SHA256 = createHash('sha256').update(UPLOAD).digest('hex');
const SSE_EVENTS = 5;
const SSE_EXPECTED = Array.from({ length: SSE_EVENTS }, (_, i) => `data: token-${i}\n\n`).join('');
const EXAMPLES_KEPT = 20;

/** Whether a pattern is in an on-phase at `atSec`, and which phase (so a new on-phase can be told apart). */
export function phaseAt(pattern: Pattern, atSec: number): { on: boolean; index: number } {
  const cycle = pattern.reduce((sum, seconds) => sum + seconds, 0);
  const cycles = Math.floor(atSec / cycle);
  let into = atSec - cycles * cycle;
  for (let i = 0; i < pattern.length; i += 1) {
    if (into < pattern[i]!) return { on: i % 2 === 0, index: cycles * pattern.length + i };
    into -= pattern[i]!;
  }
  return { on: false, index: (cycles + 1) * pattern.length - 1 };
}

/** One request through the gateway, checked and recorded in the tally. Never rejects. */
export function fire(port: number, target: SoakTarget, kind: RequestKind, agent: Agent | undefined, tally: Tally, timeoutMs: number): Promise<void> {
  const started = performance.now();
  tally.inFlight += 1;
  tally.maxInFlight = Math.max(tally.maxInFlight, tally.inFlight);
  const path = kind === 'sse' ? `/sse?n=${SSE_EVENTS}&intervalMs=20` : kind === 'post' ? '/upload' : '/';
  const headers: Record<string, string> = { host: target.host };
  if (kind === 'post') Object.assign(headers, { 'content-type': 'application/octet-stream', 'content-length': String(UPLOAD.length) });

  return new Promise<void>((resolve) => {
    let settled = false;
    const done = (failure: string | null, detail = '') => {
      if (settled) return;
      settled = true;
      tally.inFlight -= 1;
      if (failure === null) {
        tally.served += 1;
        tally.servedByKind[kind] += 1;
        tally.latencyMs[kind].push(performance.now() - started);
      } else {
        tally.errors[failure] = (tally.errors[failure] ?? 0) + 1;
        if (tally.examples.length < EXAMPLES_KEPT) tally.examples.push(`${new Date().toISOString()} ${target.label} ${kind}: ${failure}${detail ? ` (${detail})` : ''}`);
      }
      resolve();
    };
    const req = request({ host: '127.0.0.1', port, method: kind === 'post' ? 'POST' : 'GET', path, headers, agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', (error: NodeJS.ErrnoException) => done(`connection ${error.code ?? error.message}`));
      res.on('end', () => {
        if (res.statusCode !== 200) return done(`HTTP ${res.statusCode}`, readable(body));
        const wrong = checkBody(kind, target, body);
        done(wrong === null ? null : 'wrong body', wrong ?? '');
      });
    });
    const timer = setTimeout(() => {
      done('timeout', `no complete answer within ${timeoutMs} ms`);
      req.destroy();
    }, timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (error: NodeJS.ErrnoException) => done(`connection ${error.code ?? error.message}`));
    req.end(kind === 'post' ? UPLOAD : undefined);
  });
}

/** An error page as one line of text: Portico's pages are HTML, its API errors JSON. */
function readable(body: string): string {
  return body
    .replace(/<(style|script|title)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** Null when the body is what the demo sends for this request; else what was wrong. */
function checkBody(kind: RequestKind, target: SoakTarget, body: string): string | null {
  if (kind === 'get' || kind === 'burst') return body === `${target.greeting}\n` ? null : `expected ${JSON.stringify(target.greeting)}, got ${JSON.stringify(body.slice(0, 80))}`;
  if (kind === 'sse') return body === SSE_EXPECTED ? null : `stream cut or garbled: ${JSON.stringify(body.slice(0, 80))}`;
  try {
    const echoed = JSON.parse(body) as { bytes?: number; sha256?: string };
    return echoed.bytes === UPLOAD.length && echoed.sha256 === UPLOAD_SHA256 ? null : `upload arrived as ${echoed.bytes} bytes, sha256 ${echoed.sha256}`;
  } catch {
    return `not JSON: ${JSON.stringify(body.slice(0, 80))}`;
  }
}

const TICK_MS = 20;

/**
 * Open-loop load: each stream sends at its rate whether or not earlier requests have been
 * answered (as visitors do), for `durationSec`; then waits for every request still open.
 */
export async function runLoad(options: {
  readonly port: number;
  readonly streams: readonly Stream[];
  readonly bursts: readonly Burst[];
  readonly durationSec: number;
  readonly timeoutMs: number;
  readonly tally: Tally;
}): Promise<void> {
  const { port, streams, bursts, tally, timeoutMs } = options;
  const open = new Set<Promise<void>>();
  const send = (target: SoakTarget, kind: RequestKind, agent: Agent | undefined) => {
    const pending = fire(port, target, kind, agent, tally, timeoutMs);
    open.add(pending);
    void pending.then(() => open.delete(pending));
  };
  const credit = streams.map(() => 0);
  const lastBurstPhase = bursts.map(() => -1);
  const started = performance.now();
  let previous = started;

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const atSec = (now - started) / 1000;
      const dt = (now - previous) / 1000;
      previous = now;
      if (atSec >= options.durationSec) {
        clearInterval(timer);
        return resolve();
      }
      streams.forEach((stream, i) => {
        if (stream.pattern && !phaseAt(stream.pattern, atSec).on) return void (credit[i] = 0);
        credit[i]! += stream.perSecond * dt;
        for (; credit[i]! >= 1; credit[i]! -= 1) send(stream.target, stream.kind, stream.agent);
      });
      bursts.forEach((burst, i) => {
        const phase = phaseAt(burst.pattern, atSec);
        if (!phase.on || phase.index === lastBurstPhase[i]) return;
        lastBurstPhase[i] = phase.index;
        for (let n = 0; n < burst.size; n += 1) send(burst.target, 'burst', undefined);
      });
    }, TICK_MS);
  });
  while (open.size > 0) await Promise.all([...open]);
}
