/**
 * `npm run bench`: Portico's data plane measured side by side with its baselines, in one run on
 * this machine (same container, same cores): warm proxying against the container directly,
 * against nginx and against a 15-line Node pipe (every path to the address Portico routes to),
 * waking from stopped against a hand-written start-and-poll loop, waking from
 * paused, and a burst on a sleeping demo. Prints a table and writes bench/results.json.
 * A benchmark, not a test: it reports ratios and goals, and fails only when it cannot measure.
 */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createDockerClient } from '../gateway/adapters/local/docker-client.ts';
import { NODE_IMAGE } from '../test/support/node-demo.ts';
import { startTestGateway } from '../test/support/gateway.ts';
import { createBareTwin } from './bare-container.ts';
import { measureBurst } from './burst.ts';
import { createCleanup } from './cleanup.ts';
import { deployDemo, servingContainer } from './demo-project.ts';
import { evaluate } from './goals.ts';
import { startNginx } from './nginx.ts';
import { startNodePipe } from './node-pipe.ts';
import { measureLambdaBundle } from './lambda-bundle.ts';
import { formatTable, writeResults } from './report.ts';
import { timeToFirstByte } from './first-byte.ts';
import { findTool } from './tools.ts';
import { LIGHT_LOAD, LOAD, WARM_UP_SECONDS, type WarmTarget, measureWarm } from './warm.ts';
import { BARE_POLL_INTERVAL_MS, type ThroughPortico, measureColdWakes, measurePausedWakes } from './wake.ts';

const ROUNDS = 3;
const COLD_WAKES = 5;
const PAUSED_WAKES = 10;
const BURST = 200;
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

const log = (line: string) => console.log(line);
const cleanup = createCleanup(log);
process.once('SIGINT', () => {
  log('\ninterrupted: cleaning up…');
  void cleanup.run().finally(() => process.exit(130));
});

