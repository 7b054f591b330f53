import { CodeBuildClient, ListBuildsForProjectCommand } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceName } from '../../gateway/adapters/aws/ecs-task-definition.ts';
import { makeDeployment, makeProject } from '../support/fixtures.ts';
import { LAMBDA_ENV, type FakeService, type LambdaHarness, answerEcsReads, startLambdaHarness } from '../support/lambda-harness.ts';

/*
 * functions/reaper.ts on its schedule: idle judged by the activity the gateway instances wrote
 * to DynamoDB, sleep is UpdateService desiredCount 0, and missed build events are looked for.
 */

const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const codebuild = mockClient(CodeBuildClient);

const CLUSTER = LAMBDA_ENV.PORTICO_CLUSTER_ARN;
const services = new Map<string, FakeService>();

let harness: LambdaHarness;
let reaper: typeof import('../../functions/reaper.ts');

/** A project serving from a running ECS service, idle timeout 15 minutes, last requested `idleMs` ago. */
async function seedRunning(projectId: string, deploymentId: string, idleMs: number): Promise<string> {
  const service = serviceName(projectId, deploymentId);
  await harness.store.createProject(makeProject({ id: projectId, idleTimeoutSeconds: 900 }));
  await harness.store.createDeployment(
    makeDeployment({
      id: deploymentId,
      projectId,
      status: 'ready',
      container: { id: service, upstream: 'http://10.0.1.23:7860' },
      phases: [{ name: 'starting', startedAt: '2026-11-25T09:31:00.000Z', endedAt: '2026-11-25T09:32:00.000Z' }],
    }),
  );
  await harness.store.updateProject(projectId, { currentDeploymentId: deploymentId });
  await harness.activity.touch(projectId, new Date(Date.now() - idleMs));
  services.set(service, { runningCount: 1, port: 7860, ip: '10.0.1.23' });
  return service;
}

beforeAll(async () => {
  harness = await startLambdaHarness();
  reaper = await import('../../functions/reaper.ts');
});

afterAll(async () => {
  await harness?.close();
});

describe('a reaper tick', () => {
  it('scales a service idle past its timeout to zero and leaves a recently active one running', async () => {
    const idle = await seedRunning('main-idle-acme', 'd4e5f6a7-0000-4000-8000-000000000004', 2 * 60 * 60_000);
    await seedRunning('main-busy-acme', 'e5f6a7b8-0000-4000-8000-000000000005', 60_000);
    answerEcsReads(ecs, CLUSTER, services);
    ecs.on(UpdateServiceCommand).resolves({});
    codebuild.on(ListBuildsForProjectCommand).resolves({ ids: [] });

    await reaper.handler();

    expect(ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toStrictEqual([{ cluster: CLUSTER, service: idle, desiredCount: 0 }]);
    // The same tick looks for builds whose completion events were missed.
    expect(codebuild.commandCalls(ListBuildsForProjectCommand).map((call) => call.args[0].input)).toStrictEqual([{ projectName: LAMBDA_ENV.PORTICO_BUILD_PROJECT, sortOrder: 'DESCENDING' }]);
    expect(ecr.calls()).toHaveLength(0);
  });
});
