import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DELIVERY_TTL_SECONDS, createDynamoDbDeliveryLog } from '../../../gateway/adapters/aws/dynamodb-delivery-log.ts';
import { createDynamoDbStore } from '../../../gateway/adapters/aws/dynamodb-store.ts';
import { dynaliteForFile } from '../../support/dynalite.ts';
import { makeProject } from '../../support/fixtures.ts';

const dynamo = dynaliteForFile('portico-deliveries');

/** Two gateway instances' delivery logs (their own clients) and the store, on one fresh table. */
async function fresh() {
  const tableName = await dynamo.freshTable();
  const client = dynamo.client();
  return {
    tableName,
    first: createDynamoDbDeliveryLog({ client, tableName }),
    second: createDynamoDbDeliveryLog({ client: dynamo.client(), tableName }),
    store: createDynamoDbStore({ client, tableName }),
  };
}

const at = new Date('2026-11-29T10:00:00.000Z');
const ID = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

describe('DynamoDB delivery log', () => {
  it('lets exactly one of two instances claim a delivery, however many times it arrives', async () => {
    const { first, second } = await fresh();
    const claims = await Promise.all([first.claim(ID, at), second.claim(ID, at), first.claim(ID, at), second.claim(ID, at)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await second.claim(ID, new Date(at.getTime() + 60_000))).toBe(false);
  });

  it('keeps deliveries apart', async () => {
    const { first } = await fresh();
    expect(await first.claim('delivery-a', at)).toBe(true);
    expect(await first.claim('delivery-b', at)).toBe(true);
  });

  it('lets a released delivery be claimed again (a failed delivery redelivered by GitHub deploys)', async () => {
    const { first, second } = await fresh();
    expect(await first.claim(ID, at)).toBe(true);
    await first.release(ID);
    expect(await second.claim(ID, at)).toBe(true);
  });

  it('stores the claim with a TTL, and treats a claim past it as gone even before DynamoDB deletes it', async () => {
    const { tableName, first } = await fresh();
    await first.claim(ID, at);
    const { Item } = await dynamo.client().send(new GetItemCommand({ TableName: tableName, Key: { PK: { S: `DELIVERY#${ID}` }, SK: { S: 'META' } } }));
    expect(Item?.['expiresAt']).toStrictEqual({ N: String(at.getTime() / 1000 + DELIVERY_TTL_SECONDS) });

    const expired = new Date(at.getTime() + (DELIVERY_TTL_SECONDS + 1) * 1000);
    expect(await first.claim(ID, expired)).toBe(true);
  });

  it('is not a project: the store lists none of its items', async () => {
    const { first, store } = await fresh();
    await store.createProject(makeProject({ id: 'main-gpt2-acme' }));
    await first.claim(ID, at);
    expect((await store.listProjects()).map((project) => project.id)).toStrictEqual(['main-gpt2-acme']);
  });
});
