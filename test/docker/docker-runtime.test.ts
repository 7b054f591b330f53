import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBuilder } from '../../gateway/adapters/local/docker-builder.ts';
import { createDockerClient } from '../../gateway/adapters/local/docker-client.ts';
import { CRASH_RESTARTS, containerSpec, createDockerRuntime } from '../../gateway/adapters/local/docker-runtime.ts';
import { PorticoError } from '../../gateway/errors.ts';
import { probeHttp } from '../../gateway/adapters/local/http-probe.ts';
import { readListeningSockets } from '../../gateway/adapters/local/docker-sockets.ts';
import { type Clock, systemClock } from '../../gateway/ports/clock.ts';
import type { StartRequest } from '../../gateway/ports/container-runtime.ts';
import type { ContainerRef } from '../../gateway/domain/types.ts';
import { BUSYBOX } from '../support/demo-app.ts';
import { makeContext, removeProjects, requireDocker, testDocker, uniqueProjectId } from '../support/docker.ts';

const { docker, where } = testDocker();
const runtime = createDockerRuntime({ docker, where, clock: systemClock, probeIntervalMs: 100 });
const builder = createDockerBuilder({ docker, where });
const project = uniqueProjectId('runtime');
const otherProject = uniqueProjectId('runtime-other');
const MB = 2 ** 20;

/** Demo images, built once: each differs only in what its CMD does. */
const images = {
  site: `portico/${project}:site`,
  crashes: `portico/${project}:crashes`,
  wrongPort: `portico/${project}:wrong-port`,
  noCommand: `portico/${project}:no-command`,
  failsOnRestart: `portico/${project}:fails-on-restart`,
  silent: `portico/${project}:silent`,
  loopback: `portico/${project}:loopback`,
  slowStart: `portico/${project}:slow-start`,
  noCat: `portico/${project}:no-cat`,
};

function startRequest(overrides: Partial<StartRequest> = {}): StartRequest {
  return { projectId: project, deploymentId: randomUUID(), image: images.site, port: 8000, env: {}, memoryBytes: 64 * MB, nanoCpus: 500_000_000, gpus: 0, ...overrides };
}

async function failureOf(promise: Promise<unknown>): Promise<PorticoError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PorticoError);
  return error as PorticoError;
}

/** Force-removes a container a test is done with, without runtime.remove's graceful stop. */
const discard = (id: string) => docker.getContainer(id).remove({ force: true });

const containersOf = (id: string) => docker.listContainers({ all: true, filters: { label: [`portico.project=${id}`] } });

