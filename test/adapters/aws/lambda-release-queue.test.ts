import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, expect, it } from 'vitest';
import { createLambdaReleaseQueue } from '../../../gateway/adapters/aws/lambda-release-queue.ts';
import { failure } from '../../support/failure.ts';

const lambda = mockClient(LambdaClient);
const queue = () => createLambdaReleaseQueue({ client: new LambdaClient({ region: 'eu-west-1' }), functionName: 'portico-buildevents' });
const JOB = { kind: 'rollback', deploymentId: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', targetId: '0f3c9a1e-5b7d-4f6a-8c0e-2b4d6f8a0c2e' } as const;

beforeEach(() => lambda.reset());

it('invokes the release function asynchronously with the job as its JSON payload', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

  await queue().send(JOB);

  const [input] = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
  expect({ ...input, Payload: JSON.parse(new TextDecoder().decode(input!.Payload as Uint8Array)) }).toStrictEqual({
    FunctionName: 'portico-buildevents',
    InvocationType: 'Event',
    Payload: { kind: 'rollback', deploymentId: JOB.deploymentId, targetId: JOB.targetId },
  });
});

it('fails when Lambda did not queue the job', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 200 });

  expect((await failure(queue().send(JOB))).message).toBe(`Lambda did not queue the release of deployment ${JOB.deploymentId} on portico-buildevents (status 200); try again`);
});

it('reports Lambda’s refusal naming the function, and a denied call as engine_unavailable', async () => {
  lambda.on(InvokeCommand).rejects(new ResourceNotFoundException({ message: 'Function not found: portico-buildevents', $metadata: {} }));
  const refused = await failure(queue().send(JOB));
  expect(refused.code).toBe('start_failed');
  expect(refused.message).toBe(`Lambda refused to queue the release of deployment ${JOB.deploymentId} on portico-buildevents: Function not found: portico-buildevents; try again`);

  lambda.on(InvokeCommand).rejects(Object.assign(new Error('not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException' }));
  expect((await failure(queue().send(JOB))).code).toBe('engine_unavailable');
});
