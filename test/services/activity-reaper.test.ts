import { describe, expect, it, vi } from 'vitest';
import { createDynamoDbActivityLog } from '../../gateway/adapters/aws/dynamodb-activity-log.ts';
import { createDynamoDbStore } from '../../gateway/adapters/aws/dynamodb-store.ts';
import { reapIdleDemos } from '../../gateway/services/activity-reaper.ts';
import { dynaliteForFile } from '../support/dynalite.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { memoryRuntime } from '../support/memory-runtime.ts';
import { steppedClock } from '../support/stepped-clock.ts';

const dynamo = dynaliteForFile('portico-reaper');

const MINUTE = 60_000;
/** The clock starts here; demos in these tests became ready at READY. */
const NOW = new Date('2026-11-25T12:00:00.000Z');
const READY = new Date(NOW.getTime() - 10 * MINUTE);

/** The AWS state (DynamoDB store and activity log on dynalite) with the runtime in memory. */
async function setUp() {
  const tableName = await dynamo.freshTable();
  const client = dynamo.client();
  const store = createDynamoDbStore({ client, tableName });
  const activity = createDynamoDbActivityLog({ client, tableName });
  const runtime = memoryRuntime();
  const clock = steppedClock(NOW);
  /** A project (idle timeout 15 minutes) whose deployment `d-<id>` became ready at `readyAt` and runs. */
  async function serving(id: string, options: { readyAt?: Date; idleTimeoutSeconds?: number } = {}) {
    const readyAt = (options.readyAt ?? READY).toISOString();
    await store.createProject(makeProject({ id, source: { kind: 'github', owner: 'acme', repo: id }, idleTimeoutSeconds: options.idleTimeoutSeconds ?? 900 }));
    const deployment = makeDeployment({
      id: `d-${id}`,
      projectId: id,
      status: 'ready',
      createdAt: new Date(Date.parse(readyAt) - 5 * MINUTE).toISOString(),
      phases: [{ name: 'starting', startedAt: new Date(Date.parse(readyAt) - MINUTE).toISOString(), endedAt: readyAt }],
      container: { id: `c-d-${id}`, upstream: 'http://10.0.0.1:8000' },
    });
    await store.createDeployment(deployment);
    await store.updateProject(id, { currentDeploymentId: deployment.id });
    runtime.containers.set(`c-d-${id}`, 'running');
  }
  const reap = () => reapIdleDemos({ store, runtime, activity, clock });
  return { store, activity, runtime, clock, serving, reap };
}

describe('reapIdleDemos', () => {
  it('scales a demo idle past its project’s timeout to zero', async () => {
    const { activity, runtime, serving, reap } = await setUp();
    const long = new Date(NOW.getTime() - 60 * MINUTE);
    await serving('a', { readyAt: long });
    await activity.touch('a', new Date(NOW.getTime() - 6 * MINUTE)); // timeout 15 minutes
    await serving('b', { readyAt: long, idleTimeoutSeconds: 300 });
    await activity.touch('b', new Date(NOW.getTime() - 6 * MINUTE));

    expect(await reap()).toStrictEqual({ slept: ['b'], failed: [] });
    expect(runtime.calls).toStrictEqual(['stop c-d-b']);
    expect(runtime.containers.get('c-d-b')).toBe('stopped');
  });

  it('leaves a recently active demo running, and stops it once the timeout has passed', async () => {
    const { activity, runtime, clock, serving, reap } = await setUp();
    await serving('a', { readyAt: new Date(NOW.getTime() - 60 * MINUTE) });
    await activity.touch('a', new Date(NOW.getTime() - 14 * MINUTE));

    expect(await reap()).toStrictEqual({ slept: [], failed: [] });
    expect(runtime.calls).toStrictEqual([]);

    clock.advance(MINUTE);
    expect(await reap()).toStrictEqual({ slept: ['a'], failed: [] });
  });

  it('counts a demo never requested as active from when it became ready', async () => {
    const { runtime, clock, serving, reap } = await setUp();
    await serving('a'); // ready 10 minutes ago, timeout 15

    expect(await reap()).toStrictEqual({ slept: [], failed: [] });
    clock.advance(5 * MINUTE - 1);
    expect(await reap()).toStrictEqual({ slept: [], failed: [] });
    clock.advance(1);
    expect(await reap()).toStrictEqual({ slept: ['a'], failed: [] });
    expect(runtime.calls).toStrictEqual(['stop c-d-a']);
  });

  it('counts a new deployment from its readiness even when the project was last requested long before', async () => {
    const { activity, runtime, serving, reap } = await setUp();
    await activity.touch('a', new Date(NOW.getTime() - 3 * 60 * MINUTE)); // requests to an earlier deployment
    await serving('a', { readyAt: new Date(NOW.getTime() - MINUTE) });

    expect(await reap()).toStrictEqual({ slept: [], failed: [] });
    expect(runtime.calls).toStrictEqual([]);
  });

  it('does not stop a demo that is already stopped, or a project with nothing serving', async () => {
    const { store, runtime, serving, reap } = await setUp();
    await serving('a', { readyAt: new Date(NOW.getTime() - 60 * MINUTE) });
    runtime.containers.set('c-d-a', 'stopped');
    await store.createProject(makeProject({ id: 'never-deployed', source: { kind: 'github', owner: 'acme', repo: 'never' } }));

    expect(await reap()).toStrictEqual({ slept: [], failed: [] });
    expect(runtime.calls).toStrictEqual([]);
  });

  it('reports a demo whose stop fails and still processes the others', async () => {
    const { runtime, serving, reap } = await setUp();
    const long = new Date(NOW.getTime() - 60 * MINUTE);
    for (const id of ['a', 'b', 'c']) await serving(id, { readyAt: long });
    runtime.failStop.add('c-d-b');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const result = await reap();

    expect({ slept: [...result.slept].sort(), failed: result.failed }).toStrictEqual({ slept: ['a', 'c'], failed: ['b'] });
    expect(runtime.containers.get('c-d-a')).toBe('stopped');
    expect(runtime.containers.get('c-d-c')).toBe('stopped');
    expect(errors).toHaveBeenCalledWith('could not scale b to zero: the engine refused to stop c-d-b');
    errors.mockRestore();
  });
});
