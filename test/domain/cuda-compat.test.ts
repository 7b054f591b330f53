import { describe, expect, it } from 'vitest';
import {
  KNOWN_GPUS,
  compareDriverVersions,
  computeCapabilityOf,
  driverSupports,
  knownGpusFor,
  minComputeCapabilityFor,
  minDriverFor,
  supportsComputeCapability,
} from '../../gateway/domain/cuda-compat.ts';

describe('minDriverFor', () => {
  it.each([
    ['9.0', '384.81'], ['9.2', '396.26'],
    ['10.0', '410.48'], ['10.1', '418.39'], ['10.2', '440.33'],
    ['11.0', '450.36.06'], ['11.1', '455.23'], ['11.2', '460.27.03'], ['11.3', '465.19.01'], ['11.4', '470.42.01'],
    ['11.5', '495.29.05'], ['11.6', '510.39.01'], ['11.7', '515.43.04'], ['11.8', '520.61.05'],
    ['12.0', '525.60.13'], ['12.1', '530.30.02'], ['12.2', '535.54.03'], ['12.3', '545.23.06'], ['12.4', '550.54.14'],
    ['12.5', '555.42.02'], ['12.6', '560.28.03'], ['12.8', '570.26'], ['12.9', '575.51.03'],
    ['13.0', '580.65.06'], ['13.1', '590.44.01'], ['13.2', '595.45.04'],
  ])('gives CUDA %s the GA driver %s from NVIDIA\'s release notes', (cuda, driver) => {
    expect(minDriverFor(cuda)).toBe(driver);
  });

  it('reads a full major.minor.patch version by its minor', () => {
    expect(minDriverFor('12.4.1')).toBe('550.54.14');
  });

  it('gives a minor that never shipped (12.7) the minimum of the release before it', () => {
    expect(minDriverFor('12.7')).toBe('560.28.03');
  });

  it('gives a CUDA newer than the table at least the newest known minimum', () => {
    expect(minDriverFor('14.0')).toBe('595.45.04');
  });

  it.each(['8.0', '7.5', 'latest', '', '12', 'v12.1'])('knows no minimum for %j', (cuda) => {
    expect(minDriverFor(cuda)).toBeNull();
  });
});

describe('compareDriverVersions', () => {
  it.each([
    ['535.104.05', '570.26', -1],
    ['570.26', '535.104.05', 1],
    ['550.54.14', '550.54.14', 0],
    ['550.54.15', '550.54.14', 1],
    ['570.26', '570.26.0', 0],
    ['470.42.01', '470.42.1', 0],
    ['1000.1', '999.99.99', 1],
    ['535.9', '535.10', -1],
  ] as const)('compares %s with %s numerically as %i', (a, b, expected) => {
    expect(compareDriverVersions(a, b)).toBe(expected);
  });

  it('refuses text that is not a version, naming it', () => {
    expect(() => compareDriverVersions('N/A', '550.54.14')).toThrow("'N/A' is not a dotted version number");
  });
});

describe('driverSupports', () => {
  it.each([
    ['550.54.14', '12.4', true],
    ['550.54.13', '12.4', false],
    ['535.104.05', '12.8', false],
    ['570.26', '12.8', true],
    ['535.104.05', '12.2', true],
    ['535.104.05', '12.3', false],
    ['525.85.12', '12.1', false],
    ['470.82.01', '11.4', true],
    ['470.82.01', '11.5', false],
    ['580.65.06', '13.0', true],
    ['575.57.08', '13.0', false],
    ['580.65.06', '10.1', true],
    ['418.39', '10.1', true],
    ['410.48', '10.1', false],
    ['384.81', '8.0', true],
  ] as const)('says driver %s runs CUDA %s: %s', (driver, cuda, expected) => {
    expect(driverSupports(driver, cuda)).toBe(expected);
  });

  it('does not apply minor version compatibility: a 12.8 image needs 570, not 525', () => {
    expect(driverSupports('525.60.13', '12.0')).toBe(true);
    expect(driverSupports('525.60.13', '12.8')).toBe(false);
  });
});

describe('supportsComputeCapability', () => {
  it.each([
    ['13.0', '7.5', true],
    ['13.0', '7.0', false],
    ['13.1', '6.0', false],
    ['13.0', '9.0', true],
    ['12.4', '5.0', true],
    ['12.4', '3.7', false],
    ['12.0', '5.2', true],
    ['11.8', '3.7', true],
    ['11.8', '3.5', true],
    ['11.0', '3.0', false],
    ['10.2', '3.0', true],
    ['10.2', '2.1', false],
    ['9.0', '3.0', true],
    ['12.8', '12.0', true],
    ['14.0', '7.5', true],
    ['14.0', '7.0', false],
  ] as const)('says CUDA %s runs on compute capability %s: %s', (cuda, cc, expected) => {
    expect(supportsComputeCapability(cuda, cc)).toBe(expected);
  });

  it('sets no upper bound: CUDA 10.1 still runs on an H100 through PTX', () => {
    expect(supportsComputeCapability('10.1', '9.0')).toBe(true);
  });

  it('knows no architecture limit for CUDA older than 9', () => {
    expect(minComputeCapabilityFor('8.0')).toBeNull();
    expect(supportsComputeCapability('8.0', '2.0')).toBe(true);
  });
});

describe('known GPU models', () => {
  it.each([
    ['Tesla T4', '7.5'],
    ['Tesla V100-SXM2-16GB', '7.0'],
    ['NVIDIA A10G', '8.6'],
    ['NVIDIA A10', '8.6'],
    ['NVIDIA A100-SXM4-40GB', '8.0'],
    ['NVIDIA A100 80GB PCIe', '8.0'],
    ['NVIDIA L4', '8.9'],
    ['NVIDIA L40S', '8.9'],
    ['NVIDIA H100 80GB HBM3', '9.0'],
    ['Tesla K80', '3.7'],
    ['Tesla P100-PCIE-16GB', '6.0'],
    ['Tesla M60', '5.2'],
    ['tesla t4', '7.5'],
  ])('gives %s compute capability %s', (model, cc) => {
    expect(computeCapabilityOf(model)).toBe(cc);
  });

  it.each(['NVIDIA GeForce RTX 4090', 'Quadro RTX 6000', '', 'constructor'])('does not guess for %j', (model) => {
    expect(computeCapabilityOf(model)).toBeNull();
  });

  it('lists the known GPUs CUDA 13 still runs on, oldest architecture first', () => {
    expect(knownGpusFor('13.0')).toEqual(['T4', 'A100', 'A10', 'A10G', 'L4', 'L40S', 'H100', 'H200']);
  });

  it('lists every known GPU but the K80 for CUDA 12', () => {
    expect(knownGpusFor('12.4')).not.toContain('K80');
    expect(knownGpusFor('12.4')).toHaveLength(Object.keys(KNOWN_GPUS).length - 1);
  });
});
