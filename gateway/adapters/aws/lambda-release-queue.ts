import type { LambdaClient } from '@aws-sdk/client-lambda';
import { PorticoError, messageOf } from '../../errors.ts';
import type { ReleaseJob, ReleaseQueue } from '../../ports/release-queue.ts';
import { withAws } from './aws-errors.ts';
import type { Sender } from './sdk-on-first-use.ts';

/** The Lambda SDK, imported by the first call that needs it (sdk-on-first-use.ts). */
const sdk = () => import('@aws-sdk/client-lambda');

/**
 * Hands a release to the build-events function by an asynchronous invoke (`InvocationType:
 * 'Event'`): Lambda queues the job and answers at once, and retries the function on an error.
 * Chosen over an EventBridge PutEvents that the build-events rule would also match: one
 * permission (lambda:InvokeFunction on that one function) and no rule or event bus in between.
 */
export function createLambdaReleaseQueue(deps: { readonly client: Sender<LambdaClient>; readonly functionName: string }): ReleaseQueue {
  const { client, functionName } = deps;
  return {
    async send(job: ReleaseJob) {
      const output = await withAws('Lambda', async () =>
        client.send(new (await sdk()).InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(job)) })),
      ).catch((error: unknown) => {
        if (error instanceof PorticoError) throw error;
        throw new PorticoError('start_failed', `Lambda refused to queue the release of deployment ${job.deploymentId} on ${functionName}: ${messageOf(error)}; try again`, { cause: error });
      });
      // An asynchronous invoke that was queued answers 202.
      if (output.StatusCode !== 202) throw new PorticoError('start_failed', `Lambda did not queue the release of deployment ${job.deploymentId} on ${functionName} (status ${output.StatusCode ?? 'none'}); try again`);
    },
  };
}
