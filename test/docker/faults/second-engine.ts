import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import Dockerode from 'dockerode';
import { createDockerClient } from '../../../gateway/adapters/local/docker-client.ts';
import { DEMO_NETWORK } from '../../../gateway/adapters/local/docker-demo-network.ts';
import { BUSYBOX } from '../../support/demo-app.ts';

/**
 * A second Docker engine of its own (socket, data, exec root, bridge, address pool, no iptables),
 * so a test can restart an engine without breaking the suites that share the main one. Needs
 * root, as the main engine does.
 */
const NAME = 'portico-fault';
const SOCKET = `/run/${NAME}-docker.sock`;
const PIDFILE = `/run/${NAME}-docker.pid`;
const BRIDGE = 'portico-fault0';
const LOG = `/tmp/${NAME}-dockerd.log`;
export const SECOND_ENGINE = `unix://${SOCKET}`;

export interface SecondEngine {
  readonly docker: Dockerode;
  /** Stops dockerd the way a host shutdown or package upgrade does (SIGTERM), and starts it again. */
  restart(): Promise<void>;
  /** Stops dockerd for good and removes its bridges, so the run leaves no second engine behind (the leftover check looks). */
  stop(): Promise<void>;
}

export async function startSecondEngine(): Promise<SecondEngine> {
  if (!alive()) await launch();
  const { docker } = createDockerClient(SECOND_ENGINE);
  await loadImage(docker, BUSYBOX);
  // Made here with its own bridge and subnet: the gateway's default one names a bridge the main engine already owns.
  const networks = await docker.listNetworks({ filters: { name: [DEMO_NETWORK] } });
  if (!networks.some((network) => network.Name === DEMO_NETWORK)) {
    await docker.createNetwork({
      Name: DEMO_NETWORK,
      Driver: 'bridge',
      IPAM: { Config: [{ Subnet: '172.31.251.0/24' }] },
      Options: { 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.name': 'portico-fault1' },
    });
  }
  return {
    docker,
    async restart() {
      const pid = Number(readFileSync(PIDFILE, 'utf8'));
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 300 && alive(); i += 1) await new Promise((r) => setTimeout(r, 100));
      if (alive()) throw new Error(`the second dockerd (pid ${pid}) did not stop within 30 s; see ${LOG}`);
      await launch();
    },
    stop: stopSecondEngine,
  };
}

/** Stops the second dockerd (SIGTERM, then SIGKILL after 30 s) and deletes the bridges made for it. Already stopped is fine. */
export async function stopSecondEngine(): Promise<void> {
  if (alive()) {
    const pid = Number(readFileSync(PIDFILE, 'utf8'));
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 300 && alive(); i += 1) await new Promise((r) => setTimeout(r, 100));
    if (alive()) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && alive(); i += 1) await new Promise((r) => setTimeout(r, 100));
    if (alive()) throw new Error(`the second dockerd (pid ${pid}) did not stop; see ${LOG}`);
  }
  await sh(`for bridge in ${BRIDGE} portico-fault1; do ! ip link show $bridge >/dev/null 2>&1 || ip link delete $bridge; done`);
}

function alive(): boolean {
  if (!existsSync(PIDFILE)) return false;
  try {
    process.kill(Number(readFileSync(PIDFILE, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * dockerd started with some flag sets (seen with `--default-address-pool`) deletes the host's
 * `docker0`, which the main engine's containers and builds need. Whatever the cause, the main
 * bridge is checked before and after, put back as it was, and the test fails saying so.
 */
async function keepingMainBridge(action: () => Promise<void>): Promise<void> {
  const before = await shOut('ip -o -4 addr show dev docker0 2>/dev/null | awk \'{print $4}\' | head -1');
  await action();
  if (!before.trim()) return;
  if (await shOut('ip link show docker0 >/dev/null 2>&1 && echo present').then((out) => out.trim() === 'present')) return;
  await sh(`ip link add docker0 type bridge && ip addr add ${before.trim()} dev docker0 && ip link set docker0 up`);
  throw new Error('starting the second dockerd removed the main engine\'s docker0 bridge; it was put back. Check the flags in test/docker/faults/second-engine.ts');
}

function launch(): Promise<void> {
  return keepingMainBridge(launchEngine);
}

async function launchEngine(): Promise<void> {
  await sh(`ip link show ${BRIDGE} >/dev/null 2>&1 || { ip link add ${BRIDGE} type bridge && ip addr add 172.31.250.1/24 dev ${BRIDGE} && ip link set ${BRIDGE} up; }`);
  const out = openSync(LOG, 'a');
  const child = spawn(
    'dockerd',
    [
      '-H', SECOND_ENGINE,
      '--data-root', `/var/lib/${NAME}-docker`,
      '--exec-root', `/run/${NAME}-docker`,
      '--pidfile', PIDFILE,
      '--bridge', BRIDGE,
      '--iptables=false',
      '--ip-masq=false',
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  const docker = createDockerClient(SECOND_ENGINE).docker;
  for (let i = 0; i < 300; i += 1) {
    if (await docker.ping().then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`a second dockerd did not answer on ${SECOND_ENGINE} within 30 s; see ${LOG}`);
}

/** Copies an image from the main engine (docker save | docker load): no registry is reachable. */
async function loadImage(target: Dockerode, name: string): Promise<void> {
  if (await target.getImage(name).inspect().then(() => true, () => false)) return;
  const source = createDockerClient(process.env.DOCKER_HOST).docker;
  const tar = await source.getImage(name).get();
  const stream = await target.loadImage(tar);
  await new Promise((resolve, reject) => target.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve(null))));
}

function shOut(command: string): Promise<string> {
  return new Promise((resolve, reject) => execFile('sh', ['-c', command], (error, out, stderr) => (error ? reject(new Error(`${command}: ${stderr || error.message}`)) : resolve(out))));
}

function sh(command: string): Promise<void> {
  return new Promise((resolve, reject) => execFile('sh', ['-c', command], (error, _out, stderr) => (error ? reject(new Error(`${command}: ${stderr || error.message}`)) : resolve())));
}
