import { describe, expect, it } from 'vitest';
import { parseGpuPools } from '../../gateway/domain/gpu-pools.ts';

const t4 = { name: 't4', gpuModel: 'Tesla T4', computeCapability: '7.5', driverVersion: '550.54.14', maxGpus: 1 };
const json = (value: unknown): string => JSON.stringify(value);

describe('parseGpuPools', () => {
  it('reads pools in order, with instanceTypes defaulting to none', () => {
    const pools = parseGpuPools(
      json([t4, { name: 'a10g-x4', gpuModel: 'NVIDIA A10G', computeCapability: '8.6', driverVersion: '570.26', maxGpus: 4, instanceTypes: ['g5.12xlarge', 'g5.24xlarge'] }]),
    );
    expect(pools).toEqual([
      { ...t4, instanceTypes: [] },
      { name: 'a10g-x4', gpuModel: 'NVIDIA A10G', computeCapability: '8.6', driverVersion: '570.26', maxGpus: 4, instanceTypes: ['g5.12xlarge', 'g5.24xlarge'] },
    ]);
  });

  it('reads an empty list as no pools', () => {
    expect(parseGpuPools('[]')).toEqual([]);
  });

  it('takes the compute capability from a GPU model it knows when the field is left out', () => {
    const { computeCapability: _, ...withoutCc } = t4;
    expect(parseGpuPools(json([{ ...withoutCc, gpuModel: 'NVIDIA L4' }]))[0]?.computeCapability).toBe('8.9');
  });

  it('lets an explicit compute capability win over the model table', () => {
    expect(parseGpuPools(json([{ ...t4, computeCapability: '8.0' }]))[0]?.computeCapability).toBe('8.0');
  });

  it('trims the GPU model', () => {
    expect(parseGpuPools(json([{ ...t4, gpuModel: '  Tesla T4 ' }]))[0]?.gpuModel).toBe('Tesla T4');
  });

  it.each([
    ['text that is not JSON', '[{name: t4}]', 'GPU pools are not valid JSON'],
    ['a single object instead of a list', json(t4), 'GPU pools must be a JSON array of pools'],
    ['a pool that is not an object', json([t4, 'a100']), 'GPU pool 1 must be an object like {"name":"t4"'],
    ['a pool that is a list', json([[t4]]), 'GPU pool 0 must be an object'],
    ['an unknown field', json([{ ...t4, maxGPUs: 2 }]), 'GPU pool 0: unknown field "maxGPUs"; the fields are name, gpuModel, computeCapability, driverVersion, maxGpus, instanceTypes'],
    ['a missing name', json([{ ...t4, name: undefined }]), 'GPU pool 0: name must be a name of letters, digits'],
    ['a name with spaces', json([{ ...t4, name: 'my pool' }]), 'GPU pool 0: name must be a name of letters, digits, ".", "_" or "-" (up to 63), e.g. "t4", got "my pool"'],
    ['an empty GPU model', json([{ ...t4, gpuModel: ' ' }]), 'GPU pool 0: gpuModel must be the GPU model as nvidia-smi names it'],
    ['a compute capability given as a number', json([{ ...t4, computeCapability: 7.5 }]), 'GPU pool 0: computeCapability must be the GPU\'s compute capability as a string "major.minor", e.g. "7.5"'],
    ['a compute capability without a minor', json([{ ...t4, computeCapability: '7' }]), 'computeCapability must be', ],
    ['an sm_ compute capability', json([{ ...t4, computeCapability: 'sm_75' }]), 'got "sm_75"'],
    [
      'no compute capability for a model it does not know',
      json([{ name: 'rtx', gpuModel: 'NVIDIA GeForce RTX 4090', driverVersion: '550.54.14', maxGpus: 1 }]),
      'GPU pool 0: computeCapability must be the GPU\'s compute capability as a string "major.minor", e.g. "7.5" for a T4 (nvidia-smi --query-gpu=compute_cap); it may be left out only for GPUs Portico knows (K80, M60',
    ],
    ['a driver version without dots', json([{ ...t4, driverVersion: '550' }]), 'GPU pool 0: driverVersion must be the host NVIDIA driver version as a string, e.g. "550.54.14"'],
    ['a driver version as a number', json([{ ...t4, driverVersion: 550.54 }]), 'driverVersion must be the host NVIDIA driver version as a string, e.g. "550.54.14" (nvidia-smi --query-gpu=driver_version), got 550.54'],
    ['a missing maxGpus', json([{ ...t4, maxGpus: undefined }]), 'GPU pool 0: maxGpus must be a positive whole number of GPUs, e.g. 1, got nothing'],
    ['maxGpus of 0', json([{ ...t4, maxGpus: 0 }]), 'GPU pool 0: maxGpus must be a positive whole number of GPUs, e.g. 1, got 0'],
    ['a fractional maxGpus', json([{ ...t4, maxGpus: 1.5 }]), 'maxGpus must be a positive whole number'],
    ['maxGpus as text', json([{ ...t4, maxGpus: '2' }]), 'maxGpus must be a positive whole number of GPUs, e.g. 1, got "2"'],
    ['instanceTypes that is not a list', json([{ ...t4, instanceTypes: 'g4dn.xlarge' }]), 'GPU pool 0: instanceTypes must be a list of EC2 instance types, e.g. ["g4dn.xlarge"], or left out'],
    ['an instance type that is not one', json([{ ...t4, instanceTypes: ['g4dn.xlarge', 'big one'] }]), 'instanceTypes must be a list of EC2 instance types'],
    ['two pools with one name', json([t4, { ...t4, maxGpus: 2 }, { ...t4, name: 'other' }]), 'GPU pool 1: name "t4" is already used by pool 0; give each pool its own name'],
    ['an error in a later pool', json([t4, { ...t4, name: 'v100', driverVersion: 'latest' }]), 'GPU pool 1: driverVersion must be'],
  ])('refuses %s, naming the pool and field', (_case, text, message) => {
    expect(() => parseGpuPools(text)).toThrow(message);
  });
});
