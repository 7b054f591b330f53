import type { Context } from 'hono';
import type { Hono } from 'hono';
import type { AwsPorts } from './adapters/aws/aws-ports.ts';
import { createApp } from './app.ts';
import type { AwsConfig } from './aws-config.ts';
import { type AsyncWakeGate, createAsyncWakeGate } from './endpoint/async-wake-gate.ts';
import { describeWake } from './domain/start-timings.ts';
import { withCloudFrontHost } from './endpoint/cloudfront-host.ts';
import { createFetchEndpoint } from './endpoint/fetch-endpoint.ts';
import { type RouteTable, createRouteTable } from './endpoint/route-table.ts';
import { reapIdleDemos } from './services/activity-reaper.ts';
import { type EventPipeline, type EventRollbacks, createEventPipeline } from './services/event-pipeline.ts';
import { type Metrics, createMetrics } from './services/metrics.ts';
import { createProjectService } from './services/project-service.ts';
import { versionedStore } from './services/versioned-store.ts';

export interface LambdaGateway {
  /** The same Hono app as `npm start`, with the AWS adapters and the asynchronous wake. */
  readonly app: Hono;
  readonly pipeline: EventPipeline;
  /** The data plane's parts, for the Node listener of the ECS gateway service (aws-server.ts). */
  readonly endpoint: { readonly routes: RouteTable; readonly gate: AsyncWakeGate; readonly metrics: Metrics };
  /** The reaper's tick: idle demos to zero, missed build events and stuck deployments reconciled. */
  tick(): Promise<{ readonly slept: string[]; readonly advanced: number; readonly interrupted: number }>;
}

/** A build-events delivery may be replayed for minutes after the fact; stuck means well past the build-events function's 15-minute limit. */
const STUCK_AFTER_MS = 20 * 60_000;
const BUILD_TIMEOUT_MS = 90 * 60_000;

/** Composes Portico on Lambda. The entry files in functions/ hold one of these per instance. */
export function createLambdaGateway(config: AwsConfig, ports: AwsPorts): LambdaGateway {
  const store = versionedStore(ports.store);
  const core = { ...ports, store };
  const pipeline = createEventPipeline(core, ports.remoteBuilder, {
    gpuPools: config.gpuPools,
    containerMemoryBytes: config.containerMemoryBytes,
    containerNanoCpus: config.containerNanoCpus,
    startupTimeoutMs: config.startupTimeoutMs,
    stuckAfterMs: STUCK_AFTER_MS,
    buildTimeoutMs: BUILD_TIMEOUT_MS,
  }, rollbacksOf(ports));
  const projects = createProjectService(core, pipeline, { idleTimeoutSeconds: config.idleTimeoutSeconds });
  const metrics = createMetrics(); // per instance: Lambda instances come and go, so these are a sample
  const gate = createAsyncWakeGate(
    { runtime: ports.runtime, activity: ports.activity, clock: ports.clock, wakes: ports.activity },
    { probeTimeoutMs: 2_000, retryAfterSeconds: 5, routeCacheMs: 10_000, activityWriteIntervalMs: 60_000, wakeRequestIntervalMs: 30_000 },
  );
  const routes = createRouteTable(store);
  const app = createApp({
    projects,
    endpoint: createFetchEndpoint({ routes, gate, metrics, upstreamTimeoutMs: config.upstreamTimeoutMs }),
    clientAddress: (c: Context) => sourceIp(c.env),
    // Without a domain every request is for the gateway itself, and demos live under /p/{label}/.
    domain: config.domain ?? 'endpoint.invalid',
    apiTokenSha256: config.tokenSha256,
    githubWebhookSecret: ports.webhookSecret,
    // Lambda instances share no memory: a delivery is claimed in DynamoDB so a redelivery to another instance deploys nothing.
    webhookDeliveries: { log: ports.deliveries, clock: ports.clock },
    endpointUrl: (id) => (config.domain ? `https://${id}.${config.domain}` : `/p/${id}/`),
    // Lambda instances keep no runtime state between requests; the demo's state is ECS's.
    runtimeOf: () => ({ state: null, lastRequestAt: null, coldStarts: 0 }),
    metricsOf: (id) => metrics.snapshot(id),
    containerLogs: async (id, logOptions) => {
      // The container's last wake (what it waited on) heads its own output.
      const wake = await ports.activity.lastWake(logOptions.projectId).catch(() => null);
      return (wake?.containerId === id ? describeWake(wake) : '') + (await ports.runtime.logs(id, logOptions));
    },
    prometheus: () => metrics.prometheus(),
  });

  return {
    app: withCloudFrontHost(app),
    pipeline,
    endpoint: { routes, gate, metrics },
    async tick() {
      const { slept } = await reapIdleDemos({ store, runtime: ports.runtime, activity: ports.activity, clock: ports.clock });
      const { advanced, interrupted } = await pipeline.reconcile();
      return { slept, advanced, interrupted };
    },
  };
}

/** Rollbacks read kept images from ECR; the API starts them only where a release function is configured (else it answers 409). */
function rollbacksOf({ releases, builder }: AwsPorts): EventRollbacks | undefined {
  const { inspectImage, keptImages } = builder;
  return inspectImage ? { images: { inspectImage, keptImages }, queue: releases } : undefined;
}

/**
 * The caller's address from the Lambda event: payload 2.0 (Function URL) has it in the request
 * context; through CloudFront that is CloudFront's address and the viewer's is in
 * CloudFront-Viewer-Address (`ip:port`); an ALB event has only X-Forwarded-For, whose last
 * entry is the one the load balancer added (earlier ones are whatever the client sent).
 */
function sourceIp(env: unknown): string {
  const event = (env as { event?: { headers?: Record<string, string | undefined>; requestContext?: { http?: { sourceIp?: string } } } } | undefined)?.event;
  const viewer = event?.headers?.['cloudfront-viewer-address'];
  if (viewer) return viewer.slice(0, viewer.lastIndexOf(':'));
  return event?.requestContext?.http?.sourceIp ?? event?.headers?.['x-forwarded-for']?.split(',').pop()?.trim() ?? '';
}
