import type { ContainerRef } from '../../gateway/domain/types.ts';
import { PorticoError } from '../../gateway/errors.ts';
import type { AsyncWake, ContainerRuntime, ContainerStatus, StartRequest } from '../../gateway/ports/container-runtime.ts';

export interface MemoryRuntime extends ContainerRuntime, AsyncWake {
  /** Every call that changes something, in order: `start c-d1`, `stop c-d1`, `remove c-d1`, `wake c-d1`. */
  readonly calls: string[];
  /** The requests `start` received, in order. */
  readonly started: StartRequest[];
  /** The status each container has now. */
  readonly containers: Map<string, ContainerStatus>;
  /** Containers whose `waitUntilReady` fails (the app never answers). */
  readonly neverReady: Set<string>;
  /** Containers whose `stop` throws, as an engine refusing would. */
  readonly failStop: Set<string>;
}

/**
 * A container runtime in memory, for services whose real runtime cannot run here (ECS, GPUs):
 * it records what it is asked and keeps each container's status. Container ids are `c-<deploymentId>`.
 */
export function memoryRuntime(): MemoryRuntime {
  const containers = new Map<string, ContainerStatus>();
  const calls: string[] = [];
  const started: StartRequest[] = [];
  const neverReady = new Set<string>();
  const failStop = new Set<string>();
  const ref = (id: string): ContainerRef => ({ id, upstream: `http://${id}.invalid:8000` });
  const scaleDown = async (id: string) => {
    calls.push(`stop ${id}`);
    if (failStop.has(id)) throw new PorticoError('engine_unavailable', `the engine refused to stop ${id}`);
    if (containers.has(id)) containers.set(id, 'stopped');
  };
  return {
    calls,
    started,
    containers,
    neverReady,
    failStop,
    ping: async () => undefined,
    async start(request) {
      const id = `c-${request.deploymentId}`;
      calls.push(`start ${id}`);
      started.push(request);
      containers.set(id, 'running');
      return ref(id);
    },
    async waitUntilReady(container) {
      if (neverReady.has(container.id)) throw new PorticoError('start_failed', `${container.id} did not answer HTTP on its port`);
      return { container, port: started.find((request) => `c-${request.deploymentId}` === container.id)?.port ?? 0 };
    },
    locate: async (id) => (containers.get(id) === 'running' ? ref(id) : null),
    pause: scaleDown,
    stop: scaleDown,
    async resume(id) {
      calls.push(`resume ${id}`);
      if (!containers.has(id)) throw new PorticoError('start_failed', `${id} no longer exists`);
      containers.set(id, 'running');
      return ref(id);
    },
    async requestWake(id) {
      calls.push(`wake ${id}`);
      if (containers.has(id)) containers.set(id, 'running');
    },
    status: async (id) => containers.get(id) ?? 'missing',
    logs: async (id) => `(${id} wrote nothing)`,
    async remove(id) {
      calls.push(`remove ${id}`);
      containers.delete(id);
    },
    async removeProjectContainers(projectId) {
      calls.push(`remove-project ${projectId}`);
    },
  };
}
