import type Dockerode from 'dockerode';

/** What the engine itself saw happen to the soak's containers: pauses, stops and starts, counted independently of the gateway. */
export interface EngineEvents {
  /** Actions (`pause`, `unpause`, `stop`, `start`, `die`, …) and how often each happened so far. */
  counts(): Record<string, number>;
  close(): void;
}

/** Follows the engine's event stream for these containers (and only these: other suites share the engine). */
export async function watchContainerEvents(docker: Dockerode, containerIds: readonly string[]): Promise<EngineEvents> {
  const stream = (await docker.getEvents({ filters: { type: ['container'], container: [...containerIds] } })) as NodeJS.ReadableStream & { destroy(): void };
  const counts: Record<string, number> = {};
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? ''; // an event can arrive split across chunks
    for (const line of lines) {
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as { Action?: string; status?: string };
      const action = event.Action ?? event.status ?? 'unknown';
      counts[action] = (counts[action] ?? 0) + 1;
    }
  });
  stream.on('error', () => undefined); // closing the stream at the end surfaces as an error on some engines
  return { counts: () => ({ ...counts }), close: () => stream.destroy() };
}
