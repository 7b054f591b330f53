import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBuilder } from '../../gateway/adapters/local/docker-builder.ts';
import { DEMO_BRIDGE, DEMO_NETWORK, ensureDemoNetwork, guardHostFromBridge } from '../../gateway/adapters/local/docker-demo-network.ts';
import { demuxLogs } from '../../gateway/adapters/local/docker-run-output.ts';
import { createDockerRuntime } from '../../gateway/adapters/local/docker-runtime.ts';
import type { ContainerRef } from '../../gateway/domain/types.ts';
import { systemClock } from '../../gateway/ports/clock.ts';
import { BUSYBOX } from '../support/demo-app.ts';
import { makeContext, removeProjects, requireDocker, testDocker, uniqueProjectId } from '../support/docker.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';

const { docker, where } = testDocker();
const PIDS = 48;
const MB = 2 ** 20;
const warnings: string[] = [];
const runtime = createDockerRuntime({ docker, where, clock: systemClock, probeIntervalMs: 100, isolation: { pidsLimit: PIDS }, warn: (line) => warnings.push(line) });
const builder = createDockerBuilder({ docker, where });
const project = uniqueProjectId('isolation');
const image = `portico/${project}:site`;
/** A plain bridge network of this suite's own, without Portico's firewall rule: the control for what the rule blocks. */
const controlNetwork = `portico-isolation-control-${project.split('-').at(-1)}`;

/** Runs a command inside a running container, as `docker exec` does; the output is stdout and stderr interleaved. */
async function execIn(id: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, output: demuxLogs(Buffer.concat(chunks)) };
}

/**
 * An HTTP GET sent with busybox `nc` (its `wget` crashes in this static build), 2 s to connect.
 * Exit code 0 and the response when it connects; otherwise `timed out` (dropped) or `refused`.
 */
function httpGetCommand(url: string): string[] {
  const { hostname, port, pathname } = new URL(url);
  return ['sh', '-c', `printf 'GET ${pathname} HTTP/1.0\\r\\nHost: ${hostname}\\r\\n\\r\\n' | nc -w 2 ${hostname} ${port}`];
}

const getFrom = (id: string, url: string) => execIn(id, httpGetCommand(url));

/** A one-off busybox container on another network, for the control cases. */
async function getFromNetwork(network: string, url: string): Promise<{ exitCode: number; output: string }> {
  const container = await docker.createContainer({ Image: BUSYBOX, Cmd: httpGetCommand(url), Labels: { 'portico.project': project }, HostConfig: { NetworkMode: network } });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const raw: unknown = await container.logs({ stdout: true, stderr: true, follow: false });
    return { exitCode: StatusCode, output: demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))) };
  } finally {
    await container.remove({ force: true });
  }
}

function listen(host: string): Promise<Server> {
  const server = createServer((_request, response) => response.end('host service\n'));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

async function ipOn(network: string, id: string): Promise<string> {
  const info = await docker.getContainer(id).inspect();
  const address = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!address) throw new Error(`container ${id.slice(0, 12)} has no address on ${network}`);
  return address;
}

async function bridgeGateway(network: string): Promise<string> {
  const info = (await docker.getNetwork(network).inspect()) as { IPAM: { Config: { Gateway?: string }[] } };
  const gateway = info.IPAM.Config.find((config) => config.Gateway)?.Gateway;
  if (!gateway) throw new Error(`network ${network} has no gateway address`);
  return gateway;
}

/** The host's own IPv4 addresses outside Docker's bridges (its LAN address), which a demo must not reach either. */
function hostAddresses(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([name]) => !name.startsWith('docker') && !name.startsWith('br-') && !name.startsWith('veth') && !name.startsWith('portico'))
    .flatMap(([, addresses]) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address);
}

