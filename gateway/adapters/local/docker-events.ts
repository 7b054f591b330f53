import type Dockerode from 'dockerode';

/** How long to wait before following the engine's events again once the stream broke (the engine restarted or is down). */
const RECONNECT_MS = 1_000;
const WATCHED = ['start', 'die', 'pause', 'unpause'];

/**
 * Follows the engine's events for Portico's demo containers (labelled `portico.project`) and
 * calls `onChange` with the container's id at each start, die, pause and unpause, whoever caused
 * it: the restart policy, an engine restart, an operator. When the stream breaks it is opened
 * again from the last event seen, so what happened meanwhile is reported too. Returns a stop function.
 */
export function watchDemoContainers(docker: Dockerode, onChange: (containerId: string) => void): () => void {
  let stopped = false;
  let stream: NodeJS.ReadableStream | null = null;
  let retry: NodeJS.Timeout | null = null;
  let since = Math.floor(Date.now() / 1000);

  function again(): void {
    stream = null;
    if (!stopped) retry = setTimeout(() => void follow(), RECONNECT_MS).unref();
  }

  async function follow(): Promise<void> {
    retry = null;
    let opened: NodeJS.ReadableStream;
    try {
      opened = await docker.getEvents({ since, filters: { type: ['container'], event: WATCHED, label: ['portico.project'] } });
    } catch {
      return again();
    }
    if (stopped) return destroy(opened);
    stream = opened;
    let pending = '';
    opened.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const event = parse(line);
        if (!event) continue;
        since = Math.max(since, event.time);
        onChange(event.id);
      }
    });
    opened.on('error', () => undefined); // 'close' follows
    opened.on('close', again);
  }

  void follow();
  return () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    if (stream) destroy(stream);
  };
}

function parse(line: string): { readonly id: string; readonly time: number } | null {
  try {
    const event = JSON.parse(line) as { id?: unknown; time?: unknown };
    return typeof event.id === 'string' && typeof event.time === 'number' ? { id: event.id, time: event.time } : null;
  } catch {
    return null;
  }
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
}