async function main(): Promise<void> {
  const began = Date.now();
  // Needs no Docker: the gateway Lambda's bundle size and cold module-load time (issue 5's goals).
  const lambdaBundle = await measureLambdaBundle(log);
  const { docker, where } = createDockerClient(process.env.DOCKER_HOST);
  await preflight(docker, where);
  const load = loadavg();
  log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${load.map((n) => n.toFixed(2)).join(' ')}`);
  log(`note: wrk, nginx, the Node pipe, HAProxy, the gateway and the demo container all share these ${cpus().length} cores, so every figure is relative, not absolute.`);

  // Nothing scales down on its own during the bench: the scaler moves only when told to.
  // HAProxy in front, so one gateway offers every path: HAProxy on its public port, and the
  // embedded Node proxy on Portico's own listener behind it (the activator), by Host and by /p/.
  const gateway = await startTestGateway({ proxy: 'haproxy', wakeWaitMs: 120_000, reapIntervalMs: 3_600_000, pauseAfterMs: 3_600_000, startupTimeoutMs: 60_000 });
  cleanup.add('stop the gateway and delete the bench project', () => gateway.cleanUp());
  log(`gateway on ${gateway.url}; deploying the node demo…`);
  const demo = await deployDemo(gateway);
  cleanup.add('remove the demo repository', () => demo.repo.remove());
  const serving = await servingContainer(docker, where, demo.label);
  const host = `${demo.label}.${gateway.config.domain}`;
  const viaHaproxy: ThroughPortico = { url: `${gateway.url}/`, host, label: demo.label, scaler: gateway.gateway.scaler };
  const nodeUrl = `http://127.0.0.1:${gateway.gateway.listenerPort}`;
  const viaNode: ThroughPortico = { ...viaHaproxy, url: `${nodeUrl}/` };
  // The first request goes through Portico, which then routes the demo through HAProxy.
  if ((await timeToFirstByte(viaHaproxy.url, { headers: { host } })).status !== 200) throw new Error('the demo did not answer through HAProxy');
  log(`demo ${demo.label} (${demo.image}) in container ${serving.id.slice(0, 12)}; every path reaches it at ${serving.via}`);

  const nginx = await startNginx(serving);
  const nginxNote = nginx ? null : 'nginx is not installed (Debian: apt-get install nginx-light, or run scripts/bench-prereqs.sh as root): skipped';
  if (nginx) cleanup.add('stop nginx', () => nginx.stop());
  else log(`note: ${nginxNote}`);
  const pipe = await startNodePipe(serving);
  cleanup.add('stop the Node pipe', () => pipe.stop());
  const targets: WarmTarget[] = [
    { name: 'direct', url: `http://${serving.host}:${serving.port}/` },
    ...(nginx ? [{ name: 'nginx' as const, url: nginx.url }] : []),
    { name: 'node-pipe', url: pipe.url },
    { name: 'haproxy', url: viaHaproxy.url, headers: { Host: host } },
    { name: 'node-host', url: viaNode.url, headers: { Host: host } },
    { name: 'node-prefix', url: `${nodeUrl}/p/${demo.label}/` },
  ];
  log(`\nwarm proxy: ${wrkLine(LOAD)}, ${ROUNDS} interleaved rounds after a ${WARM_UP_SECONDS} s warm-up each`);
  const warm = await measureWarm(targets, LOAD, ROUNDS, log);
  log(`\nwarm proxy, one connection (latency without queueing): ${wrkLine(LIGHT_LOAD)}, ${ROUNDS} interleaved rounds`);
  const warmOneConnection = await measureWarm(targets, LIGHT_LOAD, ROUNDS, log);
  await nginx?.stop(); // frees its CPU for the wake measurements
  await pipe.stop();

  log(`\nwake from stopped: ${COLD_WAKES} × through HAProxy, through the Node proxy and bare (docker start + inspect + GET every ${BARE_POLL_INTERVAL_MS} ms), alternating`);
  const bare = await createBareTwin(docker, where, serving.id);
  cleanup.add('remove the bare baseline container', () => bare.remove());
  const cold = await measureColdWakes([viaHaproxy, viaNode], bare, COLD_WAKES);
  await bare.remove();
  const [haproxyStoppedMs, nodeStoppedMs] = cold.pathMs as [number[], number[]];
  log(`  HAProxy ms: ${haproxyStoppedMs.map((ms) => ms.toFixed(0)).join(', ')}`);
  log(`  Node ms:    ${nodeStoppedMs.map((ms) => ms.toFixed(0)).join(', ')}`);
  log(`  bare ms:    ${cold.bareMs.map((ms) => ms.toFixed(0)).join(', ')}`);

  log(`\nwake from paused: ${PAUSED_WAKES} × through each`);
  const haproxyPausedMs = await measurePausedWakes(viaHaproxy, PAUSED_WAKES);
  const nodePausedMs = await measurePausedWakes(viaNode, PAUSED_WAKES);
  log(`  HAProxy ms: ${haproxyPausedMs.map((ms) => ms.toFixed(1)).join(', ')}`);
  log(`  Node ms:    ${nodePausedMs.map((ms) => ms.toFixed(1)).join(', ')}`);

  log(`\nburst: ${BURST} concurrent GETs on a sleeping demo, through HAProxy`);
  const burst = await measureBurst(viaHaproxy, docker, serving.id, BURST);
  log(`  statuses ${JSON.stringify(burst.statuses)}, ${burst.containerStarts} container start(s), all answered in ${burst.durationMs.toFixed(0)} ms`);

  const measurements = {
    warm,
    warmOneConnection,
    bareStartMs: cold.bareMs,
    wake: { haproxy: { stoppedMs: haproxyStoppedMs, pausedMs: haproxyPausedMs }, node: { stoppedMs: nodeStoppedMs, pausedMs: nodePausedMs } },
    burst,
  };
  const metrics = evaluate(measurements, nginxNote);
  log(`\n${formatTable(metrics)}`);
  log(`\nwarm figures: best of ${ROUNDS} runs per metric (highest req/s, lowest p99); req/s ratios: the median of the ${ROUNDS} per-round ratios (a round runs every path back to back); wake figures: medians.`);
  log(`${cpus().length} shared cores: wrk, nginx, the Node pipe, HAProxy, the gateway and the container compete for them; compare ratios, not absolute numbers.`);
  log(`At ${LOAD.connections} connections p99 is mostly queueing (it follows throughput); the 1-connection row is what one hop adds per request.`);

  await writeResults(RESULTS, {
    date: new Date(began).toISOString(),
    durationSeconds: Math.round((Date.now() - began) / 1000),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, totalMemoryBytes: totalmem(), os: `${platform()} ${release()}`, node: process.version, loadAverageAtStart: load },
    note: `wrk, nginx, the Node pipe, HAProxy, the gateway and the demo container share the same cores; ratios are meaningful, absolute figures are not. Every path reaches the container at ${serving.via}, where Portico routes to it.`,
    settings: {
      wrk: { load: LOAD, oneConnection: LIGHT_LOAD, warmUpSeconds: WARM_UP_SECONDS, rounds: ROUNDS, pick: 'best run per metric: highest requests/sec, lowest p99; requests/sec ratios: median of the per-round ratios' },
      nginx: nginx ? { version: nginx.version, workerProcesses: 1, upstreamKeepalive: 64 } : null,
      nodePipe: { script: 'bench/node-pipe.mjs', node: process.version, process: 'its own' },
      upstream: { host: serving.host, port: serving.port, via: serving.via },
      wake: { coldRuns: COLD_WAKES, pausedRuns: PAUSED_WAKES, pick: 'median', porticoProbeIntervalMs: gateway.config.wakeProbeIntervalMs, barePollIntervalMs: BARE_POLL_INTERVAL_MS },
      burst: { requests: BURST },
      demo: { image: demo.image, baseImage: NODE_IMAGE },
    },
    metrics,
    lambdaBundle,
    raw: measurements,
    skipped: nginxNote ? [nginxNote] : [],
  });
  log(`\nwrote ${RESULTS} (${Math.round((Date.now() - began) / 1000)} s in all)`);
}

function wrkLine(load: typeof LOAD): string {
  return `wrk -t${load.threads} -c${load.connections} -d${load.durationSeconds}s --latency`;
}

/** Fails early, saying what to do, when something the bench cannot do without is missing. */
async function preflight(docker: ReturnType<typeof createDockerClient>['docker'], where: string): Promise<void> {
  if (!findTool('wrk')) throw new Error('wrk is not installed: run `bash scripts/bench-prereqs.sh` as root (Debian package wrk)');
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`no Docker engine answers at ${where}: run \`bash scripts/test-prereqs.sh\` (as root it starts one)`, { cause: error });
  }
  try {
    await docker.getImage(NODE_IMAGE).inspect();
  } catch (error) {
    throw new Error(`the demo's base image ${NODE_IMAGE} is missing: run \`bash scripts/test-prereqs.sh\`, which makes it offline`, { cause: error });
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup.run();
  // The gateway's wake gate leaves a wakeWaitMs timer behind per request that waited for a wake,
  // which would keep this process alive for minutes after the work is done.
  process.exit();
}
