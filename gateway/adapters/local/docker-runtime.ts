import type Dockerode from 'dockerode';
import type { ContainerRef } from '../../domain/types.ts';
import { PorticoError, messageOf } from '../../errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ContainerRuntime, ContainerStatus, StartRequest } from '../../ports/container-runtime.ts';
import { engineMessage, engineStatus, engineUnavailable, withEngine } from './docker-client.ts';
import { probeHttp } from './http-probe.ts';

const PROBE_TIMEOUT_MS = 2_000;
const LOG_LINES = 20;

/**
 * Runs demos as local containers. Each publishes its one port on a random loopback port
 * (127.0.0.1 only: the gateway is the sole way in), runs without privileges, mounts or
 * restarts, and carries labels that tie it to its project and deployment.
 */
export function createDockerRuntime(deps: { docker: Dockerode; where: string; clock: Clock; probeIntervalMs?: number }): ContainerRuntime {
  const { docker, where, clock } = deps;
  const probeIntervalMs = deps.probeIntervalMs ?? 250;

  async function start(request: StartRequest): Promise<ContainerRef> {
    const name = `portico-${request.projectId}-${request.deploymentId.slice(0, 8)}`;
    const container = await withEngine(where, () => createReplacing(name, containerSpec(name, request)));
    try {
      await withEngine(where, () => container.start());
    } catch (error) {
      await removeQuietly(container.id);
      if (/could not select device driver/i.test(engineMessage(error))) {
        throw new PorticoError(
          'start_failed',
          `this demo asks for ${request.gpus} GPU(s) but no GPU runtime is available on this host (${engineMessage(error)}); install the NVIDIA driver and NVIDIA Container Toolkit and restart dockerd, or deploy with gpu "off"`,
          { cause: error },
        );
      }
      throw startError(`container for image ${request.image} could not start`, error);
    }
    const info = await withEngine(where, () => container.inspect());
    const ref = refOf(info);
    if (ref) return ref;
    // An app that dies at once takes its published port with it: report it as waitUntilReady
    // would, and leave nothing behind, since the caller never learns this container's id.
    const error = info.State.Running ? new PorticoError('start_failed', `container ${name} runs but publishes no port for ${request.port}/tcp`) : await exitedError(info);
    await removeQuietly(container.id);
    throw error;
  }

  /** Creates the container; a leftover of the same name (a crashed earlier attempt at this deployment) is replaced. */
  async function createReplacing(name: string, spec: Dockerode.ContainerCreateOptions): Promise<Dockerode.Container> {
    try {
      return await docker.createContainer(spec);
    } catch (error) {
      if (engineStatus(error) === 409) {
        await removeQuietly(name);
        return docker.createContainer(spec);
      }
      if (engineStatus(error) === 404) throw new PorticoError('start_failed', `image ${spec.Image} does not exist in the engine; build it first`, { cause: error });
      throw startError(`could not create container ${name}`, error);
    }
  }

  async function waitUntilReady(ref: ContainerRef, options: { readonly startupTimeoutMs: number; readonly probeIntervalMs?: number }): Promise<void> {
    const interval = options.probeIntervalMs ?? probeIntervalMs;
    const container = docker.getContainer(ref.id);
    const deadline = clock.now().getTime() + options.startupTimeoutMs;
    for (;;) {
      const info = await withEngine(where, () => container.inspect()).catch((error: unknown) => {
        if (engineStatus(error) === 404) throw new PorticoError('start_failed', `container ${ref.id.slice(0, 12)} was removed before it answered`, { cause: error });
        throw error;
      });
      if (!info.State.Running) throw await exitedError(info);
      const remaining = deadline - clock.now().getTime();
      const probe = await probeHttp(ref.upstream, Math.max(1, Math.min(PROBE_TIMEOUT_MS, remaining)));
      if (probe.answered) return;
      if (clock.now().getTime() >= deadline) {
        const port = info.Config.Labels?.['portico.port'] ?? '?';
        throw new PorticoError(
          'start_failed',
          `container did not answer HTTP on port ${port} within ${options.startupTimeoutMs / 1000}s: is the app listening on 0.0.0.0:${port}? (last try: ${probe.reason}); last log lines:\n${await lastLogLines(ref.id)}`,
        );
      }
      await clock.sleep(interval);
    }
  }

  async function exitedError(info: Dockerode.ContainerInspectInfo): Promise<PorticoError> {
    const port = info.Config.Labels?.['portico.port'] ?? '?';
    const why = info.State.OOMKilled ? `was killed for exceeding its memory limit (${Math.round((info.HostConfig.Memory ?? 0) / 2 ** 20)} MB)` : `exited with code ${info.State.ExitCode}`;
    return new PorticoError('start_failed', `container ${why} before answering on port ${port}; last log lines:\n${await lastLogLines(info.Id)}`);
  }

  /** The container's last lines of stdout and stderr, interleaved as written, for failure messages. */
  async function lastLogLines(id: string): Promise<string> {
    try {
      const raw: unknown = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: LOG_LINES, follow: false });
      const text = demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).trimEnd();
      return text || '(no output)';
    } catch (error) {
      return `(logs unavailable: ${messageOf(error)})`;
    }
  }

  /**
   * Null unless the container is running and not paused: the engine reports a paused container
   * as Running, but it answers nothing until resumed, so it has no address to proxy to.
   */
  async function locate(id: string): Promise<ContainerRef | null> {
    const info = await inspectOrNull(id);
    return info && info.State.Running && !info.State.Paused ? refOf(info) : null;
  }

  async function status(id: string): Promise<ContainerStatus> {
    const info = await inspectOrNull(id);
    if (!info) return 'missing';
    if (info.State.Paused) return 'paused';
    return info.State.Running ? 'running' : 'stopped';
  }

  async function inspectOrNull(id: string): Promise<Dockerode.ContainerInspectInfo | null> {
    try {
      return await withEngine(where, () => docker.getContainer(id).inspect());
    } catch (error) {
      if (engineStatus(error) === 404) return null;
      throw error;
    }
  }

  /**
   * Freezes the container's processes (cgroup freezer): memory stays, the port stays published,
   * and unpausing is instant. Already paused, not running or gone is success: nothing to freeze.
   */
  async function pause(id: string): Promise<void> {
    try {
      await withEngine(where, () => docker.getContainer(id).pause());
    } catch (error) {
      if (engineStatus(error) === 404) return;
      // 409 means "already paused" or "not running", but also other conflicts: ask what it is doing.
      if (engineStatus(error) === 409 && (await status(id)) !== 'running') return;
      throw error;
    }
  }

  /**
   * Stops the container (SIGTERM, SIGKILL after 5 s) and keeps it for `resume`. A paused one is
   * stopped directly: the engine (checked on 20.10) delivers the signal and thaws it itself.
   */
  async function stop(id: string): Promise<void> {
    await withEngine(where, () => docker.getContainer(id).stop({ t: 5 })).catch(ignoreStatus(304, 404));
  }

  /** Unpauses or restarts the container and reads its address again: a restart publishes a new host port. */
  async function resume(id: string): Promise<ContainerRef> {
    const container = docker.getContainer(id);
    const before = await inspectOrNull(id);
    if (!before) throw goneError(id, 'no longer exists');
    try {
      if (before.State.Paused) await withEngine(where, () => container.unpause());
      else if (!before.State.Running) await withEngine(where, () => container.start());
    } catch (error) {
      if (engineStatus(error) === undefined) throw error;
      const now = await status(id);
      if (now === 'missing') throw goneError(id, 'was removed while it was being woken', error);
      // 304: someone else started it meanwhile; 409 while running: someone else unpaused it.
      const wokenMeanwhile = engineStatus(error) === 304 || (engineStatus(error) === 409 && now === 'running');
      if (!wokenMeanwhile) throw startError(`container ${id.slice(0, 12)} could not be woken`, error);
    }
    const info = await inspectOrNull(id);
    if (!info) throw goneError(id, 'was removed while it was being woken');
    const ref = info.State.Running ? refOf(info) : null;
    if (ref) return ref;
    if (info.State.Running) throw new PorticoError('start_failed', `container ${id.slice(0, 12)} runs but publishes no port for ${info.Config.Labels?.['portico.port'] ?? '?'}/tcp`);
    throw await exitedError(info);
  }

  async function remove(id: string): Promise<void> {
    const container = docker.getContainer(id);
    await withEngine(where, () => container.stop({ t: 5 })).catch(ignoreStatus(304, 404));
    // 409: the engine is already removing it.
    await withEngine(where, () => container.remove({ force: true })).catch(ignoreStatus(404, 409));
  }

  /** For clean-up after failures, where the first error is the one worth reporting. */
  async function removeQuietly(id: string): Promise<void> {
    await remove(id).catch(() => undefined);
  }

  async function removeProjectContainers(projectId: string): Promise<void> {
    const containers = await withEngine(where, () => docker.listContainers({ all: true, filters: { label: [`portico.project=${projectId}`] } }));
    for (const container of containers) await remove(container.Id);
  }

  async function ping(): Promise<void> {
    try {
      await docker.ping();
    } catch (error) {
      throw engineUnavailable(where, error);
    }
  }

  return { ping, start, waitUntilReady, locate, pause, stop, resume, status, remove, removeProjectContainers };
}

