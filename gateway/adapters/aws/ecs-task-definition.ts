import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { withPortConventions } from '../../domain/port-env.ts';
import type { StartRequest } from '../../ports/container-runtime.ts';

/** The name of the one container in every Portico task. */
export const CONTAINER_NAME = 'app';

export interface TaskDefinitionSettings {
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  readonly logGroup: string;
  readonly region: string;
}

/** One task family per project: each deployment registers a new revision of it. */
export function taskFamily(projectId: string): string {
  return `portico-${projectId}`;
}

/**
 * One ECS service per deployment, like one container per deployment locally: the pipeline
 * starts the new one beside the serving one and removes the old one only once the new one
 * answers, so a failed deployment never touches what serves.
 */
export function serviceName(projectId: string, deploymentId: string): string {
  return `portico-${projectId}-${deploymentId.slice(0, 8)}`;
}

/** True when `name` is a service `serviceName` made for this project (not for one whose id merely starts the same). */
export function isProjectService(name: string, projectId: string): boolean {
  const prefix = `portico-${projectId}-`;
  return name.startsWith(prefix) && /^[0-9a-zA-Z_]{1,8}$/.test(name.slice(prefix.length));
}

/** ECS CPU units: 1024 to a vCPU, at least 128 (what ECS accepts for a container). */
export function cpuUnits(nanoCpus: number): number {
  return Math.max(128, Math.round((nanoCpus / 1e9) * 1024));
}

/** Whole MiB, rounded up so the limit never drops below what was asked. */
export function memoryMiB(memoryBytes: number): number {
  return Math.max(6, Math.ceil(memoryBytes / 2 ** 20));
}

/** Fargate's task sizes: each CPU step and the memory (MiB) it allows. */
const FARGATE_SIZES: readonly { readonly cpu: number; readonly memory: readonly number[] }[] = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: range(1024, 4096, 1024) },
  { cpu: 1024, memory: range(2048, 8192, 1024) },
  { cpu: 2048, memory: range(4096, 16384, 1024) },
  { cpu: 4096, memory: range(8192, 30720, 1024) },
  { cpu: 8192, memory: range(16384, 61440, 4096) },
  { cpu: 16384, memory: range(32768, 122880, 8192) },
];

/**
 * The smallest Fargate task size that holds the request: Fargate accepts only these
 * combinations and refuses the task definition otherwise. Null when nothing is big enough.
 */
export function fargateSize(cpu: number, memory: number): { readonly cpu: number; readonly memory: number } | null {
  for (const size of FARGATE_SIZES) {
    if (size.cpu < cpu) continue;
    const fits = size.memory.find((candidate) => candidate >= memory);
    if (fits !== undefined) return { cpu: size.cpu, memory: fits };
  }
  return null;
}

/**
 * The task definition for one deployment. CPU demos run on Fargate; GPU demos on the EC2 GPU
 * capacity provider (Fargate has no GPUs), both in awsvpc mode so every task has its own
 * private IP the gateway proxies to.
 */
export function taskDefinitionInput(request: StartRequest, settings: TaskDefinitionSettings): RegisterTaskDefinitionCommandInput {
  const gpu = request.gpus > 0;
  const cpu = cpuUnits(request.nanoCpus);
  const memory = memoryMiB(request.memoryBytes);
  // PORT, and the Gradio and Streamlit variables, for the declared port unless the project sets them.
  const env = withPortConventions(request.env, request.port);
  const fargate = gpu ? null : fargateSize(cpu, memory);
  return {
    family: taskFamily(request.projectId),
    networkMode: 'awsvpc',
    requiresCompatibilities: [gpu ? 'EC2' : 'FARGATE'],
    executionRoleArn: settings.executionRoleArn,
    taskRoleArn: settings.taskRoleArn,
    ...(fargate ? { cpu: String(fargate.cpu), memory: String(fargate.memory) } : {}),
    containerDefinitions: [
      {
        name: CONTAINER_NAME,
        image: request.image,
        essential: true,
        portMappings: [{ containerPort: request.port, protocol: 'tcp' }],
        environment: Object.entries(env).map(([name, value]) => ({ name, value })),
        cpu,
        memory,
        ...(gpu ? { resourceRequirements: [{ type: 'GPU', value: String(request.gpus) }] } : {}),
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': settings.logGroup, 'awslogs-region': settings.region, 'awslogs-stream-prefix': request.projectId },
        },
      },
    ],
    tags: [
      { key: 'portico.project', value: request.projectId },
      { key: 'portico.deployment', value: request.deploymentId },
    ],
  };
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}
