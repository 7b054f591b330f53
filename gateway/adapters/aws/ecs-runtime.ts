import type { ECSClient, Service, Task } from '@aws-sdk/client-ecs';
import type { ContainerRef } from '../../domain/types.ts';
import { PorticoError, messageOf } from '../../errors.ts';
import { systemClock, type Clock } from '../../ports/clock.ts';
import type { AsyncWake, ContainerRuntime, ContainerStatus, ReadyContainer, ReadyOptions, StartRequest } from '../../ports/container-runtime.ts';
import { awsErrorName, withAws } from './aws-errors.ts';
import type { Sender } from './sdk-on-first-use.ts';
import { describeTimings, taskTimings } from './task-timings.ts';
import type { LogTail } from './cloudwatch-log-tail.ts';
import { CONTAINER_NAME, cpuUnits, fargateSize, isProjectService, memoryMiB, serviceName, taskDefinitionInput } from './ecs-task-definition.ts';

export interface CapacityProviderShare {
  readonly capacityProvider: string;
  readonly weight: number;
}

export interface EcsRuntimeDeps {
  readonly client: Sender<ECSClient>;
  readonly cluster: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  readonly logGroup: string;
  readonly region: string;
  /** Reads the task's output from CloudWatch Logs, where the awslogs driver sends it. */
  readonly logTail: LogTail;
  /** FARGATE / FARGATE_SPOT shares for CPU (null), the pool's EC2 capacity provider for a GPU pool. */
  readonly capacityProviderFor: (pool: string | null) => readonly CapacityProviderShare[];
  readonly fetchImpl?: typeof fetch;
  readonly clock?: Clock;
  /** How long `start` and `resume` wait for ECS to place a task and give it an IP (a GPU instance may have to boot). */
  readonly placementTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** Where a task's start timings go once it first answers (default: a JSON line on stdout, the function's or service's log). */
  readonly log?: (line: string) => void;
}

/** Tasks whose timings were logged are remembered so each is logged once; this many at most. */
const REPORTED_TASKS = 1000;

const PROBE_TIMEOUT_MS = 2_000;
/** The ECS SDK, imported by the first call that needs it (sdk-on-first-use.ts). */
const sdk = () => import('@aws-sdk/client-ecs');
const GONE = new Set(['ServiceNotFoundException', 'ServiceNotActiveException']);

/**
 * Runs each deployment as an ECS service of one task. The ContainerRef id is the service name;
 * its upstream is the task's private IP in the VPC. `start` and `resume` wait until ECS reports
 * a RUNNING task with an IP (so the pipeline can record the address at once); `waitUntilReady`
 * then probes that address over HTTP. ECS cannot freeze a task, so `pause` is `stop`
 * (desiredCount 0) and a resume boots a fresh task at a new IP.
 */