/** What `docker create` gets: least privilege, loopback-only publishing, limits from the request. */
export function containerSpec(name: string, request: StartRequest): Dockerode.ContainerCreateOptions {
  const portKey = `${request.port}/tcp`;
  // PORT last so it always matches the port Portico probes and publishes.
  const env = { ...request.env, PORT: String(request.port) };
  return {
    name,
    Image: request.image,
    Labels: { 'portico.project': request.projectId, 'portico.deployment': request.deploymentId, 'portico.port': String(request.port) },
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      Memory: request.memoryBytes,
      NanoCpus: request.nanoCpus,
      SecurityOpt: ['no-new-privileges:true'],
      Privileged: false,
      RestartPolicy: { Name: 'no' },
      // A tiny init as PID 1 forwards SIGTERM (an app running as PID 1 ignores it unless it
      // installs a handler, so every stop would wait out the timeout) and reaps zombies.
      Init: true,
      ...(request.gpus > 0 ? { DeviceRequests: [{ Driver: 'nvidia', Count: request.gpus, Capabilities: [['gpu']] }] } : {}),
    },
  };
}

/** The loopback address the engine published the container's port on, or null if it publishes none. */
function refOf(info: Dockerode.ContainerInspectInfo): ContainerRef | null {
  const port = info.Config.Labels?.['portico.port'];
  const ports = info.NetworkSettings.Ports ?? {};
  const bindings = (port ? ports[`${port}/tcp`] : undefined) ?? Object.values(ports).find((list) => list && list.length > 0);
  const hostPort = bindings?.find((binding) => binding.HostIp === '127.0.0.1')?.HostPort ?? bindings?.[0]?.HostPort;
  return hostPort ? { id: info.Id, upstream: `http://127.0.0.1:${hostPort}` } : null;
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

function goneError(id: string, what: string, cause?: unknown): PorticoError {
  return new PorticoError('start_failed', `container ${id.slice(0, 12)} ${what}, so it cannot be woken; deploy the project again`, { cause });
}

function startError(what: string, error: unknown): unknown {
  return engineStatus(error) === undefined ? error : new PorticoError('start_failed', `${what}: ${engineMessage(error)}`, { cause: error });
}

/** A catch handler that treats the listed engine statuses as success (idempotent removal). */
function ignoreStatus(...statuses: number[]): (error: unknown) => void {
  return (error) => {
    if (!statuses.includes(engineStatus(error) ?? -1)) throw error;
  };
}
