import type Dockerode from 'dockerode';
import { type ListeningSocket, appSockets, classifyListeners, loopbackOnlyMessage } from '../../domain/listening-ports.ts';
import { withPortConventions } from '../../domain/port-env.ts';
import type { ContainerRef } from '../../domain/types.ts';
import { PorticoError, messageOf } from '../../errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ContainerRuntime, ContainerStatus, ReadyContainer, ReadyOptions, StartRequest } from '../../ports/container-runtime.ts';
import { engineMessage, engineStatus, engineUnavailable, withEngine } from './docker-client.ts';
import { DEMO_NETWORK, ensureDemoNetwork, guardHostFromBridge } from './docker-demo-network.ts';
import { watchDemoContainers } from './docker-events.ts';
import { type Routing, createRouting } from './docker-routing.ts';
import { demuxLogs, followRunOutput, lastRunOutput } from './docker-run-output.ts';
import { readListeningSockets } from './docker-sockets.ts';
import { probeHttp } from './http-probe.ts';

const PROBE_TIMEOUT_MS = 2_000;
const LOG_LINES = 20;
/** How often, while nothing answers, the container's socket table is read to see which ports it really opened. */
const LISTEN_CHECK_MS = 1_000;
/** How long an app may listen on loopback only before that is reported: long enough for one that binds 0.0.0.0 next. */
const LOOPBACK_GRACE_MS = 2_000;
const WAITING_NOTE_MS = 15_000;
/**
 * How often the engine restarts a demo that exits with a failure (with its own backoff: 100 ms,
 * doubling) before leaving it `crashed`. Stopping a demo (scale to zero) switches this off, so
 * an engine restart brings back the demos that ran and leaves the sleeping ones asleep.
 */
export const CRASH_RESTARTS = 5;
const RESTART_ON_FAILURE = { Name: 'on-failure', MaximumRetryCount: CRASH_RESTARTS };

/** What confines a demo beyond memory and CPU: a process cap (fork bombs) and the network it joins. */
export interface Isolation {
  readonly pidsLimit: number;
  readonly network: string;
}

export const DEFAULT_ISOLATION: Isolation = { pidsLimit: 1024, network: DEMO_NETWORK };

export interface DockerRuntimeDeps {
  readonly docker: Dockerode;
  readonly where: string;
  readonly clock: Clock;
  readonly probeIntervalMs?: number;
  readonly isolation?: Partial<Isolation>;
  /** Told once when the host firewall rule that keeps demos off the host's services cannot be installed. */
  readonly warn?: (line: string) => void;
  /**
   * How the gateway reaches a demo: `direct` to the container's own address on the demos' network
   * (any port it opens, found later included), `published` through the loopback port the engine
   * publishes for the declared port (Docker Desktop, a remote engine), `auto` (default) direct
   * where the host is on that network.
   */
  readonly routing?: Routing;
}

/**
 * Runs demos as local containers. Each runs without privileges, capabilities or mounts on its
 * own bridge network, and the gateway reaches it at its address there when the host can (Linux);
 * the declared port is also published on a random loopback port (127.0.0.1 only) for engines
 * whose network the host cannot reach (Docker Desktop). Restarted with backoff when it crashes
 * (CRASH_RESTARTS times); labels tie it to its project and deployment.
 */
