import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoDbActivityLog } from '../../../gateway/adapters/aws/dynamodb-activity-log.ts';
import { createDynamoDbStore } from '../../../gateway/adapters/aws/dynamodb-store.ts';
import { dynaliteForFile } from '../../support/dynalite.ts';
import { makeDeployment, makeProject } from '../../support/fixtures.ts';

const dynamo = dynaliteForFile('portico-activity');

/** The activity log and the store on one fresh table, as the Lambda functions share it. */
async function fresh() {
  const tableName = await dynamo.freshTable();
  const client = dynamo.client();
  return { tableName, activity: createDynamoDbActivityLog({ client, tableName }), store: createDynamoDbStore({ client, tableName }) };
}

const at = (time: string) => new Date(`2026-11-25T${time}Z`);

describe('DynamoDB activity log', () => {
  it('has no time for a project never touched', async () => {
    const { activity } = await fresh();
    expect(await activity.lastActive('main-gpt2-acme')).toBeNull();
  });

  it('returns the time last touched, to the millisecond', async () => {
    const { activity } = await fresh();
    await activity.touch('main-gpt2-acme', at('12:00:00.123'));
    expect(await activity.lastActive('main-gpt2-acme')).toStrictEqual(at('12:00:00.123'));
    await activity.touch('main-gpt2-acme', at('12:05:00.000'));
    expect(await activity.lastActive('main-gpt2-acme')).toStrictEqual(at('12:05:00.000'));
  });

  it('never lets an older touch, written late, overwrite a newer one', async () => {
    const { activity } = await fresh();
    await activity.touch('main-gpt2-acme', at('12:05:00.000'));
    await activity.touch('main-gpt2-acme', at('12:00:00.000'));
    await activity.touch('main-gpt2-acme', at('12:05:00.000'));
    expect(await activity.lastActive('main-gpt2-acme')).toStrictEqual(at('12:05:00.000'));
  });

  it('keeps projects apart', async () => {
    const { activity } = await fresh();
    await activity.touch('a', at('12:00:00.000'));
    await activity.touch('b', at('13:00:00.000'));
    expect(await activity.lastActive('a')).toStrictEqual(at('12:00:00.000'));
    expect(await activity.lastActive('b')).toStrictEqual(at('13:00:00.000'));
  });

  it('leaves the store’s view of the project unchanged: listed once, no extra deployment', async () => {
    const { activity, store } = await fresh();
    const project = makeProject({ id: 'main-gpt2-acme' });
    await store.createProject(project);
    await store.createDeployment(makeDeployment({ id: 'd1', projectId: project.id }));
    await activity.touch(project.id, at('12:00:00.000'));
    expect(await store.listProjects()).toStrictEqual([project]);
    expect((await store.listDeployments(project.id)).map((deployment) => deployment.id)).toStrictEqual(['d1']);
  });

  it('is deleted with the project by the store’s deleteProject', async () => {
    const { activity, store, tableName } = await fresh();
    const project = makeProject({ id: 'main-gpt2-acme' });
    await store.createProject(project);
    await activity.touch(project.id, at('12:00:00.000'));

    await store.deleteProject(project.id);

    expect(await activity.lastActive(project.id)).toBeNull();
    const { Item } = await dynamo.client().send(new GetItemCommand({ TableName: tableName, Key: { PK: { S: `PROJECT#${project.id}` }, SK: { S: 'ACTIVITY' } }, ConsistentRead: true }));
    expect(Item).toBeUndefined();
  });
});

describe('DynamoDB wake log (on the activity item)', () => {
  const timings = { placementMs: 31_000, instanceLaunchMs: null, pullMs: 38_540, startMs: 2_100, firstAnswerMs: 2_600, totalMs: 74_240 };
  const wake = { containerId: 'portico-main-gpt2-acme-3f2a9c1e', runId: 'arn:aws:ecs:eu-west-1:123456789012:task/portico/aaaa', at: at('12:01:14.240'), timings };

  it('has no wake for a project never woken', async () => {
    const { activity } = await fresh();
    expect(await activity.lastWake('main-gpt2-acme')).toBeNull();
  });

  it('keeps the last wake with every step, nulls included, beside the activity time', async () => {
    const { activity, tableName } = await fresh();
    await activity.touch('main-gpt2-acme', at('12:00:00.000'));

    expect(await activity.recordWake('main-gpt2-acme', wake)).toBe(true);

    expect(await activity.lastWake('main-gpt2-acme')).toStrictEqual(wake);
    expect(await activity.lastActive('main-gpt2-acme')).toStrictEqual(at('12:00:00.000'));
    const { Item } = await dynamo.client().send(new GetItemCommand({ TableName: tableName, Key: { PK: { S: 'PROJECT#main-gpt2-acme' }, SK: { S: 'ACTIVITY' } }, ConsistentRead: true }));
    expect(Item?.['lastWake']?.M?.['timings']?.M?.['instanceLaunchMs']).toStrictEqual({ NULL: true });
  });

  it('records a task’s wake once: a second gateway instance that saw the same task answer writes nothing', async () => {
    const { activity } = await fresh();
    expect(await activity.recordWake('main-gpt2-acme', wake)).toBe(true);

    expect(await activity.recordWake('main-gpt2-acme', { ...wake, at: at('12:01:20.000'), timings: { ...timings, firstAnswerMs: 8_360, totalMs: 80_000 } })).toBe(false);

    expect(await activity.lastWake('main-gpt2-acme')).toStrictEqual(wake);
  });

  it('replaces the last wake with the next task’s', async () => {
    const { activity } = await fresh();
    await activity.recordWake('main-gpt2-acme', wake);
    const next = { ...wake, runId: 'arn:aws:ecs:eu-west-1:123456789012:task/portico/bbbb', at: at('14:00:03.000'), timings: { ...timings, pullMs: null } };

    expect(await activity.recordWake('main-gpt2-acme', next)).toBe(true);

    expect(await activity.lastWake('main-gpt2-acme')).toStrictEqual(next);
  });

  it('is deleted with the project by the store’s deleteProject', async () => {
    const { activity, store } = await fresh();
    const project = makeProject({ id: 'main-gpt2-acme' });
    await store.createProject(project);
    await activity.recordWake(project.id, wake);

    await store.deleteProject(project.id);

    expect(await activity.lastWake(project.id)).toBeNull();
  });
});
