import { describe, expect, it } from 'vitest';
import { DEFAULT_GPU_POOL, parsePorticoConfig } from '../../cdk/config.ts';
import { TOKEN_SHA256 } from './make-props.ts';
import { PorticoError } from '../../gateway/errors.ts';

const pool = { name: 'gpu', instanceTypes: ['g4dn.xlarge'], maxInstances: 2, gpuModel: 'T4', driverVersion: '550.144.03' };

function messageFor(raw: unknown): string {
  try {
    parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, ...(raw as object) });
  } catch (error) {
    expect(error).toBeInstanceOf(PorticoError);
    return (error as PorticoError).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parsePorticoConfig', () => {
  it('refuses a stack without an API token hash and says how to make one', () => {
    expect(() => parsePorticoConfig({})).toThrow(/apiTokenSha256: is required: the management API is public on AWS; .*sha256sum/);
  });

  it('refuses an API token hash that is not 64 hex digits (the token itself, say)', () => {
    expect(messageFor({ apiTokenSha256: 'my-secret-token' })).toContain('apiTokenSha256: must be the 64 lowercase hex digits of a SHA-256');
  });

  it('fills every default from a context holding only the token hash', () => {
    const config = parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256 });
    expect(config).toEqual({
      apiTokenSha256: TOKEN_SHA256,
      gpuPools: [{ ...pool, gpusPerInstance: 1 }],
      idleTimeoutSeconds: 900,
      vpc: { natGateways: 1, useInterfaceEndpoints: false },
      dataPlane: 'lambda',
    });
  });

  it('accepts a domain with its hosted zone', () => {
    const config = parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, domain: 'example.com', hostedZoneId: 'Z0123456789ABC' });
    expect(config.domain).toBe('example.com');
    expect(config.hostedZoneId).toBe('Z0123456789ABC');
  });

  it('takes the name of the Secrets Manager secret holding the webhook secret, and refuses what cannot be one', () => {
    expect(parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, githubWebhookSecretName: 'portico/github-webhook' }).githubWebhookSecretName).toBe('portico/github-webhook');
    expect(messageFor({ githubWebhookSecretName: 'my webhook secret' })).toContain('githubWebhookSecretName: must be a Secrets Manager secret name such as portico/github-webhook');
  });

  it('refuses a domain without a hosted zone id, saying both go together', () => {
    expect(messageFor({ domain: 'example.com' })).toContain('domain and hostedZoneId go together');
  });

  it('refuses a hosted zone id without a domain', () => {
    expect(messageFor({ hostedZoneId: 'Z0123456789ABC' })).toContain('domain and hostedZoneId go together');
  });

  it('names the field path of a bad GPU pool value', () => {
    const message = messageFor({ gpuPools: [{ ...pool, maxInstances: 0 }] });
    expect(message).toContain('gpuPools.0.maxInstances: must be at least 1');
    expect(message).toContain('cdk.json');
  });

  it('refuses a GPU pool without instance types', () => {
    expect(messageFor({ gpuPools: [{ ...pool, instanceTypes: [] }] })).toContain(
      'gpuPools.0.instanceTypes: list at least one EC2 instance type',
    );
  });

  it('refuses something that is not an instance type', () => {
    expect(messageFor({ gpuPools: [{ ...pool, instanceTypes: ['big gpu'] }] })).toContain(
      'must look like an EC2 instance type such as g4dn.xlarge',
    );
  });

  it('defaults to one T4 per g4dn.xlarge with a full major.minor.patch driver version', () => {
    expect(parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256 }).gpuPools).toEqual([DEFAULT_GPU_POOL]);
    expect(DEFAULT_GPU_POOL.driverVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses a driver version without its minor part, as the gateway would', () => {
    expect(messageFor({ gpuPools: [{ ...pool, driverVersion: '550' }] })).toContain(
      'gpuPools.0.driverVersion: must be major.minor[.patch] such as 550.144.03',
    );
  });

  it('accepts a major.minor driver version', () => {
    expect(parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, gpuPools: [{ ...pool, driverVersion: '570.86' }] }).gpuPools[0]?.driverVersion).toBe('570.86');
  });

  it('takes the GPUs per instance from the pool, one by default', () => {
    expect(parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, gpuPools: [pool] }).gpuPools[0]?.gpusPerInstance).toBe(1);
    expect(parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, gpuPools: [{ ...pool, instanceTypes: ['g4dn.12xlarge'], gpusPerInstance: 4 }] }).gpuPools[0]?.gpusPerInstance).toBe(4);
  });

  it('refuses zero or fractional GPUs per instance', () => {
    expect(messageFor({ gpuPools: [{ ...pool, gpusPerInstance: 0 }] })).toContain('gpuPools.0.gpusPerInstance: must be at least 1');
    expect(messageFor({ gpuPools: [{ ...pool, gpusPerInstance: 1.5 }] })).toContain('gpuPools.0.gpusPerInstance');
  });

  it('refuses at synth a GPU model the gateway cannot place without its compute capability', () => {
    const message = messageFor({ gpuPools: [{ ...pool, gpuModel: 'Mystery X1' }] });
    expect(message).toContain('computeCapability');
    expect(message).toContain('it may be left out only for GPUs Portico knows');
  });

  it('accepts an unknown GPU model when its compute capability is given', () => {
    const config = parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, gpuPools: [{ ...pool, gpuModel: 'Mystery X1', computeCapability: '9.0' }] });
    expect(config.gpuPools[0]?.computeCapability).toBe('9.0');
  });

  it('refuses two GPU pools with the same name', () => {
    expect(messageFor({ gpuPools: [pool, pool] })).toContain('pool names must be unique');
  });

  it('refuses a private network with neither NAT gateways nor interface endpoints', () => {
    expect(messageFor({ vpc: { natGateways: 0, useInterfaceEndpoints: false } })).toContain(
      'set vpc.natGateways to 1 or more, or vpc.useInterfaceEndpoints to true',
    );
  });

  it('accepts interface endpoints without NAT gateways', () => {
    expect(parsePorticoConfig({ apiTokenSha256: TOKEN_SHA256, vpc: { natGateways: 0, useInterfaceEndpoints: true } }).vpc).toEqual({
      natGateways: 0,
      useInterfaceEndpoints: true,
    });
  });

  it('refuses an idle timeout under a minute', () => {
    expect(messageFor({ idleTimeoutSeconds: 5 })).toContain('idleTimeoutSeconds: must be at least 60');
  });

  it('lists every problem at once', () => {
    const message = messageFor({ idleTimeoutSeconds: 5, domain: 'Not A Domain', hostedZoneId: 'Z1' });
    expect(message).toContain('idleTimeoutSeconds');
    expect(message).toContain('domain: must be a lowercase DNS name');
  });
});
