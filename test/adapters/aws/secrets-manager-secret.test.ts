import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { secretsManagerSecret } from '../../../gateway/adapters/aws/secrets-manager-secret.ts';
import { steppedClock } from '../../support/stepped-clock.ts';

const secrets = mockClient(SecretsManagerClient);
const SECRET_ID = 'portico/github-webhook';

beforeEach(() => secrets.reset());

describe('a Secrets Manager secret', () => {
  it('reads the named secret on first use and asks nothing before', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'hmac-key-1' });
    const read = secretsManagerSecret({ secretId: SECRET_ID, region: 'eu-west-1', clock: steppedClock() });
    expect(secrets.calls()).toHaveLength(0);

    expect(await read()).toBe('hmac-key-1');
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toStrictEqual([{ SecretId: SECRET_ID }]);
  });

  it('answers from its cache for five minutes, then reads again and so picks up a rotated value', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'hmac-key-1' }).resolves({ SecretString: 'hmac-key-2' });
    const clock = steppedClock();
    const read = secretsManagerSecret({ secretId: SECRET_ID, region: 'eu-west-1', clock });

    expect([await read(), await read()]).toStrictEqual(['hmac-key-1', 'hmac-key-1']);
    clock.advance(5 * 60_000 - 1);
    expect(await read()).toBe('hmac-key-1');
    clock.advance(1);
    expect(await read()).toBe('hmac-key-2');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a binary secret, saying to store it as plain text, and caches nothing', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretBinary: new Uint8Array([1, 2]) }).resolves({ SecretString: 'hmac-key-1' });
    const read = secretsManagerSecret({ secretId: SECRET_ID, region: 'eu-west-1', clock: steppedClock() });

    await expect(read()).rejects.toThrow(`Secrets Manager secret "${SECRET_ID}" has no string value; store it as plain text`);
    expect(await read()).toBe('hmac-key-1');
  });

  it('reports missing permissions as the service being unreachable, naming what to check', async () => {
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    const read = secretsManagerSecret({ secretId: SECRET_ID, region: 'eu-west-1', clock: steppedClock() });

    await expect(read()).rejects.toMatchObject({ code: 'engine_unavailable', message: expect.stringContaining('Secrets Manager could not be reached (AccessDeniedException') });
  });
});
