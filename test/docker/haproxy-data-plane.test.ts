import { request } from 'node:http';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NETWORK } from '../../gateway/adapters/local/docker-demo-network.ts';
import { createHaproxyAdmin } from '../../gateway/adapters/local/haproxy-admin.ts';
import { BUSYBOX } from '../support/demo-app.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';
import { type GitRepo, repoTracker } from '../support/git-repo.ts';
import { nodeDemo } from '../support/node-demo.ts';

const docker = new Dockerode();

/** What the engine itself says, independent of Portico's bookkeeping. */
async function engineState(containerId: string): Promise<'running' | 'paused' | 'stopped'> {
  const { State } = await docker.getContainer(containerId).inspect();
  return State.Paused ? 'paused' : State.Running ? 'running' : 'stopped';
}

/** One GET through the public port (HAProxy), on a fresh connection; resolves with status and body. */
function get(gateway: TestGateway, label: string, path = '/'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gateway.gateway.port, path, agent: false, headers: { host: `${label}.localhost` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Starts placeholder containers on the demos' network until one holds `ip` (the engine hands out
 * the lowest free address), so a demo started next gets another; the caller removes them.
 */
async function holdAddress(ip: string, command = ['sleep', '300']): Promise<Dockerode.Container[]> {
  const holders: Dockerode.Container[] = [];
  for (let i = 0; i < 8; i += 1) {
    const holder = await docker.createContainer({ Image: BUSYBOX, Cmd: command, Labels: { 'portico.test': 'address-holder' }, HostConfig: { NetworkMode: DEMO_NETWORK } });
    holders.push(holder);
    await holder.start();
    if ((await holder.inspect()).NetworkSettings.Networks[DEMO_NETWORK]?.IPAddress === ip) return holders;
  }
  await Promise.all(holders.map((holder) => holder.remove({ force: true })));
  throw new Error(`no placeholder container got ${ip} on ${DEMO_NETWORK}`);
}

describe('HAProxy as the data plane, Portico as its activator', () => {
  const repos = repoTracker();
  let gateway: TestGateway;
  let repo: GitRepo;
  let label: string;
  let admin: ReturnType<typeof createHaproxyAdmin>;
  const routesMap = () => join(gateway.dataDir, 'haproxy', 'routes.map');
  const carried = async () => (await admin.showTable('containers')).find((row) => row.key === `${label}.localhost`)?.counters.http_req_cnt ?? 0;
  /** The address HAProxy sends the demo's host to, or null. */
  const routeOf = async () => new RegExp(` ${label}\\.localhost (\\S+)`).exec(await admin.command(`show map ${routesMap()}`))?.[1] ?? null;
  const routed = async () => (await routeOf()) !== null;
  const containerId = async () => {
    const deploymentId = (await gateway.api('GET', `/api/projects/${label}`)).body.currentDeployment.id as string;
    return (await docker.listContainers({ all: true, filters: { label: [`portico.deployment=${deploymentId}`] } }))[0]!.Id;
  };

  beforeAll(async () => {
    gateway = await startTestGateway({ proxy: 'haproxy', reapIntervalMs: 3_600_000, pauseAfterMs: 3_600_000 });
    admin = createHaproxyAdmin(join(gateway.dataDir, 'haproxy', 'admin.sock'));
    repo = await repos.create(nodeDemo({ greeting: 'first' }));
    const created = await gateway.api('POST', '/api/projects', { repo: repo.url });
    label = created.body.id;
    expect((await gateway.waitForDeployment(created.body.deployment.id)).status).toBe('ready');
  });

  afterAll(async () => {
    await gateway?.cleanUp();
    await repos.removeAll();
  });

  it('routes a demo through HAProxy once Portico has served it, and HAProxy carries the next requests itself', async () => {
    expect(await routed()).toBe(false);
    expect(await get(gateway, label)).toEqual({ status: 200, text: 'first\n' }); // through Portico, which adds the route
    await expect.poll(routed, { timeout: 2_000 }).toBe(true);
    const before = await carried();
    for (let i = 0; i < 20; i += 1) expect((await get(gateway, label)).status).toBe(200);
    expect((await carried()) - before).toBe(20);
  });

  it('reports the requests HAProxy carried in /metrics', async () => {
    const text = (await gateway.raw('GET', '/metrics')).text;
    const requests = Number(new RegExp(`portico_requests_total\\{project="${label}"\\} (\\d+)`).exec(text)?.[1]);
    expect(requests).toBeGreaterThanOrEqual(21);
  });

  it('drains a route before pausing: a request in flight finishes, and requests arriving meanwhile are all served', async () => {
    const id = await containerId();
    const slow = get(gateway, label, '/slow?ms=800');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pausing = gateway.gateway.scaler.pause(label);
    // Keep sending while the route drains, the container pauses and is woken again.
    const during: Promise<{ status: number; text: string }>[] = [];
    for (let i = 0; i < 30; i += 1) {
      during.push(get(gateway, label));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await slow).toEqual({ status: 200, text: 'slow done\n' });
    await pausing;
    const answers = await Promise.all(during);
    expect(answers.filter((answer) => answer.status === 200 && answer.text === 'first\n')).toHaveLength(30);
    expect(await engineState(id)).toBe('running'); // woken by the requests that came during the drain
  });

  it('takes the route away while a demo is paused or stopped, and loses no request sent at the moment it stops', async () => {
    const id = await containerId();
    await gateway.gateway.scaler.pause(label);
    expect(await engineState(id)).toBe('paused');
    expect(await routed()).toBe(false);
    expect(await get(gateway, label)).toEqual({ status: 200, text: 'first\n' }); // woken by Portico
    await expect.poll(routed, { timeout: 2_000 }).toBe(true);

    const stopping = gateway.gateway.scaler.sleep(label);
    const burst = await Promise.all(Array.from({ length: 50 }, () => get(gateway, label)));
    await stopping;
    expect(burst.filter((answer) => answer.status === 200 && answer.text === 'first\n')).toHaveLength(50);
  });

  it('follows a redeploy: the route moves to the new container, never to the stopped one', async () => {
    expect((await get(gateway, label)).status).toBe(200);
    await expect.poll(routed, { timeout: 2_000 }).toBe(true);
    await repo.commit(nodeDemo({ greeting: 'second' }), 'second greeting');
    const deployment = await gateway.api('POST', `/api/projects/${label}/deployments`);
    expect((await gateway.waitForDeployment(deployment.body.id)).status).toBe('ready');
    expect(await get(gateway, label)).toEqual({ status: 200, text: 'second\n' });
    for (let i = 0; i < 5; i += 1) expect(await get(gateway, label)).toEqual({ status: 200, text: 'second\n' });
  });

  it('sends a request the routed address refuses to Portico, which serves it, instead of answering 503', async () => {
    expect((await get(gateway, label)).status).toBe(200);
    await expect.poll(routed, { timeout: 2_000 }).toBe(true);
    const address = (await routeOf())!;
    await admin.setMap(routesMap(), `${label}.localhost`, '127.0.0.1:9'); // a route gone stale behind Portico's back: nothing listens there
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, () => get(gateway, label)));
      expect(answers.filter((answer) => answer.status !== 200 || answer.text !== 'second\n')).toEqual([]);
    } finally {
      await admin.setMap(routesMap(), `${label}.localhost`, address);
    }
  });

  it('follows a demo the engine stops and starts again on a new address, without a request in between; none reaches the container given its old address', async () => {
    expect((await get(gateway, label)).status).toBe(200);
    await expect.poll(routed, { timeout: 2_000 }).toBe(true);
    const before = (await routeOf())!;
    const [ip, port] = before.split(':') as [string, string];
    const demo = docker.getContainer(await containerId());
    await demo.stop({ t: 0 });
    await expect.poll(routeOf, { timeout: 2_000, interval: 20 }).toBe(null); // the engine's event, not a request, took the route away
    // Another container gets the old address and answers on the same port, as after an engine restart.
    const holders = await holdAddress(ip, ['sh', '-c', `mkdir /tmp/w && echo impostor > /tmp/w/index.html && exec httpd -f -p ${port} -h /tmp/w`]);
    try {
      await demo.start();
      const { NetworkSettings } = await demo.inspect();
      const address = `${NetworkSettings.Networks[DEMO_NETWORK]!.IPAddress}:${port}`;
      expect(address).not.toBe(before);
      await expect.poll(async () => (await fetch(`http://${address}/`).catch(() => null))?.status, { timeout: 10_000, interval: 50 }).toBe(200); // the demo listens again
      expect(await (await fetch(`http://${before}/`)).text()).toBe('impostor\n');

      const answers = await Promise.all(Array.from({ length: 20 }, () => get(gateway, label)));
      expect(answers.filter((answer) => answer.status !== 200 || answer.text !== 'second\n')).toEqual([]);
      await expect.poll(routeOf, { timeout: 2_000 }).toBe(address);
      const carriedBefore = await carried();
      for (let i = 0; i < 5; i += 1) expect(await get(gateway, label)).toEqual({ status: 200, text: 'second\n' });
      expect((await carried()) - carriedBefore).toBe(5); // straight to the container again
    } finally {
      await Promise.all(holders.map((holder) => holder.remove({ force: true })));
    }
  });

  it('wakes a demo stopped behind its back on a new address, and routes that address', async () => {
    expect((await get(gateway, label)).status).toBe(200);
    await expect.poll(routed, { timeout: 2_000 }).toBe(true);
    const before = (await routeOf())!;
    const demo = docker.getContainer(await containerId());
    await demo.update({ RestartPolicy: { Name: 'no' } }); // as an operator's `docker stop` of a demo leaves it: stopped, not crashed
    await demo.stop({ t: 0 });
    const holders = await holdAddress(before.split(':')[0]!);
    try {
      expect(await get(gateway, label)).toEqual({ status: 200, text: 'second\n' }); // woken by Portico
      const { NetworkSettings } = await demo.inspect();
      const address = `${NetworkSettings.Networks[DEMO_NETWORK]!.IPAddress}:${before.split(':')[1]}`;
      expect(address).not.toBe(before);
      await expect.poll(routeOf, { timeout: 2_000 }).toBe(address);
      const carriedBefore = await carried();
      for (let i = 0; i < 5; i += 1) expect(await get(gateway, label)).toEqual({ status: 200, text: 'second\n' });
      expect((await carried()) - carriedBefore).toBe(5);
    } finally {
      await Promise.all(holders.map((holder) => holder.remove({ force: true })));
    }
  });

  it('starts HAProxy again with its routes when it dies', async () => {
    const before = await gateway.api('GET', '/healthz');
    expect(before.status).toBe(200);
    const pid = gateway.gateway.proxyPid();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await expect.poll(async () => (await get(gateway, label).catch(() => ({ status: 0, text: '' }))).status, { timeout: 10_000, interval: 200 }).toBe(200);
    expect(await routed()).toBe(true); // loaded from the routes Portico knew, not rebuilt by a request
  });
});
