import { describe, expect, it } from 'vitest';
import { parsePorticoConfig } from '../../cdk/config.ts';
import { TOKEN_SHA256 } from './make-props.ts';
import { gpuPoolsOf } from '../../cdk/gpu-pools.ts';
import { parseGpuPools } from '../../gateway/domain/gpu-pools.ts';

describe('gpuPoolsOf', () => {
  it('gives the gateway each pool with maxGpus = GPUs per instance and its instance types', () => {
    const { gpuPools } = parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256,
      gpuPools: [
        { name: 't4', instanceTypes: ['g4dn.xlarge'], maxInstances: 5, gpuModel: 'T4', driverVersion: '550.144.03' },
        { name: 'quad', instanceTypes: ['g5.12xlarge'], maxInstances: 1, gpusPerInstance: 4, gpuModel: 'A10G', driverVersion: '570.86.15' },
      ],
    });
    expect(gpuPoolsOf(gpuPools)).toEqual([
      { name: 't4', gpuModel: 'T4', driverVersion: '550.144.03', maxGpus: 1, instanceTypes: ['g4dn.xlarge'] },
      { name: 'quad', gpuModel: 'A10G', driverVersion: '570.86.15', maxGpus: 4, instanceTypes: ['g5.12xlarge'] },
    ]);
  });

  it('is read back by the gateway parser, which fills in the compute capability of a known GPU', () => {
    const { gpuPools } = parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256 });
    expect(parseGpuPools(JSON.stringify(gpuPoolsOf(gpuPools)))).toEqual([
      { name: 'gpu', gpuModel: 'T4', computeCapability: '7.5', driverVersion: '550.144.03', maxGpus: 1, instanceTypes: ['g4dn.xlarge'] },
    ]);
  });

  it('passes an operator-given compute capability through', () => {
    const { gpuPools } = parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256,
      gpuPools: [{ name: 'x', instanceTypes: ['p5.48xlarge'], maxInstances: 1, gpusPerInstance: 8, gpuModel: 'Next GPU', computeCapability: '10.0', driverVersion: '580.65.06' }],
    });
    expect(parseGpuPools(JSON.stringify(gpuPoolsOf(gpuPools)))[0]).toMatchObject({ computeCapability: '10.0', maxGpus: 8 });
  });
});
