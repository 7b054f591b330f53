import { DescribeTableCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoDbStore, tableSchema } from '../../../gateway/adapters/aws/dynamodb-store.ts';
import { PorticoError } from '../../../gateway/errors.ts';
import { dynaliteForFile } from '../../support/dynalite.ts';
import { makeDeployment, makeProject } from '../../support/fixtures.ts';
import { projectStoreContract } from '../../ports/project-store.contract.ts';

const dynamo = dynaliteForFile('portico-test');

/** A store on a table of its own, so every test starts empty. */
async function freshStore() {
  const tableName = await dynamo.freshTable();
  const client = dynamo.client();
  return { tableName, store: createDynamoDbStore({ client, tableName }) };
}

projectStoreContract('DynamoDB (dynalite)', async () => (await freshStore()).store);

describe('DynamoDB table', () => {
  it('is created with exactly the keys and billing mode of tableSchema, and ACTIVE', async () => {
    const { tableName } = await freshStore();
    const { Table } = await dynamo.client().send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toStrictEqual(tableSchema.KeySchema);
    expect([...(Table?.AttributeDefinitions ?? [])].sort((a, b) => a.AttributeName!.localeCompare(b.AttributeName!))).toStrictEqual(
      tableSchema.AttributeDefinitions,
    );
    expect(Table?.BillingModeSummary?.BillingMode).toBe(tableSchema.BillingMode);
  });
});

const project = makeProject({ id: 'proj-a' });
const deployment = (id: string, projectId: string, createdAt = '2026-11-25T09:30:00.000Z') => makeDeployment({ id, projectId, createdAt });

describe('DynamoDB store', () => {
  it('reads a project item written before secrets existed as having no secrets', async () => {
    const { store, tableName } = await freshStore();
    await store.createProject(project);
    // Strip the attribute the way an item from an older Portico lacks it.
    await dynamo.client().send(new UpdateItemCommand({ TableName: tableName, Key: { PK: { S: 'PROJECT#proj-a' }, SK: { S: 'META' } }, UpdateExpression: 'REMOVE secrets' }));
    expect(await store.getProject('proj-a')).toStrictEqual({ ...project, secrets: {} });
  });

  it('reads items written before ports were kept as using the defaults, with no port found', async () => {
    const { store, tableName } = await freshStore();
    const withPort = makeProject({ id: 'proj-a', port: 8501, startupTimeoutSeconds: 600 });
    await store.createProject(withPort);
    await store.createDeployment(makeDeployment({ id: 'dep-1', projectId: 'proj-a', port: 8501, portReason: 'r', card: { title: 't', emoji: null, description: null, sdk: null, appPort: null } }));
    const client = dynamo.client();
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: { PK: { S: 'PROJECT#proj-a' }, SK: { S: 'META' } }, UpdateExpression: 'REMOVE port, startupTimeoutSeconds' }));
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: { PK: { S: 'DEPLOYMENT#dep-1' }, SK: { S: 'META' } }, UpdateExpression: 'REMOVE port, portReason, card' }));
    expect(await store.getProject('proj-a')).toStrictEqual({ ...withPort, port: null, startupTimeoutSeconds: null });
    expect(await store.getDeployment('dep-1')).toStrictEqual(makeDeployment({ id: 'dep-1', projectId: 'proj-a' }));
  });

  it('refuses a deployment of a project that does not exist with not_found', async () => {
    const { store } = await freshStore();
    const error = await store.createDeployment(deployment('dep-1', 'no-such-project')).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(PorticoError);
    expect((error as PorticoError).code).toBe('not_found');
    expect(await store.getDeployment('dep-1')).toBeNull();
  });

  it('refuses a log append to an unknown deployment with not_found', async () => {
    const { store } = await freshStore();
    const error = await store.appendLog('no-such-deployment', 'x').catch((thrown: unknown) => thrown);
    expect((error as PorticoError).code).toBe('not_found');
    expect(await store.readLog('no-such-deployment')).toStrictEqual({ text: '', nextOffset: 0 });
  });

  it('moves a deployment in the newest-first list when its createdAt is patched', async () => {
    const { store } = await freshStore();
    await store.createProject(project);
    await store.createDeployment(deployment('dep-1', 'proj-a', '2026-11-25T10:00:00.000Z'));
    await store.createDeployment(deployment('dep-2', 'proj-a', '2026-11-25T11:00:00.000Z'));
    await store.updateDeployment('dep-1', { createdAt: '2026-11-25T12:00:00.000Z' });
    expect((await store.listDeployments('proj-a')).map((d) => d.id)).toStrictEqual(['dep-1', 'dep-2']);
  });

  it('lists and cascade-deletes more deployments than one batch request holds', async () => {
    const { store } = await freshStore();
    await store.createProject(project);
    const ids = Array.from({ length: 130 }, (_, i) => `dep-${String(i).padStart(3, '0')}`);
    for (const id of ids) await store.createDeployment(deployment(id, 'proj-a'));
    await store.appendLog('dep-000', 'log');
    expect((await store.listDeployments('proj-a')).map((d) => d.id)).toStrictEqual([...ids].reverse());
    await store.deleteProject('proj-a');
    expect(await store.listDeployments('proj-a')).toStrictEqual([]);
    expect(await store.getDeployment('dep-129')).toBeNull();
    expect(await store.readLog('dep-000')).toStrictEqual({ text: '', nextOffset: 0 });
  });

  it('reads back a log larger than one 1 MB query page', async () => {
    const { store } = await freshStore();
    await store.createProject(project);
    await store.createDeployment(deployment('dep-1', 'proj-a'));
    const chunks = ['a', 'b', 'c', 'd', 'e'].map((letter) => letter.repeat(300_000));
    for (const chunk of chunks) await store.appendLog('dep-1', chunk);
    const read = await store.readLog('dep-1');
    expect(read.nextOffset).toBe(1_500_000);
    expect(read.text).toBe(chunks.join(''));
  });
});
