import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectLocalGpuPool, hasNvidiaRuntime, parseNvidiaSmi } from '../../../gateway/adapters/local/nvidia-gpu-probe.ts';

const hasNvidiaSmi = spawnSync('sh', ['-c', 'command -v nvidia-smi']).status === 0;

/** Real nvidia-smi output (`--query-gpu=name,driver_version,compute_cap --format=csv`). */
const ONE_T4 = 'name, driver_version, compute_cap\nTesla T4, 535.104.05, 7.5\n';
const FOUR_A100 = [
  'name, driver_version, compute_cap',
  'NVIDIA A100-SXM4-40GB, 550.54.14, 8.0',
  'NVIDIA A100-SXM4-40GB, 550.54.14, 8.0',
  'NVIDIA A100-SXM4-40GB, 550.54.14, 8.0',
  'NVIDIA A100-SXM4-40GB, 550.54.14, 8.0',
  '',
].join('\n');

describe('parseNvidiaSmi', () => {
  it('reads one T4', () => {
    expect(parseNvidiaSmi(ONE_T4)).toEqual([{ name: 'Tesla T4', driverVersion: '535.104.05', computeCapability: '7.5' }]);
  });

  it('reads four A100s', () => {
    const gpus = parseNvidiaSmi(FOUR_A100);
    expect(gpus).toHaveLength(4);
    expect(gpus[3]).toEqual({ name: 'NVIDIA A100-SXM4-40GB', driverVersion: '550.54.14', computeCapability: '8.0' });
  });

  it('reads output without a header, with CRLF and blank lines', () => {
    expect(parseNvidiaSmi('\r\nNVIDIA L4, 570.86.15, 8.9\r\n\r\nNVIDIA H100 80GB HBM3, 570.86.15, 9.0\r\n')).toEqual([
      { name: 'NVIDIA L4', driverVersion: '570.86.15', computeCapability: '8.9' },
      { name: 'NVIDIA H100 80GB HBM3', driverVersion: '570.86.15', computeCapability: '9.0' },
    ]);
  });

  it('reads nothing from a header alone', () => {
    expect(parseNvidiaSmi('name, driver_version, compute_cap\n')).toEqual([]);
  });

  it('takes the compute capability of a known model when nvidia-smi cannot give it', () => {
    expect(parseNvidiaSmi('name, driver_version\nTesla K80, 470.82.01\n')).toEqual([{ name: 'Tesla K80', driverVersion: '470.82.01', computeCapability: '3.7' }]);
    expect(parseNvidiaSmi('Tesla T4, 470.82.01, [N/A]')).toEqual([{ name: 'Tesla T4', driverVersion: '470.82.01', computeCapability: '7.5' }]);
  });

  it('refuses a GPU whose compute capability it cannot tell', () => {
    expect(() => parseNvidiaSmi('NVIDIA GeForce RTX 4090, 550.54.14, [N/A]')).toThrow('nvidia-smi gives no compute capability for NVIDIA GeForce RTX 4090');
  });

  it.each([
    'No devices were found',
    'Tesla T4, [N/A], 7.5',
    'Tesla T4, 535.104.05, 7.5, extra',
  ])('refuses the line %j, naming it', (line) => {
    expect(() => parseNvidiaSmi(`name, driver_version, compute_cap\n${line}\n`)).toThrow(`unexpected nvidia-smi output line: ${line}`);
  });
});

