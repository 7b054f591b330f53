import { createDockerClient } from '../gateway/adapters/local/docker-client.ts';
import { engineObjectIds, leftoversOnEngine, secondEnginePid } from './support/leftovers.ts';

/**
 * Runs around the whole suite: after it, fails the run when the suite left a second Docker
 * engine running, or containers or images of its own on the engine, and lists them. Objects
 * made before the run began (or a second engine already running then) are not this run's.
 * On a machine where another test run shares the engine, its objects show up too:
 * PORTICO_LEFTOVER_CHECK=warn then reports them without failing.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const engineBefore = secondEnginePid();
  const { docker } = createDockerClient(process.env.DOCKER_HOST);
  const engineUp = await docker.ping().then(() => true, () => false);
  // By id, not creation time: an object made in the second before the run is not the run's.
  const before = engineUp ? await engineObjectIds(docker) : new Set<string>();

  return async function teardown() {
    const left: string[] = [];
    const pid = secondEnginePid();
    if (pid !== null && engineBefore === null) left.push(`the second Docker engine from test/docker/faults/second-engine.ts (dockerd pid ${pid}): kill ${pid}`);
    if (engineUp) left.push(...(await leftoversOnEngine(docker, before)));
    if (left.length === 0) return;
    const report = `the test run left ${left.length} thing(s) behind:\n${left.map((line) => `  ${line}`).join('\n')}`;
    if (process.env.PORTICO_LEFTOVER_CHECK === 'warn') {
      console.warn(`warning: ${report}`);
      return;
    }
    // vitest reports an error thrown here but still exits 0: the exit code is set instead.
    console.error(`\nFAIL leftover check: ${report}\n(a suite that creates them must remove them in its afterAll; PORTICO_LEFTOVER_CHECK=warn only reports)\n`);
    process.exitCode = 1;
  };
}