export function createEcsRuntime(deps: EcsRuntimeDeps): ContainerRuntime & AsyncWake {
  const { client, cluster } = deps;
  const fetchImpl = deps.fetchImpl ?? fetch;
  const clock = deps.clock ?? systemClock;
  const placementTimeoutMs = deps.placementTimeoutMs ?? 15 * 60_000;
  const pollIntervalMs = deps.pollIntervalMs ?? 3_000;
  const where = `ECS cluster ${cluster} (${deps.region})`;
  const log = deps.log ?? ((line: string) => console.log(line));
  /**
   * Services this instance started or woke: only their tasks' starts are reported. Another gateway
   * instance that merely finds a task running (Lambda runs many) did not see it start, and its
   * first answer would be a request's, long after the task's.
   */
  const expecting = new Set<string>();
  /** Running tasks of those services seen but not yet answering, by upstream: reported at the first answer. */
  const starting = new Map<string, { readonly service: string; readonly task: Task }>();
  const reported = new Set<string>();
  const remember = (set: Set<string>, value: string) => {
    set.add(value);
    if (set.size > REPORTED_TASKS) set.delete(set.values().next().value!);
  };

  function sawRunning(service: string, task: Task, upstream: string): void {
    if (expecting.has(service) && task.taskArn && !reported.has(task.taskArn)) starting.set(upstream, { service, task });
  }

  /** What this task's start waited on (placement, pull, start, first answer), once per task. */
  async function reportAnswer(upstream: string): Promise<ReadyContainer['started']> {
    const seen = starting.get(upstream);
    if (!seen?.task.taskArn) return undefined;
    starting.delete(upstream);
    expecting.delete(seen.service);
    remember(reported, seen.task.taskArn);
    const answeredAt = clock.now();
    const timings = taskTimings(seen.task, answeredAt, await instanceRegisteredAt(seen.task));
    const { capacityProviderName: capacityProvider, containerInstanceArn: containerInstance } = seen.task;
    log(JSON.stringify({ msg: 'ecs task timings', service: seen.service, task: seen.task.taskArn, capacityProvider, containerInstance, ...timings, summary: describeTimings(timings) }));
    return { runId: seen.task.taskArn, timings };
  }

  /**
   * When the EC2 instance a task runs on joined the cluster (a GPU pool's instance; Fargate tasks
   * have none). Unknown when ECS cannot say: the timings are still worth reporting without it.
   */
  async function instanceRegisteredAt(task: Task): Promise<Date | undefined> {
    if (!task.containerInstanceArn) return undefined;
    try {
      const output = await ecs(async () => client.send(new (await sdk()).DescribeContainerInstancesCommand({ cluster, containerInstances: [task.containerInstanceArn!] })));
      return output.containerInstances?.[0]?.registeredAt;
    } catch (error) {
      log(JSON.stringify({ msg: 'could not read when the task’s container instance joined the cluster', task: task.taskArn, error: messageOf(error) }));
      return undefined;
    }
  }
  const ecs = <T>(call: () => Promise<T>) => withAws(where, call);

  async function start(request: StartRequest): Promise<ContainerRef> {
    const pool = request.pool ?? null;
    if (request.gpus > 0 && pool === null) {
      throw new PorticoError('start_failed', `this demo asks for ${request.gpus} GPU(s) but no GPU pool was chosen for it; Fargate has no GPUs, so configure a GPU pool or deploy with gpu "off"`);
    }
    if (request.gpus === 0 && !fargateSize(cpuUnits(request.nanoCpus), memoryMiB(request.memoryBytes))) {
      throw new PorticoError('start_failed', `this demo asks for ${request.nanoCpus / 1e9} vCPU and ${memoryMiB(request.memoryBytes)} MiB, more than Fargate's largest task (16 vCPU, 120 GiB); lower its memory limit`);
    }
    const registered = await ecs(async () => client.send(new (await sdk()).RegisterTaskDefinitionCommand(taskDefinitionInput(request, deps)))).catch((error: unknown) => {
      throw startError(`ECS refused the task definition for image ${request.image}`, error);
    });
    const taskDefinition = registered.taskDefinition?.taskDefinitionArn;
    if (!taskDefinition) throw new PorticoError('start_failed', `ECS registered no task definition for image ${request.image}`);

    const name = serviceName(request.projectId, request.deploymentId);
    remember(expecting, name);
    const capacityProviderStrategy = deps.capacityProviderFor(pool).map((share) => ({ ...share }));
    const networkConfiguration = { awsvpcConfiguration: { subnets: [...deps.subnets], securityGroups: [...deps.securityGroups], assignPublicIp: 'DISABLED' as const } };
    try {
      // A retried start of the same deployment finds its service: point it at the new revision.
      await ecs(async () =>
        client.send(new (await sdk()).UpdateServiceCommand({ cluster, service: name, taskDefinition, desiredCount: 1, capacityProviderStrategy, networkConfiguration, forceNewDeployment: true })),
      );
    } catch (error) {
      if (!GONE.has(awsErrorName(error) ?? '')) throw startError(`ECS could not update service ${name}`, error);
      await ecs(async () =>
        client.send(
          new (await sdk()).CreateServiceCommand({
            cluster,
            serviceName: name,
            taskDefinition,
            desiredCount: 1,
            capacityProviderStrategy,
            networkConfiguration,
            propagateTags: 'TASK_DEFINITION',
            // The port tag lets `locate` and `resume` rebuild the address after a gateway restart.
            tags: [
              { key: 'portico.project', value: request.projectId },
              { key: 'portico.deployment', value: request.deploymentId },
              { key: 'portico.port', value: String(request.port) },
            ],
          }),
        ),
      ).catch((createError: unknown) => {
        throw startError(`ECS could not create service ${name}`, createError);
      });
    }
    return { id: name, upstream: await waitForTask(name, request.port, (task) => task.taskDefinitionArn === taskDefinition) };
  }

  /**
   * Polls until the service has a RUNNING task that `ours` accepts and returns its address.
   * When none runs and one of ours stopped instead, fails at once with ECS's reason (`ours`
   * keeps out tasks stopped by an earlier deployment or an earlier sleep).
   */
  async function waitForTask(name: string, port: number, ours: (task: Task) => boolean): Promise<string> {
    const deadline = clock.now().getTime() + placementTimeoutMs;
    for (;;) {
      const running = (await tasksOf(name, 'RUNNING')).filter(ours);
      const ready = running.find((task) => task.lastStatus === 'RUNNING' && privateIp(task));
      if (ready) {
        const upstream = `http://${privateIp(ready)}:${port}`;
        sawRunning(name, ready, upstream);
        return upstream;
      }
      const stopped = (await tasksOf(name, 'STOPPED')).find(ours);
      if (stopped && running.length === 0) throw new PorticoError('start_failed', `the task of service ${name} stopped before it ran: ${stopReason(stopped)}`);
      if (clock.now().getTime() >= deadline) {
        throw new PorticoError('start_failed', `ECS placed no running task for service ${name} within ${placementTimeoutMs / 1000}s; check the cluster's capacity (for GPU pools: the Auto Scaling group and instance quota)`);
      }
      await clock.sleep(pollIntervalMs);
    }
  }

  async function tasksOf(name: string, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<Task[]> {
    const listed = await ecs(async () => client.send(new (await sdk()).ListTasksCommand({ cluster, serviceName: name, desiredStatus })));
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) return [];
    const described = await ecs(async () => client.send(new (await sdk()).DescribeTasksCommand({ cluster, tasks: arns })));
    return described.tasks ?? [];
  }

  /** Probes the declared port only: a task's socket table is not readable through ECS. */
  async function waitUntilReady(ref: ContainerRef, options: ReadyOptions): Promise<ReadyContainer> {
    const interval = options.probeIntervalMs ?? pollIntervalMs;
    const deadline = clock.now().getTime() + options.startupTimeoutMs;
    for (;;) {
      const remaining = deadline - clock.now().getTime();
      const reason = await probe(ref.upstream, Math.max(1, Math.min(PROBE_TIMEOUT_MS, remaining)));
      if (reason === null) {
        const started = await reportAnswer(ref.upstream);
        return { container: ref, port: ref.port ?? Number(new URL(ref.upstream).port), ...(started ? { started } : {}) };
      }
      if (clock.now().getTime() >= deadline) {
        throw new PorticoError(
          'start_failed',
          `service ${ref.id} did not answer HTTP at ${ref.upstream} within ${options.startupTimeoutMs / 1000}s: is the app listening on 0.0.0.0? (last try: ${reason}); its log is in CloudWatch log group ${deps.logGroup}`,
        );
      }
      await clock.sleep(interval);
    }
  }

  /** Null when the app answered with any status (its status is its own business), else why not. */
  async function probe(url: string, timeoutMs: number): Promise<string | null> {
    try {
      const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'portico-probe' } });
      await response.body?.cancel();
      return null;
    } catch (error) {
      return messageOf(error);
    }
  }

  /** The service, or null when ECS has none by that name or it was deleted (INACTIVE). */
  async function describe(name: string) {
    const output = await ecs(async () => client.send(new (await sdk()).DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] })));
    const service = output.services?.find((candidate) => candidate.serviceName === name);
    return service && service.status !== 'INACTIVE' ? service : null;
  }

  async function locate(name: string): Promise<ContainerRef | null> {
    const service = await describe(name);
    if (!service) return null;
    const task = (await tasksOf(name, 'RUNNING')).find((candidate) => candidate.lastStatus === 'RUNNING' && privateIp(candidate));
    if (!task) return null;
    const upstream = `http://${privateIp(task)}:${portOf(service)}`;
    sawRunning(name, task, upstream);
    return { id: name, upstream };
  }

  /** No freezing on ECS: `paused` is never reported, a scaled-down service is `stopped`. */
  async function status(name: string): Promise<ContainerStatus> {
    const service = await describe(name);
    if (!service) return 'missing';
    return (service.runningCount ?? 0) > 0 ? 'running' : 'stopped';
  }

  async function scale(name: string, desiredCount: number): Promise<void> {
    await ecs(async () => client.send(new (await sdk()).UpdateServiceCommand({ cluster, service: name, desiredCount })));
  }

  /** Scales to zero; a missing or deleted service has nothing to stop. */
  async function stop(name: string): Promise<void> {
    await scale(name, 0).catch(ignoreGone);
  }

  /** Scales back to one task and waits for it to run; running already is success (ECS keeps the one task). */
  async function resume(name: string): Promise<ContainerRef> {
    const gone = (cause?: unknown) => new PorticoError('start_failed', `service ${name} no longer exists, so it cannot be woken; deploy the project again`, { cause });
    const service = await describe(name);
    if (!service) throw gone();
    const since = clock.now().getTime();
    remember(expecting, name);
    try {
      await scale(name, 1);
    } catch (error) {
      if (GONE.has(awsErrorName(error) ?? '')) throw gone(error);
      throw startError(`ECS could not wake service ${name}`, error);
    }
    // A task that was already running counts; a stopped one counts only if this wake started it.
    const ours = (task: Task) => task.desiredStatus === 'RUNNING' || (task.createdAt?.getTime() ?? 0) >= since;
    return { id: name, upstream: await waitForTask(name, portOf(service), ours) };
  }

  /** Asks ECS for one task again and returns at once; the gateway routes once the task answers. */
  async function requestWake(name: string): Promise<void> {
    remember(expecting, name);
    await scale(name, 1).catch((error: unknown) => {
      if (GONE.has(awsErrorName(error) ?? '')) throw new PorticoError('start_failed', `service ${name} no longer exists, so it cannot be woken; deploy the project again`, { cause: error });
      throw startError(`ECS could not wake service ${name}`, error);
    });
  }

  async function remove(name: string): Promise<void> {
    await scale(name, 0).catch(ignoreGone);
    await ecs(async () => client.send(new (await sdk()).DeleteServiceCommand({ cluster, service: name, force: true }))).catch(ignoreGone);
  }

  async function removeProjectContainers(projectId: string): Promise<void> {
    let nextToken: string | undefined;
    do {
      const page = await ecs(async () => client.send(new (await sdk()).ListServicesCommand({ cluster, ...(nextToken ? { nextToken } : {}) })));
      for (const arn of page.serviceArns ?? []) {
        const name = arn.slice(arn.lastIndexOf('/') + 1);
        if (isProjectService(name, projectId)) await remove(name);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }

  async function ping(): Promise<void> {
    const output = await ecs(async () => client.send(new (await sdk()).DescribeClustersCommand({ clusters: [cluster] })));
    const found = output.clusters?.find((candidate) => candidate.clusterName === cluster || candidate.clusterArn === cluster);
    if (!found || found.status !== 'ACTIVE') {
      throw new PorticoError('engine_unavailable', `${where} does not exist or is not active (${found?.status ?? 'missing'}); deploy the stack with \`npx cdk deploy\` or fix the configured cluster name`);
    }
  }

  /**
   * The last lines of the service's task: the running one, else the one stopped last (ECS keeps
   * stopped tasks for about an hour). The awslogs driver names its stream
   * `<project>/<container>/<task id>` (the task definition sets the project as the prefix).
   */
  async function logs(name: string, options: { readonly tail: number }): Promise<string> {
    const projectId = name.replace(/^portico-/, '').replace(/-[^-]*$/, '');
    const where = `CloudWatch Logs group ${deps.logGroup} (${deps.region}), streams starting ${projectId}/`;
    const running = await tasksOf(name, 'RUNNING');
    const [task] = running.length > 0 ? running : (await tasksOf(name, 'STOPPED')).sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
    const taskId = task?.taskArn?.split('/').pop();
    if (!taskId) return `${name} has no running or recently stopped task, so there is no recent output; older output is in ${where}.`;
    const lines = await deps.logTail(deps.logGroup, `${projectId}/${CONTAINER_NAME}/${taskId}`, options.tail);
    if (lines === null || lines.length === 0) return `task ${taskId} of ${name} has written no output yet (${where}).`;
    return lines.join('\n') + '\n';
  }

  return { ping, start, waitUntilReady, locate, pause: stop, stop, resume, requestWake, status, logs, remove, removeProjectContainers };
}

/** The task's private IPv4 address from its awsvpc network interface. */
export function privateIp(task: Task): string | undefined {
  const eni = task.attachments?.find((attachment) => attachment.type === 'ElasticNetworkInterface');
  return eni?.details?.find((detail) => detail.name === 'privateIPv4Address')?.value;
}

/** The app's port, from the tag `start` put on the service. */
function portOf(service: Service): number {
  const tag = service.tags?.find((candidate) => candidate.key === 'portico.port')?.value;
  const port = Number(tag);
  if (!Number.isInteger(port) || port <= 0) throw new PorticoError('start_failed', `service ${service.serviceName} has no valid portico.port tag (${tag ?? 'none'}); deploy the project again`);
  return port;
}

/** ECS's reason a task stopped, with the container's own reason or exit code when there is one. */
function stopReason(task: Task): string {
  const container = task.containers?.[0];
  const detail = container?.reason ?? (container?.exitCode !== undefined ? `the app exited with code ${container.exitCode}` : undefined);
  return [task.stoppedReason, detail].filter((part) => part).join('; ') || 'no reason given';
}

function ignoreGone(error: unknown): void {
  if (!GONE.has(awsErrorName(error) ?? '')) throw error;
}

function startError(what: string, error: unknown): unknown {
  if (error instanceof PorticoError) return error;
  return new PorticoError('start_failed', `${what}: ${messageOf(error)}`, { cause: error });
}