describe('demo isolation', () => {
  let demo: ContainerRef;
  let other: ContainerRef;
  let hostService: Server;
  let gateway: TestGateway;

  beforeAll(async () => {
    await requireDocker(docker, where);
    const context = await makeContext({ Dockerfile: `FROM ${BUSYBOX}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "8000", "-h", "/www"]\n`, 'index.html': 'demo\n' });
    await builder.build({ contextDir: context.dir, dockerfile: 'Dockerfile', tag: image, labels: { 'portico.project': project }, buildArgs: {} }, () => undefined);
    await context.remove();
    const start = async () => {
      const ref = await runtime.start({ projectId: project, deploymentId: randomUUID(), image, port: 8000, env: {}, memoryBytes: 64 * MB, nanoCpus: 250_000_000, gpus: 0 });
      await runtime.waitUntilReady(ref, { startupTimeoutMs: 15_000 });
      return ref;
    };
    [demo, other] = [await start(), await start()];
    await docker.createNetwork({ Name: controlNetwork, Driver: 'bridge', CheckDuplicate: true, Labels: { 'portico.project': project } });
    hostService = await listen('0.0.0.0');
    gateway = await startTestGateway();
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop({ removeData: true });
    await new Promise((resolve) => hostService?.close(resolve));
    await removeProjects(docker, [project]);
    await docker.getNetwork(controlNetwork).remove().catch(() => undefined);
  });

  it('runs demos unprivileged, without capabilities or mounts, with memory, CPU and process limits', async () => {
    const info = await docker.getContainer(demo.id).inspect();
    const host = info.HostConfig;
    expect(host.Privileged).toBe(false);
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.SecurityOpt).toContain('no-new-privileges:true');
    expect(host.PidsLimit).toBe(PIDS);
    expect(host.Memory).toBe(64 * MB);
    expect(host.NanoCpus).toBe(250_000_000);
    expect(host.Binds ?? []).toEqual([]);
    expect(info.Mounts).toEqual([]);
    expect(host.NetworkMode).toBe(DEMO_NETWORK);
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([DEMO_NETWORK]);
    expect(JSON.stringify(info)).not.toContain('docker.sock');
    const socket = await execIn(demo.id, ['ls', '/var/run/docker.sock', '/run/docker.sock']);
    expect(socket.exitCode).not.toBe(0);
    // The process itself holds no capability at all (effective and bounding sets empty).
    const status = await execIn(demo.id, ['grep', '-E', '^Cap(Eff|Bnd)', '/proc/1/status']);
    expect(status.output).toMatch(/CapEff:\s+0{16}/);
    expect(status.output).toMatch(/CapBnd:\s+0{16}/);
  });

  it('puts demos on a bridge with inter-container traffic off', async () => {
    const network = (await docker.getNetwork(DEMO_NETWORK).inspect()) as { Driver: string; Internal: boolean; Options: Record<string, string> };
    expect(network.Driver).toBe('bridge');
    expect(network.Internal).toBe(false); // outbound traffic (model downloads) still works
    expect(network.Options).toMatchObject({ 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.name': DEMO_BRIDGE });
  });

  it('lets a demo answer on its own address but never reach another demo', async () => {
    const otherIp = await ipOn(DEMO_NETWORK, other.id);
    // Controls: the other demo listens on that address (the host reaches it), and wget in the demo works.
    expect((await fetch(`http://${otherIp}:8000/`)).status).toBe(200);
    expect(await getFrom(demo.id, 'http://127.0.0.1:8000/')).toMatchObject({ exitCode: 0, output: expect.stringMatching(/^HTTP\/1\.[01] 200[^]*\ndemo\n$/) });

    const attempt = await getFrom(demo.id, `http://${otherIp}:8000/`);
    expect(attempt.exitCode).not.toBe(0);
    expect(attempt.output).toMatch(/timed out/);
  });

  it("cannot reach the gateway's API, which listens on the host's loopback", async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const port = gateway.gateway.port;
    // Inside the container 127.0.0.1 is the container's own loopback; the host's is not routable from it.
    const ownLoopback = await getFrom(demo.id, `http://127.0.0.1:${port}/healthz`);
    expect(ownLoopback.exitCode).not.toBe(0);
    expect(ownLoopback.output).toMatch(/refused/);
    for (const address of [await bridgeGateway(DEMO_NETWORK), ...hostAddresses()]) {
      const attempt = await getFrom(demo.id, `http://${address}:${port}/healthz`);
      expect(attempt.exitCode, `reached the gateway at ${address}:${port}`).not.toBe(0);
    }
  });

  it("cannot open connections to a service bound to 0.0.0.0 on the host, through any of the host's addresses", async () => {
    expect(warnings).toEqual([]); // the host firewall rule went in (the tests run as root)
    const port = portOf(hostService);
    const demoGateway = await bridgeGateway(DEMO_NETWORK);
    // Control: the service answers on the bridge address from the host, and a container on a
    // plain bridge (no Portico rule) reaches the host through its own gateway address.
    expect(await (await fetch(`http://${demoGateway}:${port}/`)).text()).toBe('host service\n');
    expect(await getFromNetwork(controlNetwork, `http://${await bridgeGateway(controlNetwork)}:${port}/`)).toMatchObject({ exitCode: 0, output: expect.stringMatching(/^HTTP\/1\.1 200[^]*host service\n$/) });

    for (const address of [demoGateway, await bridgeGateway(controlNetwork), ...hostAddresses()]) {
      const attempt = await getFrom(demo.id, `http://${address}:${port}/`);
      expect(attempt.exitCode, `reached the host service at ${address}:${port}`).not.toBe(0);
      expect(attempt.output).toMatch(/timed out/);
    }
  });

  it('installs the host firewall rule once, however often it is asked', async () => {
    await guardHostFromBridge();
    await guardHostFromBridge();
    const { stdout } = await promisify(execFile)('iptables', ['-w', '-S', 'INPUT']);
    const rules = stdout.split('\n').filter((line) => line.includes(`-i ${DEMO_BRIDGE} `) && line.includes('-j DROP'));
    expect(rules).toEqual([`-A INPUT -i ${DEMO_BRIDGE} -m conntrack --ctstate NEW -j DROP`]);
  });

  it('stops a fork bomb at the process limit, and the demo serves again once it is over', async () => {
    const bomb = await execIn(demo.id, ['sh', '-c', `i=0; while [ $i -lt ${PIDS * 3} ]; do sleep 2 & i=$((i+1)); done; echo all started`]);
    expect(bomb.output).toContain("can't fork");
    expect(bomb.output).not.toContain('all started');
    expect(bomb.exitCode).not.toBe(0);
    // The kernel's own limit for the container's cgroup (cgroup v1 path, else v2).
    const limit = await execIn(demo.id, ['sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max']);
    expect(limit.output.trim()).toBe(String(PIDS));

    const deadline = Date.now() + 15_000;
    for (;;) {
      const response = await fetch(`${demo.upstream}/`).catch(() => null);
      if (response?.status === 200) break;
      if (Date.now() > deadline) throw new Error('the demo did not serve again after the sleeps ended');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});

describe('the demos network', () => {
  const suffix = project.split('-').at(-1)!;
  const names = [`portico-isolation-made-${suffix}`, `portico-isolation-open-${suffix}`];
  afterAll(() => Promise.all(names.map((name) => docker.getNetwork(name).remove().catch(() => undefined))));

  it('is created once with inter-container traffic off, however many gateways ask at the same time', async () => {
    const [name] = names;
    await Promise.all([1, 2, 3].map(() => ensureDemoNetwork(docker, where, name!, `pt${suffix}`)));
    const networks = await docker.listNetworks({ filters: { name: [name!] } });
    expect(networks.filter((network) => network.Name === name)).toHaveLength(1);
    expect(networks[0]!.Options).toMatchObject({ 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.name': `pt${suffix}` });
  });

  it('refuses to run demos on an existing network of that name that lets containers reach each other', async () => {
    const name = names[1]!;
    await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true });
    const open = createDockerRuntime({ docker, where, clock: systemClock, isolation: { network: name }, warn: (line) => warnings.push(line) });
    const error = await open.start({ projectId: project, deploymentId: randomUUID(), image, port: 8000, env: {}, memoryBytes: 64 * MB, nanoCpus: 250_000_000, gpus: 0 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'start_failed' });
    expect((error as Error).message).toContain(`remove it with \`docker network rm ${name}\``);
    expect(await docker.listContainers({ all: true, filters: { network: [name] } })).toEqual([]);
  });
});
