import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { configureApp, readContext } from '../../cdk/app.ts';
import { makeApp } from './make-props.ts';

describe('cdk app', () => {
  it('passes the cdk-nag AwsSolutions checks with the default context', () => {
    const app = makeApp();
    configureApp(app);
    expect(() => app.synth()).not.toThrow();
  });

  it('passes the cdk-nag AwsSolutions checks with a domain, interface endpoints and a webhook secret', () => {
    const app = makeApp({
      githubWebhookSecretName: 'portico/github-webhook',
      domain: 'example.com',
      hostedZoneId: 'Z0123456789ABC',
      vpc: { natGateways: 0, useInterfaceEndpoints: true },
      gpuPools: [
        { name: 'small', instanceTypes: ['g4dn.xlarge'], maxInstances: 2, gpuModel: 'T4', driverVersion: '550.144.03' },
        { name: 'large', instanceTypes: ['g5.12xlarge'], maxInstances: 1, gpusPerInstance: 4, gpuModel: 'A10G', driverVersion: '570.86.15' },
      ],
    });
    configureApp(app);
    expect(() => app.synth()).not.toThrow();
  });

  it('passes the cdk-nag AwsSolutions checks with the service data plane (load balancer, gateway service)', () => {
    const app = makeApp({ domain: 'example.com', hostedZoneId: 'Z0123456789ABC', dataPlane: 'service' });
    configureApp(app);
    expect(() => app.synth()).not.toThrow();
  });

  it('fails synth on an unacknowledged cdk-nag finding', () => {
    const app = makeApp();
    const stack = configureApp(app);
    new sqs.Queue(stack, 'UncheckedQueue'); // no DLQ, no SSL enforcement: AwsSolutions-SQS3/SQS4
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  it('accepts a finding once it is acknowledged with a reason', () => {
    const app = makeApp();
    const stack = configureApp(app);
    const queue = new sqs.Queue(stack, 'AcknowledgedQueue', { enforceSSL: true });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test: a queue without a DLQ on purpose' });
    expect(() => app.synth()).not.toThrow();
  });

  it('refuses invalid context before building anything', () => {
    expect(() => configureApp(makeApp({ domain: 'example.com' }))).toThrow(/domain and hostedZoneId go together/);
  });

  it('reads -c dataPlane', () => {
    expect(readContext(makeApp({ dataPlane: 'service' }))['dataPlane']).toBe('service');
  });

  it('parses JSON given as -c strings', () => {
    const app = makeApp({
      gpuPools: '[{"name":"gpu","instanceTypes":["g5.xlarge"],"maxInstances":4,"gpusPerInstance":1,"gpuModel":"A10G","driverVersion":"550.144.03"}]',
      idleTimeoutSeconds: '600',
      vpc: '{"natGateways":2}',
      domain: 'example.com',
      apiTokenSha256: '1'.repeat(64), // digits only: JSON would read it as a number
    });
    expect(readContext(app)).toEqual({
      apiTokenSha256: '1'.repeat(64),
      gpuPools: [{ name: 'gpu', instanceTypes: ['g5.xlarge'], maxInstances: 4, gpusPerInstance: 1, gpuModel: 'A10G', driverVersion: '550.144.03' }],
      idleTimeoutSeconds: 600,
      vpc: { natGateways: 2 },
      domain: 'example.com',
    });
  });
});
