import { describe, expect, it } from 'vitest';
import { cpuUnits, fargateSize, isProjectService, memoryMiB, serviceName, taskDefinitionInput } from '../../../gateway/adapters/aws/ecs-task-definition.ts';
import type { StartRequest } from '../../../gateway/ports/container-runtime.ts';

const settings = {
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  taskRoleArn: 'arn:aws:iam::123456789012:role/task',
  logGroup: '/portico/demos',
  region: 'eu-west-1',
};

function request(overrides: Partial<StartRequest> = {}): StartRequest {
  return {
    projectId: 'main-gpt2-acme',
    deploymentId: '3f2a9c1e-0000-4000-8000-000000000000',
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/portico/main-gpt2-acme:3f2a9c1',
    port: 7860,
    env: { MODEL: 'gpt2' },
    memoryBytes: 2 * 2 ** 30,
    nanoCpus: 1e9,
    gpus: 0,
    ...overrides,
  };
}

describe('taskDefinitionInput', () => {
  it('puts a CPU demo on Fargate with a valid Fargate task size and the port in PORT', () => {
    expect(taskDefinitionInput(request(), settings)).toEqual({
      family: 'portico-main-gpt2-acme',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: settings.executionRoleArn,
      taskRoleArn: settings.taskRoleArn,
      cpu: '1024',
      memory: '2048',
      containerDefinitions: [
        {
          name: 'app',
          image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/portico/main-gpt2-acme:3f2a9c1',
          essential: true,
          portMappings: [{ containerPort: 7860, protocol: 'tcp' }],
          environment: [
            { name: 'PORT', value: '7860' },
            { name: 'GRADIO_SERVER_NAME', value: '0.0.0.0' },
            { name: 'GRADIO_SERVER_PORT', value: '7860' },
            { name: 'STREAMLIT_SERVER_PORT', value: '7860' },
            { name: 'STREAMLIT_SERVER_ADDRESS', value: '0.0.0.0' },
            { name: 'MODEL', value: 'gpt2' },
          ],
          cpu: 1024,
          memory: 2048,
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/portico/demos', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'main-gpt2-acme' },
          },
        },
      ],
      tags: [
        { key: 'portico.project', value: 'main-gpt2-acme' },
        { key: 'portico.deployment', value: '3f2a9c1e-0000-4000-8000-000000000000' },
      ],
    });
  });

  it('puts a GPU demo on EC2 with a GPU resource requirement and no Fargate task size', () => {
    const input = taskDefinitionInput(request({ gpus: 2, nanoCpus: 4e9, memoryBytes: 16 * 2 ** 30 }), settings);
    expect(input.requiresCompatibilities).toEqual(['EC2']);
    expect(input.networkMode).toBe('awsvpc');
    expect(input.cpu).toBeUndefined();
    expect(input.memory).toBeUndefined();
    expect(input.containerDefinitions?.[0]?.resourceRequirements).toEqual([{ type: 'GPU', value: '2' }]);
    expect(input.containerDefinitions?.[0]?.cpu).toBe(4096);
    expect(input.containerDefinitions?.[0]?.memory).toBe(16384);
  });

  it('tells the app, Gradio and Streamlit to listen on the declared port on all addresses, unless the project says otherwise', () => {
    const environment = taskDefinitionInput(request({ env: { GRADIO_SERVER_NAME: '::', STREAMLIT_SERVER_PORT: '8502' } }), settings).containerDefinitions?.[0]?.environment;
    expect(environment).toEqual([
      { name: 'PORT', value: '7860' },
      { name: 'GRADIO_SERVER_NAME', value: '::' },
      { name: 'GRADIO_SERVER_PORT', value: '7860' },
      { name: 'STREAMLIT_SERVER_PORT', value: '8502' },
      { name: 'STREAMLIT_SERVER_ADDRESS', value: '0.0.0.0' },
    ]);
  });
});

describe('sizes', () => {
  it('converts nano-CPUs to ECS CPU units, 1024 to a vCPU', () => {
    expect(cpuUnits(0.5e9)).toBe(512);
    expect(cpuUnits(2e9)).toBe(2048);
    expect(cpuUnits(1e6)).toBe(128);
  });

  it('rounds memory up to whole MiB', () => {
    expect(memoryMiB(512 * 2 ** 20)).toBe(512);
    expect(memoryMiB(512 * 2 ** 20 + 1)).toBe(513);
  });

  it('picks the smallest Fargate size that holds cpu and memory', () => {
    expect(fargateSize(128, 300)).toEqual({ cpu: 256, memory: 512 });
    expect(fargateSize(256, 3000)).toEqual({ cpu: 512, memory: 3072 });
    expect(fargateSize(1024, 2049)).toEqual({ cpu: 1024, memory: 3072 });
    expect(fargateSize(8192, 17000)).toEqual({ cpu: 8192, memory: 20480 });
  });

  it('finds no Fargate size for more than its largest task', () => {
    expect(fargateSize(16384, 200_000)).toBeNull();
    expect(fargateSize(32768, 1024)).toBeNull();
  });
});

describe('service names', () => {
  it('names one service per deployment after the project and the deployment id', () => {
    expect(serviceName('main-gpt2-acme', '3f2a9c1e-0000-4000-8000-000000000000')).toBe('portico-main-gpt2-acme-3f2a9c1e');
  });

  it('tells a project’s services from those of a project whose id merely starts the same', () => {
    expect(isProjectService('portico-main-a-b-3f2a9c1e', 'main-a-b')).toBe(true);
    expect(isProjectService('portico-main-a-b-c-3f2a9c1e', 'main-a-b')).toBe(false);
    expect(isProjectService('portico-main-a-b-c-3f2a9c1e', 'main-a-b-c')).toBe(true);
    expect(isProjectService('other-main-a-b-3f2a9c1e', 'main-a-b')).toBe(false);
  });
});
