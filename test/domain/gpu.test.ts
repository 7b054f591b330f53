import { describe, expect, it } from 'vitest';
import { gpuCount } from '../../gateway/domain/gpu.ts';
import type { GpuSetting } from '../../gateway/domain/types.ts';

type Case = readonly [name: string, setting: GpuSetting, gpu: boolean, gpuLabel: number | 'off' | null, expected: number];

const cases: Case[] = [
  ['never attaches a GPU when the project says off, even on a CUDA base', 'off', true, 2, 0],
  ['attaches the number the project asks for on a CPU base', 3, false, null, 3],
  ['lets the project number win over the label', 1, true, 4, 1],
  ['attaches none when the project asks for 0', 0, true, null, 0],
  ['follows LABEL portico.gpu=off under auto', 'auto', true, 'off', 0],
  ['follows a LABEL portico.gpu count under auto', 'auto', false, 2, 2],
  ['attaches one GPU to a CUDA base under auto', 'auto', true, null, 1],
  ['attaches none to a CPU base under auto', 'auto', false, null, 0],
];

describe('gpuCount', () => {
  it.each(cases)('%s', (_name, setting, gpu, gpuLabel, expected) => {
    expect(gpuCount(setting, { gpu, gpuLabel })).toBe(expected);
  });
});