describe('docker runtime', () => {
  beforeAll(async () => {
    await requireDocker(docker, where);
    const commands: Record<keyof typeof images, string> = {
      site: 'CMD ["httpd", "-f", "-p", "8000", "-h", "/www"]',
      crashes: 'CMD ["sh", "-c", "echo loading model; echo fatal: weights.bin not found >&2; exit 7"]',
      wrongPort: 'CMD ["httpd", "-f", "-p", "8001", "-h", "/www"]',
      noCommand: 'CMD ["python3", "app.py"]',
      // Serves on its first run and exits on the next, as an app with a cache it breaks on shutdown would.
      failsOnRestart: 'CMD ["sh", "-c", "if [ -e /tmp/ran ]; then echo cache is corrupt >&2; exit 9; fi; touch /tmp/ran; exec httpd -f -p 8000 -h /www"]',
      // Runs, and never opens a port.
      silent: 'CMD ["sh", "-c", "echo thinking; exec sleep 3600"]',
      // Serves on the right port, but only inside its container (Gradio's default without GRADIO_SERVER_NAME).
      loopback: 'CMD ["httpd", "-f", "-p", "127.0.0.1:8000", "-h", "/www"]',
      // Loads a "model" for a while, saying so, then serves.
      slowStart: 'CMD ["sh", "-c", "echo downloading weights; sleep 2; echo weights loaded; exec httpd -f -p 8000 -h /www"]',
      // No `cat` to exec: only the host can read its socket table.
      noCat: 'RUN rm /bin/cat\nCMD ["httpd", "-f", "-p", "8001", "-h", "/www"]',
    };
    for (const [name, cmd] of Object.entries(commands)) {
      const context = await makeContext({ Dockerfile: `FROM ${BUSYBOX}\nCOPY index.html /www/index.html\n${cmd}\n`, 'index.html': `hello from ${name}\n` });
      await builder.build({ contextDir: context.dir, dockerfile: 'Dockerfile', tag: images[name as keyof typeof images], labels: { 'portico.project': project }, buildArgs: {} }, () => undefined);
      await context.remove();
    }
  });

  afterAll(() => removeProjects(docker, [project, otherProject]));

  /** The container's own address on the demos' network. */
  async function ownAddress(id: string): Promise<string> {
    return (await docker.getContainer(id).inspect()).NetworkSettings.Networks['portico-demos']!.IPAddress;
  }

  it('starts a container that answers at its own address on the demos network once ready', async () => {
    const ref = await runtime.start(startRequest());
    expect(ref.upstream).toBe(`http://${await ownAddress(ref.id)}:8000`);
    expect(ref.port).toBe(8000);
    expect(await runtime.waitUntilReady(ref, { startupTimeoutMs: 10_000 })).toStrictEqual({ container: ref, port: 8000 });

    const response = await fetch(`${ref.upstream}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello from site\n');
    await discard(ref.id);
  });

  it('runs the container labelled, limited, unprivileged, unmounted and published on 127.0.0.1 only', async () => {
    const request = startRequest({ env: { MODEL: 'gpt2', GRADIO_SERVER_NAME: '::' } });
    const ref = await runtime.start(request);
    const info = await docker.getContainer(ref.id).inspect();

    expect(info.Name).toBe(`/portico-${project}-${request.deploymentId.slice(0, 8)}`);
    expect(info.Config.Labels).toMatchObject({ 'portico.project': project, 'portico.deployment': request.deploymentId });
    // The declared port for the app, Gradio and Streamlit, on all addresses; the project's own value wins.
    expect(info.Config.Env).toEqual(
      expect.arrayContaining(['MODEL=gpt2', 'PORT=8000', 'GRADIO_SERVER_NAME=::', 'GRADIO_SERVER_PORT=8000', 'STREAMLIT_SERVER_PORT=8000', 'STREAMLIT_SERVER_ADDRESS=0.0.0.0']),
    );
    expect(info.Config.Env).not.toContain('GRADIO_SERVER_NAME=0.0.0.0');
    expect(info.HostConfig).toMatchObject({
      Memory: 64 * MB,
      NanoCpus: 500_000_000,
      Privileged: false,
      SecurityOpt: ['no-new-privileges:true'],
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: CRASH_RESTARTS },
      Init: true,
      PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
    });
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.Mounts).toEqual([]);
    expect(info.HostConfig.DeviceRequests ?? []).toEqual([]);
    const published = info.NetworkSettings.Ports['8000/tcp'];
    expect(published).toHaveLength(1);
    expect(published![0]!.HostIp).toBe('127.0.0.1');
    expect(ref.upstream).toBe(`http://${info.NetworkSettings.Networks['portico-demos']!.IPAddress}:8000`);

    // Where the gateway cannot reach the demos' network (Docker Desktop), it goes through that published port.
    const viaPublished = await createDockerRuntime({ docker, where, clock: systemClock, routing: 'published' }).locate(ref.id);
    expect(viaPublished).toStrictEqual({ id: ref.id, upstream: `http://127.0.0.1:${published![0]!.HostPort}`, port: 8000 });
    await discard(ref.id);
  });

  it('asks for NVIDIA GPUs through a device request', async () => {
    const name = `portico-${project}-gpu-spec`;
    const container = await docker.createContainer(containerSpec(name, startRequest({ gpus: 2 })));
    const info = await container.inspect();
    expect(info.HostConfig.DeviceRequests).toHaveLength(1);
    expect(info.HostConfig.DeviceRequests![0]).toMatchObject({ Driver: 'nvidia', Count: 2, Capabilities: [['gpu']] });
    await container.remove({ force: true });
  });

  it('says no GPU runtime is available when a GPU container cannot start, and leaves nothing behind', async () => {
    const request = startRequest({ projectId: otherProject, gpus: 1 });
    const error = await failureOf(runtime.start(request));
    expect(error.code).toBe('start_failed');
    expect(error.message).toContain('asks for 1 GPU(s) but no GPU runtime is available on this host');
    expect(error.message).toContain('could not select device driver');
    expect(await containersOf(otherProject)).toEqual([]);
  });

  it('reports a container that exits at once with its exit code and last log lines', async () => {
    // It may die before start() has read its port, or while waitUntilReady probes: the report is the same.
    const error = await failureOf(runtime.start(startRequest({ image: images.crashes })).then((ref) => runtime.waitUntilReady(ref, { startupTimeoutMs: 10_000 })));

    expect(error.code).toBe('start_failed');
    expect(error.message).toMatch(/^container exited with code 7 before answering on port 8000; last log lines:\n/);
    // stdout and stderr travel through separate pipes, so their order is not guaranteed.
    // The engine may already have restarted it once (restart on failure), repeating its output.
    const lines = [...new Set(error.message.split('\n').slice(1))].sort();
    expect(lines).toEqual(['fatal: weights.bin not found', 'loading model']); // demultiplexed: no frame headers
    for (const container of await containersOf(project)) await runtime.remove(container.Id); // when waitUntilReady reported it
  });

  it('reports an image whose command does not exist with exit code 127 and the exec error', async () => {
    const error = await failureOf(runtime.start(startRequest({ image: images.noCommand })).then((ref) => runtime.waitUntilReady(ref, { startupTimeoutMs: 10_000 })));
    expect(error.code).toBe('start_failed');
    expect(error.message).toMatch(/^container exited with code 127 before answering on port 8000; last log lines:\n.*exec python3 failed: No such file or directory/);
    for (const container of await containersOf(project)) await runtime.remove(container.Id);
  });

  it('refuses to start an image the engine does not have', async () => {
    const error = await failureOf(runtime.start(startRequest({ image: `portico/${project}:never-built` })));
    expect(error.code).toBe('start_failed');
    expect(error.message).toBe(`image portico/${project}:never-built does not exist in the engine; build it first`);
    expect(await containersOf(project)).toEqual([]);
  });

  it('reports the exit the same way when the container dies between start and the first probe', async () => {
    const ref = await runtime.start(startRequest({ image: images.site }));
    await docker.getContainer(ref.id).kill({ signal: 'SIGKILL' });
    const error = await failureOf(runtime.waitUntilReady(ref, { startupTimeoutMs: 10_000 }));
    expect(error.message).toMatch(/^container exited with code 137 before answering on port 8000; last log lines:\n/);
    await discard(ref.id);
  });

  it('gives up on a container that never answers on its port, asking whether it listens on 0.0.0.0', async () => {
    const ref = await runtime.start(startRequest({ image: images.silent }));
    const started = Date.now();
    const error = await failureOf(runtime.waitUntilReady(ref, { startupTimeoutMs: 3_000 }));

    expect(error.code).toBe('start_failed');
    expect(error.message).toMatch(
      /^container did not answer HTTP on port 8000 within 3s: is the app listening on 0\.0\.0\.0:8000\? \(last try: .+; it listens on no TCP port\); last log lines:\nthinking$/,
    );
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(3_000);
    expect(waited).toBeLessThan(8_000);
    await discard(ref.id);
  });

  it('locates a running container and returns null once it is removed; removing again is success', async () => {
    const ref = await runtime.start(startRequest());
    expect(await runtime.locate(ref.id)).toEqual(ref);

    await runtime.remove(ref.id);
    expect(await runtime.locate(ref.id)).toBeNull();
    await runtime.remove(ref.id);
    await runtime.remove('portico-never-existed');
  });

  it('locates a stopped container as null', async () => {
    const ref = await runtime.start(startRequest());
    await docker.getContainer(ref.id).kill({ signal: 'SIGKILL' });
    expect(await runtime.locate(ref.id)).toBeNull();
    await discard(ref.id);
  });

  it('removes every container of one project, running or exited, and no other', async () => {
    const keep = await runtime.start(startRequest({ projectId: otherProject }));
    await runtime.start(startRequest());
    const exited = await runtime.start(startRequest());
    await docker.getContainer(exited.id).kill({ signal: 'SIGKILL' });
    expect((await containersOf(project)).length).toBe(2);

    await runtime.removeProjectContainers(project);
    expect(await containersOf(project)).toEqual([]);
    expect((await containersOf(otherProject)).map((c) => c.Id)).toEqual([keep.id]);
    await runtime.removeProjectContainers(project); // nothing left is success
    await discard(keep.id);
  });

  it('replaces a leftover container of the same deployment instead of failing on the name', async () => {
    const request = startRequest();
    const first = await runtime.start(request);
    const second = await runtime.start(request);
    expect(second.id).not.toBe(first.id);
    expect(await runtime.locate(first.id)).toBeNull();
    await discard(second.id);
  });

  it('answers ping when the engine runs', async () => {
    await runtime.ping();
  });

  it('reports engine_unavailable naming the socket when DOCKER_HOST points nowhere', async () => {
    const bogus = createDockerClient('unix:///tmp/nope.sock');
    const error = await failureOf(createDockerRuntime({ ...bogus, clock: systemClock }).ping());
    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toMatch(/^No Docker engine reachable at unix:\/\/\/tmp\/nope\.sock \(connect ENOENT \/tmp\/nope\.sock\)\. Start one/);
  });

  it('reports engine_unavailable for a TCP engine address where nothing listens', async () => {
    const bogus = createDockerClient('tcp://127.0.0.1:1');
    const error = await failureOf(createDockerRuntime({ ...bogus, clock: systemClock }).locate('anything'));
    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toContain('No Docker engine reachable at tcp://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1)');
  });
  it('waits between probes for the probeIntervalMs the caller asks for', async () => {
    const sleeps: number[] = [];
    const recording: Clock = { now: () => systemClock.now(), sleep: (ms) => (sleeps.push(ms), systemClock.sleep(ms)) };
    const ref = await runtime.start(startRequest({ image: images.silent }));
    await failureOf(createDockerRuntime({ docker, where, clock: recording, probeIntervalMs: 100 }).waitUntilReady(ref, { startupTimeoutMs: 1_500, probeIntervalMs: 40 }));
    expect(sleeps.length).toBeGreaterThan(0);
    expect(new Set(sleeps)).toEqual(new Set([40]));
    await discard(ref.id);
  });

  describe('the port, found and verified', () => {
    it('uses the port the app really listens on when it ignores the declared one, at its own address, without a new container', async () => {
      const ref = await runtime.start(startRequest({ image: images.wrongPort }));
      const started = Date.now();
      const ready = await runtime.waitUntilReady(ref, { startupTimeoutMs: 20_000 });

      expect(ready).toStrictEqual({ container: { id: ref.id, upstream: `http://${await ownAddress(ref.id)}:8001`, port: 8001 }, port: 8001 });
      expect(Date.now() - started).toBeLessThan(10_000); // found, not waited out
      expect(await (await fetch(`${ready.container.upstream}/`)).text()).toBe('hello from wrongPort\n');
      // After a gateway restart the deployment's recorded port finds it again; a stop and resume too.
      expect(await runtime.locate(ref.id, 8001)).toStrictEqual(ready.container);
      await runtime.stop(ref.id);
      const resumed = await runtime.resume(ref.id, 8001);
      expect(resumed).toStrictEqual({ id: ref.id, upstream: `http://${await ownAddress(ref.id)}:8001`, port: 8001 });
      await runtime.waitUntilReady(resumed, { startupTimeoutMs: 10_000 });
      await discard(ref.id);
    });

    it('reads the socket table with an exec in the container when the gateway cannot read it from the host', async () => {
      const ref = await runtime.start(startRequest({ image: images.wrongPort }));
      const remote = createDockerRuntime({ docker, where: 'tcp://engine.invalid:2375', clock: systemClock, routing: 'direct' });
      // A tcp engine address: the pid the engine reports is not one of this host's, so only an exec can read the table.
      // (The client still talks to the local engine: only the runtime's idea of where it runs differs.)
      const ready = await remote.waitUntilReady(ref, { startupTimeoutMs: 20_000 });
      expect(ready.port).toBe(8001);
      await discard(ref.id);
    });

    it('reads the socket table from the host where the engine runs here, and gives up (null) where neither the host nor an exec can', async () => {
      const ref = await runtime.start(startRequest({ image: images.noCat }));
      const info = await docker.getContainer(ref.id).inspect();
      let sockets = await readListeningSockets(docker, where, info);
      for (let tries = 0; !sockets?.some((socket) => socket.port === 8001) && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        sockets = await readListeningSockets(docker, where, info);
      }
      expect(sockets).toContainEqual({ address: '::', port: 8001, loopback: false });
      // As if the engine ran elsewhere: the host's /proc is not the container's, and the image has no cat.
      expect(await readListeningSockets(docker, 'tcp://engine.invalid:2375', info)).toBeNull();
      await discard(ref.id);
    });

    it('says which port to set where only the declared port is reachable (published routing), without waiting the timeout out', async () => {
      const published = createDockerRuntime({ docker, where, clock: systemClock, routing: 'published' });
      const ref = await published.start(startRequest({ image: images.wrongPort }));
      const started = Date.now();
      const error = await failureOf(published.waitUntilReady(ref, { startupTimeoutMs: 30_000 }));
      expect(error.message).toMatch(/^the app listens on 8001, not on 8000, .*set the project's port to 8001 \(portico deploy --port 8001/);
      expect(Date.now() - started).toBeLessThan(10_000);
      await discard(ref.id);
    });

    it('fails fast when the app listens on 127.0.0.1 only, saying so and how to bind 0.0.0.0', async () => {
      const ref = await runtime.start(startRequest({ image: images.loopback }));
      const started = Date.now();
      const error = await failureOf(runtime.waitUntilReady(ref, { startupTimeoutMs: 60_000 }));
      expect(error.code).toBe('start_failed');
      expect(error.message).toMatch(/^the app listens only on 127\.0\.0\.1:8000 inside its container, which nothing outside the container can reach; make it listen on 0\.0\.0\.0/);
      expect(error.message).toContain('GRADIO_SERVER_NAME=0.0.0.0');
      expect(Date.now() - started).toBeLessThan(10_000);
      await discard(ref.id);
    });

    it('streams the output of a slow starter while it starts, with notes of the time waited, and then answers', async () => {
      const ref = await runtime.start(startRequest({ image: images.slowStart }));
      const events: string[] = [];
      const ready = await runtime.waitUntilReady(ref, {
        startupTimeoutMs: 20_000,
        onOutput: (text) => events.push(`output ${text}`),
        waitingNoteMs: 500,
        onWaiting: (waitedMs) => events.push(`waited ${waitedMs >= 500 ? '>=500' : waitedMs}`),
      });
      expect(ready.port).toBe(8000);
      expect(events[0]).toBe('output downloading weights\n');
      expect(events.filter((event) => event.startsWith('output'))).toStrictEqual(['output downloading weights\n', 'output weights loaded\n']);
      // About 2 s of loading: a note every 500 ms, between the two lines.
      const notes = events.slice(1, events.indexOf('output weights loaded\n'));
      expect(notes.length).toBeGreaterThanOrEqual(2);
      expect(new Set(notes)).toStrictEqual(new Set(['waited >=500']));
      await discard(ref.id);
    });

    it('fails at once for an app that exits without listening, its last run said once (streamed), the last line in the error', async () => {
      const output: string[] = [];
      const started = Date.now();
      // It may die before start() has read its address: then start() reports it, with its last run's output.
      const error = await failureOf(runtime.start(startRequest({ image: images.crashes })).then((ref) => runtime.waitUntilReady(ref, { startupTimeoutMs: 60_000, onOutput: (text) => output.push(text) })));
      if (output.length === 0) {
        expect(error.message).toMatch(/^container exited with code 7 before answering on port 8000; last log lines:\n/);
        output.push(...error.message.split('\n').slice(1).map((line) => `${line}\n`));
      } else {
        // Well before the 60 s startup timeout: the exit ends the wait.
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(error.message).toMatch(/^container exited with code 7 before answering on port 8000; its output is in the deployment log above; its last line: (loading model|fatal: weights\.bin not found)$/);
      }
      // One run's output, each line once, however often the engine restarted it meanwhile (in one chunk or several).
      expect(output.join('').split('\n').filter(Boolean).sort()).toStrictEqual(['fatal: weights.bin not found', 'loading model']);
      await runtime.removeProjectContainers(project);
    });
  });

  describe('scale to zero', () => {
    /** A running demo that has answered once. */
    async function readySite(): Promise<ContainerRef> {
      const ref = await runtime.start(startRequest());
      await runtime.waitUntilReady(ref, { startupTimeoutMs: 10_000 });
      return ref;
    }

    async function body(ref: ContainerRef): Promise<string> {
      return (await fetch(`${ref.upstream}/`)).text();
    }

    afterAll(() => runtime.removeProjectContainers(project));

    it('pauses a container so it stops answering, and resumes it on the same address answering again', async () => {
      const ref = await readySite();
      await runtime.pause(ref.id);
      expect(await runtime.status(ref.id)).toBe('paused');
      expect(await runtime.locate(ref.id)).toBeNull(); // paused is not serving
      expect((await probeHttp(ref.upstream, 500)).answered).toBe(false); // frozen, not just relabelled

      const resumed = await runtime.resume(ref.id);
      expect(resumed).toEqual(ref); // a paused container keeps its published port
      expect(await runtime.status(ref.id)).toBe('running');
      expect(await body(resumed)).toBe('hello from site\n');
      await discard(ref.id);
    });

    it('treats pausing a paused, a stopped or a missing container as success', async () => {
      const ref = await readySite();
      await runtime.pause(ref.id);
      await runtime.pause(ref.id);
      expect(await runtime.status(ref.id)).toBe('paused');

      await runtime.stop(ref.id);
      await runtime.pause(ref.id);
      expect(await runtime.status(ref.id)).toBe('stopped');

      await discard(ref.id);
      await runtime.pause(ref.id);
    });

    it('stops a container but keeps it, and resume restarts it answering HTTP at the address it reports', async () => {
      const ref = await readySite();
      await runtime.stop(ref.id);
      expect(await runtime.status(ref.id)).toBe('stopped');
      expect(await runtime.locate(ref.id)).toBeNull();
      expect((await containersOf(project)).map((c) => c.Id)).toContain(ref.id);

      const resumed = await runtime.resume(ref.id);
      expect(resumed.id).toBe(ref.id);
      expect(resumed.upstream).toBe(`http://${await ownAddress(ref.id)}:8000`); // possibly a new address
      expect(await runtime.locate(ref.id)).toEqual(resumed);
      await runtime.waitUntilReady(resumed, { startupTimeoutMs: 10_000, probeIntervalMs: 50 });
      expect(await body(resumed)).toBe('hello from site\n');
      await discard(ref.id);
    });

    it('treats stopping a stopped or a missing container as success', async () => {
      const ref = await readySite();
      await runtime.stop(ref.id);
      await runtime.stop(ref.id);
      expect(await runtime.status(ref.id)).toBe('stopped');
      await discard(ref.id);
      await runtime.stop(ref.id);
      await runtime.stop('portico-never-existed');
    });

    it('stops a paused container promptly, and resume brings it back', async () => {
      const ref = await readySite();
      await runtime.pause(ref.id);
      const started = Date.now();
      await runtime.stop(ref.id);
      expect(Date.now() - started).toBeLessThan(4_000); // SIGTERM reached the app, no 5 s kill timeout
      expect(await runtime.status(ref.id)).toBe('stopped');

      const resumed = await runtime.resume(ref.id);
      await runtime.waitUntilReady(resumed, { startupTimeoutMs: 10_000, probeIntervalMs: 50 });
      expect(await body(resumed)).toBe('hello from site\n');
      await discard(ref.id);
    });

    it('resumes a running container as success, returning its address', async () => {
      const ref = await readySite();
      expect(await runtime.resume(ref.id)).toEqual(ref);
      expect(await runtime.status(ref.id)).toBe('running');
      await discard(ref.id);
    });

    it('refuses to resume a removed container with start_failed', async () => {
      const ref = await readySite();
      await discard(ref.id);
      const error = await failureOf(runtime.resume(ref.id));
      expect(error.code).toBe('start_failed');
      expect(error.message).toBe(`container ${ref.id.slice(0, 12)} no longer exists, so it cannot be woken; deploy the project again`);
    });

    it('reports a container that dies when woken with its exit code and last log lines', async () => {
      const ref = await runtime.start(startRequest({ image: images.failsOnRestart }));
      await runtime.waitUntilReady(ref, { startupTimeoutMs: 10_000 });
      await runtime.stop(ref.id);
      // It may die before resume() reads its port, or while waitUntilReady probes: the report is the same.
      const error = await failureOf(runtime.resume(ref.id).then((resumed) => runtime.waitUntilReady(resumed, { startupTimeoutMs: 10_000, probeIntervalMs: 50 })));
      expect(error.code).toBe('start_failed');
      expect(error.message).toMatch(/^container exited with code 9 before answering on port 8000; last log lines:\n(.|\n)*cache is corrupt/);
      await discard(ref.id);
    });

    it('says missing for a container id the engine does not know', async () => {
      expect(await runtime.status('portico-never-existed')).toBe('missing');
    });

    it('reports engine_unavailable from the new operations when no engine answers', async () => {
      const bogus = createDockerRuntime({ ...createDockerClient('unix:///tmp/nope.sock'), clock: systemClock });
      for (const call of [() => bogus.pause('x'), () => bogus.stop('x'), () => bogus.resume('x'), () => bogus.status('x')]) {
        expect((await failureOf(call())).code).toBe('engine_unavailable');
      }
    });
  });
});