describe('detectLocalGpuPool', () => {
  let dir: string;

  /** Writes an executable shell script standing in for nvidia-smi; it records its arguments in `args.log`. */
  async function fakeNvidiaSmi(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\necho "$@" >> "${join(dir, `${name}.args.log`)}"\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-nvidia-smi-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes one pool named local from a single T4, asking nvidia-smi for name, driver and compute capability', async () => {
    const nvidiaSmi = await fakeNvidiaSmi('one-t4', `printf '${ONE_T4}'`);
    expect(await detectLocalGpuPool({ nvidiaSmi })).toEqual({
      name: 'local',
      gpuModel: 'Tesla T4',
      computeCapability: '7.5',
      driverVersion: '535.104.05',
      maxGpus: 1,
      instanceTypes: [],
    });
    expect(await readFile(`${nvidiaSmi}.args.log`, 'utf8')).toBe('--query-gpu=name,driver_version,compute_cap --format=csv\n');
  });

  it('counts every GPU into maxGpus', async () => {
    const nvidiaSmi = await fakeNvidiaSmi('four-a100', `printf '${FOUR_A100}'`);
    expect(await detectLocalGpuPool({ nvidiaSmi })).toMatchObject({ gpuModel: 'NVIDIA A100-SXM4-40GB', computeCapability: '8.0', driverVersion: '550.54.14', maxGpus: 4 });
  });

  it('asks again without compute_cap when the driver predates it, and looks the model up', async () => {
    const nvidiaSmi = await fakeNvidiaSmi(
      'old-driver',
      [
        'case "$1" in',
        `  *compute_cap*) echo 'Field "compute_cap" is not a valid field to query.'; exit 2 ;;`,
        `  *) printf 'name, driver_version\\nTesla K80, 470.82.01\\nTesla K80, 470.82.01\\n' ;;`,
        'esac',
      ].join('\n'),
    );
    expect(await detectLocalGpuPool({ nvidiaSmi })).toMatchObject({ gpuModel: 'Tesla K80', computeCapability: '3.7', driverVersion: '470.82.01', maxGpus: 2 });
    expect(await readFile(`${nvidiaSmi}.args.log`, 'utf8')).toBe(
      '--query-gpu=name,driver_version,compute_cap --format=csv\n--query-gpu=name,driver_version --format=csv\n',
    );
  });

  it('finds no pool when nvidia-smi is not installed', async () => {
    expect(await detectLocalGpuPool({ nvidiaSmi: join(dir, 'no-such-nvidia-smi') })).toBeNull();
  });

  it('finds no pool when nvidia-smi cannot reach the driver, and does not ask twice', async () => {
    const nvidiaSmi = await fakeNvidiaSmi(
      'no-driver',
      `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."; exit 9`,
    );
    expect(await detectLocalGpuPool({ nvidiaSmi })).toBeNull();
    expect((await readFile(`${nvidiaSmi}.args.log`, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('finds no pool when nvidia-smi lists no GPU', async () => {
    const nvidiaSmi = await fakeNvidiaSmi('no-gpu', `printf 'name, driver_version, compute_cap\\n'`);
    expect(await detectLocalGpuPool({ nvidiaSmi })).toBeNull();
  });

  it('finds no pool when the output cannot be read', async () => {
    const nvidiaSmi = await fakeNvidiaSmi('garbled', `echo 'No devices were found'`);
    expect(await detectLocalGpuPool({ nvidiaSmi })).toBeNull();
  });

  it('finds no pool when Docker has no NVIDIA runtime to hand the GPUs to containers', async () => {
    const nvidiaSmi = await fakeNvidiaSmi('t4-no-runtime', `printf '${ONE_T4}'`);
    expect(await detectLocalGpuPool({ nvidiaSmi, dockerRuntimes: ['io.containerd.runc.v2', 'runc'] })).toBeNull();
    expect(await detectLocalGpuPool({ nvidiaSmi, dockerRuntimes: ['runc', 'nvidia'] })).toMatchObject({ name: 'local', maxGpus: 1 });
  });

  it.skipIf(hasNvidiaSmi)('finds no pool through the default PATH lookup on a machine without nvidia-smi', async () => {
    expect(await detectLocalGpuPool()).toBeNull();
  });
});

describe('hasNvidiaRuntime', () => {
  it('finds the runtime nvidia-ctk registers', () => {
    expect(hasNvidiaRuntime({ 'io.containerd.runc.v2': { path: 'runc' }, nvidia: { path: 'nvidia-container-runtime', runtimeArgs: [] }, runc: { path: 'runc' } })).toBe(true);
  });

  it('finds an NVIDIA runtime registered under another name by its binary', () => {
    expect(hasNvidiaRuntime({ gpu: { path: '/usr/bin/nvidia-container-runtime' } })).toBe(true);
    expect(hasNvidiaRuntime({ 'nvidia-cdi': { path: '/usr/bin/nvidia-container-runtime.cdi' } })).toBe(true);
  });

  it('finds none on a plain Docker engine', () => {
    expect(hasNvidiaRuntime({ 'io.containerd.runc.v2': { path: 'runc' }, runc: { path: 'runc' } })).toBe(false);
    expect(hasNvidiaRuntime({})).toBe(false);
  });

  it('is not fooled by a runtime whose name merely contains nvidia', () => {
    expect(hasNvidiaRuntime({ 'not-nvidia': { path: '/opt/not-nvidia/runc' } })).toBe(false);
  });
});