export function createDockerRuntime(deps: DockerRuntimeDeps): ContainerRuntime {
  const { docker, where, clock } = deps;
  const probeIntervalMs = deps.probeIntervalMs ?? 250;
  const isolation: Isolation = { ...DEFAULT_ISOLATION, ...deps.isolation };
  const warn = deps.warn ?? ((line: string) => console.warn(line));
  let networkReady: Promise<void> | null = null;
  const routing = createRouting(deps.routing ?? 'auto', where, isolation.network);
  /** The address of a running container for its declared port, or for `port` when the app was found listening there. */
  const refOf = (info: Dockerode.ContainerInspectInfo, port?: number) => routing.address(info, port);

  /** The demos' network, made once per process (again after a failure, e.g. the engine was down). */
  function prepareNetwork(): Promise<void> {
    networkReady ??= (async () => {
      await ensureDemoNetwork(docker, where, isolation.network);
      // The firewall rule is for the host the engine runs on: only meaningful for a local socket.
      if (isolation.network !== DEMO_NETWORK || !where.startsWith('unix://')) return;
      const guard = await guardHostFromBridge();
      if (!guard.installed) {
        warn(`warning: demos can open connections to services on this host's own addresses (${guard.reason}); run the gateway as root, or add the rule yourself (see "Isolation" in the README)`);
      }
    })().catch((error: unknown) => {
      networkReady = null;
      throw error;
    });
    return networkReady;
  }

  async function start(request: StartRequest): Promise<ContainerRef> {
    const name = `portico-${request.projectId}-${request.deploymentId.slice(0, 8)}`;
    await prepareNetwork();
    const container = await withEngine(where, () => createReplacing(name, containerSpec(name, request, isolation)));
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
    const ref = runs(info) ? await refOf(info) : null;
    if (ref) return ref;
    // An app that dies at once takes its published port with it: report it as waitUntilReady
    // would, and leave nothing behind, since the caller never learns this container's id.
    const error = runs(info) ? new PorticoError('start_failed', `container ${name} runs but publishes no port for ${request.port}/tcp`) : await exitedError(info);
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

  async function waitUntilReady(ref: ContainerRef, options: ReadyOptions): Promise<ReadyContainer> {
    const interval = options.probeIntervalMs ?? probeIntervalMs;
    const noteEveryMs = options.waitingNoteMs ?? WAITING_NOTE_MS;
    const container = docker.getContainer(ref.id);
    const inspect = () =>
      withEngine(where, () => container.inspect()).catch((error: unknown) => {
        if (engineStatus(error) === 404) throw new PorticoError('start_failed', `container ${ref.id.slice(0, 12)} was removed before it answered`, { cause: error });
        throw error;
      });
    const started = clock.now().getTime();
    const deadline = started + options.startupTimeoutMs;
    let nextNote = started + noteEveryMs;
    const first = await inspect();
    const declared = ref.port ?? declaredPort(first);
    let delivered = false;
    const onOutput = options.onOutput && ((text: string) => ((delivered = true), options.onOutput!(text)));
    const output = onOutput && runs(first) ? followRunOutput(docker, ref.id, first.State.StartedAt, onOutput) : null;
    let loopbackSince: number | null = null;
    let lastListenCheck = Number.NEGATIVE_INFINITY;
    let listening: readonly ListeningSocket[] | null = null;
    let runEndedAt: string | undefined;
    try {
      for (;;) {
        const info = await inspect();
        if (!runs(info)) {
          runEndedAt = info.State.FinishedAt;
          await output?.stop(runEndedAt);
          // Exited before its output could be followed, or before any of it arrived (a loaded
          // engine): it goes to the same place, once, so the error can point there.
          if (onOutput && !delivered) onOutput(`${await lastRunOutput(docker, info, LOG_LINES)}\n`);
          throw await exitedError(info, { streamed: onOutput !== undefined });
        }
        const remaining = deadline - clock.now().getTime();
        const probe = await probeHttp(ref.upstream, Math.max(1, Math.min(PROBE_TIMEOUT_MS, remaining)));
        if (probe.answered) return { container: ref, port: declared };

        const now = clock.now().getTime();
        if (now - lastListenCheck >= LISTEN_CHECK_MS) {
          lastListenCheck = now;
          listening = await readListeningSockets(docker, where, info);
          const verdict = listening && classifyListeners(listening, declared);
          if (verdict?.kind === 'elsewhere') {
            const found = await answeringElsewhere(info, declared, verdict.ports, remaining);
            if (found) return found;
          }
          loopbackSince = verdict?.kind === 'loopback-only' ? (loopbackSince ?? now) : null;
          if (verdict?.kind === 'loopback-only' && now - loopbackSince! >= Math.min(LOOPBACK_GRACE_MS, options.startupTimeoutMs)) {
            throw new PorticoError('start_failed', `${loopbackOnlyMessage(verdict.sockets)}; ${await outputNote(info, output !== null)}`);
          }
        }
        if (now >= deadline) {
          throw new PorticoError(
            'start_failed',
            `container did not answer HTTP on port ${declared} within ${options.startupTimeoutMs / 1000}s: is the app listening on 0.0.0.0:${declared}? (last try: ${probe.reason}${listeningNote(listening, declared)}); ${await outputNote(info, output !== null)}`,
          );
        }
        if (options.onWaiting && now >= nextNote) {
          options.onWaiting(now - started);
          nextNote += noteEveryMs * Math.max(1, Math.ceil((now - nextNote + 1) / noteEveryMs));
        }
        await clock.sleep(interval);
      }
    } finally {
      await output?.stop(runEndedAt);
    }
  }

  /**
   * The first of the ports the app opened (other than the declared one) that answers HTTP. Where
   * the gateway reaches demos only through the published declared port, none can be reached: the
   * message then says which port to set.
   */
  async function answeringElsewhere(info: Dockerode.ContainerInspectInfo, declared: number, ports: readonly number[], remainingMs: number): Promise<ReadyContainer | null> {
    for (const port of ports) {
      const candidate = await refOf(info, port);
      if (!candidate) {
        throw new PorticoError(
          'start_failed',
          `the app listens on ${ports.join(', ')}, not on ${declared}, and this engine's containers are reachable only through the declared port; set the project's port to ${port} (portico deploy --port ${port}, or PATCH the project with {"port": ${port}})`,
        );
      }
      const probe = await probeHttp(candidate.upstream, Math.max(1, Math.min(PROBE_TIMEOUT_MS, remainingMs)));
      if (probe.answered) return { container: candidate, port };
    }
    return null;
  }

  /** The last run's output for a failure message; when it already went to the deployment log, only its last line. */
  async function outputNote(info: Dockerode.ContainerInspectInfo, streamed: boolean): Promise<string> {
    const text = await lastRunOutput(docker, info, LOG_LINES);
    if (!streamed) return `last log lines:\n${text}`;
    const last = text.split('\n').at(-1) ?? '';
    return `its output is in the deployment log above; its last line: ${last}`;
  }

  async function exitedError(info: Dockerode.ContainerInspectInfo, options: { readonly streamed?: boolean } = {}): Promise<PorticoError> {
    const port = declaredPort(info);
    const why = info.State.OOMKilled ? `was killed for exceeding its memory limit (${Math.round((info.HostConfig.Memory ?? 0) / 2 ** 20)} MB)` : `exited with code ${info.State.ExitCode}`;
    return new PorticoError('start_failed', `container ${why} before answering on port ${port}; ${await outputNote(info, options.streamed ?? false)}`);
  }

  /** The container's last lines of stdout and stderr, interleaved as written, for failure messages and the dashboard. */
  async function lastLogLines(id: string, tail = LOG_LINES): Promise<string> {
    try {
      const raw: unknown = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false });
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
  async function locate(id: string, port?: number): Promise<ContainerRef | null> {
    const info = await inspectOrNull(id);
    return info && runs(info) && !info.State.Paused ? refOf(info, port) : null;
  }

  /**
   * `crashed` when the app failed on its own: the engine is between restarts, or gave up after
   * CRASH_RESTARTS. A container Portico stopped has its restart policy switched off, so a
   * failure exit code there (SIGTERM's 143) still means `stopped`.
   */
  async function status(id: string): Promise<ContainerStatus> {
    const info = await inspectOrNull(id);
    if (!info) return 'missing';
    if (info.State.Restarting) return 'crashed';
    if (info.State.Paused) return 'paused';
    if (info.State.Running) return 'running';
    const restartsOnFailure = info.HostConfig.RestartPolicy?.Name === 'on-failure';
    return restartsOnFailure && (info.State.ExitCode !== 0 || info.State.OOMKilled) ? 'crashed' : 'stopped';
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
    const container = docker.getContainer(id);
    // Asleep must stay asleep: without this an engine restart would start it again (SIGTERM's exit code counts as a failure).
    await withEngine(where, () => container.update({ RestartPolicy: { Name: 'no' } })).catch(ignoreStatus(404));
    await withEngine(where, () => container.stop({ t: 5 })).catch(ignoreStatus(304, 404));
  }

  /** Unpauses or restarts the container and reads its address again: a restart publishes a new host port. */
  async function resume(id: string, port?: number): Promise<ContainerRef> {
    const container = docker.getContainer(id);
    const before = await inspectOrNull(id);
    if (!before) throw goneError(id, 'no longer exists');
    // After a host reboot the firewall rule is gone until someone puts it back: before any demo runs again.
    if (!before.State.Running) await prepareNetwork();
    try {
      if (before.State.Paused) await withEngine(where, () => container.unpause());
      else if (!before.State.Running) {
        await withEngine(where, () => container.update({ RestartPolicy: RESTART_ON_FAILURE }));
        await withEngine(where, () => container.start());
      }
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
    const ref = runs(info) ? await refOf(info, port) : null;
    if (ref) return ref;
    if (runs(info)) throw new PorticoError('start_failed', `container ${id.slice(0, 12)} runs but the gateway cannot reach its port ${port ?? declaredPort(info)}`);
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
    // The gateway pings at start-up: guard the host then, before the engine brings back any
    // demo (restart policies), not only at the next deploy. A failure here is reported again by start.
    void prepareNetwork().catch(() => undefined);
  }

  const watch = (onChange: (containerId: string) => void) => watchDemoContainers(docker, onChange);
  return { ping, start, waitUntilReady, locate, pause, stop, resume, status, logs: (id, { tail }) => lastLogLines(id, tail), remove, removeProjectContainers, watch };
}

/** What `docker create` gets: least privilege, loopback-only publishing, limits from the request. */
export function containerSpec(name: string, request: StartRequest, isolation: Isolation = DEFAULT_ISOLATION): Dockerode.ContainerCreateOptions {
  const portKey = `${request.port}/tcp`;
  const env = withPortConventions(request.env, request.port);
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
      PidsLimit: isolation.pidsLimit,
      SecurityOpt: ['no-new-privileges:true'],
      Privileged: false,
      // No capability at all: the engine (20.10+) lets any user bind ports below 1024 inside
      // a container, so a web app needs none. Images whose entrypoint switches user as root
      // (gosu, su-exec, nginx workers) would need SETUID/SETGID: use USER in the Dockerfile.
      CapDrop: ['ALL'],
      // Spelled out so nothing reaches the host's filesystem or the engine's socket.
      Binds: [],
      Mounts: [],
      NetworkMode: isolation.network,
      // ReadonlyRootfs stays off: demos write caches (model weights, /tmp) into their own layer.
      RestartPolicy: RESTART_ON_FAILURE,
      // A tiny init as PID 1 forwards SIGTERM (an app running as PID 1 ignores it unless it
      // installs a handler, so every stop would wait out the timeout) and reaps zombies.
      Init: true,
      ...(request.gpus > 0 ? { DeviceRequests: [{ Driver: 'nvidia', Count: request.gpus, Capabilities: [['gpu']] }] } : {}),
    },
  };
}

/** Running and not between the engine's restarts of a crashing app (the engine reports those as Running with Restarting set). */
function runs(info: Dockerode.ContainerInspectInfo): boolean {
  return info.State.Running && !info.State.Restarting;
}

/** What the socket table said at the timeout, for the failure message. */
function listeningNote(all: readonly ListeningSocket[] | null, declared: number): string {
  if (all === null) return '';
  const listening = appSockets(all);
  if (listening.length === 0) return '; it listens on no TCP port';
  const ports = [...new Set(listening.map((socket) => socket.port))].sort((a, b) => a - b);
  return `; it listens on ${ports.join(', ')}${ports.includes(declared) ? '' : ', none of which answers HTTP'}`;
}

/** The port the container was started for (its `portico.port` label). */
export function declaredPort(info: Dockerode.ContainerInspectInfo): number {
  return Number(info.Config.Labels?.['portico.port'] ?? Number.NaN);
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
