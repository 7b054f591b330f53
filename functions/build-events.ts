import type { EventBridgeEvent } from 'aws-lambda';
import { createAwsPorts } from '../gateway/adapters/aws/aws-ports.ts';
import { type BuildStateChangeDetail, fromBuildEvent } from '../gateway/adapters/aws/codebuild-builder.ts';
import { loadAwsConfig } from '../gateway/aws-config.ts';
import { createLambdaGateway } from '../gateway/lambda-gateway.ts';
import { type ReleaseJob, isReleaseJob } from '../gateway/ports/release-queue.ts';

// CodeBuild "Build State Change" events: a finished build releases (or fails) its deployment.
// Release jobs the API hands over (lambda-release-queue.ts, an asynchronous invoke): a rollback releases a kept image.
const config = loadAwsConfig(process.env);
// Placing a task may mean booting a GPU instance; leave room inside the function's 15 minutes for the probe.
const { pipeline } = createLambdaGateway(config, createAwsPorts(config, { placementTimeoutMs: 10 * 60_000 }));

export async function handler(event: EventBridgeEvent<'CodeBuild Build State Change', BuildStateChangeDetail> | ReleaseJob): Promise<void> {
  if (isReleaseJob(event)) {
    const deployment = await pipeline.onRelease(event);
    return console.log(JSON.stringify({ msg: 'release job', kind: event.kind, deploymentId: event.deploymentId, targetId: event.targetId, status: deployment?.status ?? 'unchanged' }));
  }
  const build = fromBuildEvent(event.detail);
  if (!build) return console.log(JSON.stringify({ msg: 'ignored a build Portico did not start', buildId: event.detail['build-id'] }));
  const deployment = await pipeline.onBuild(build);
  console.log(JSON.stringify({ msg: 'build event', buildId: build.buildId, deploymentId: build.deploymentId, status: deployment?.status ?? 'unchanged' }));
}
