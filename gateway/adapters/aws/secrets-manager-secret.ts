import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../../ports/clock.ts';
import { withAws } from './aws-errors.ts';

/** A rotated secret is picked up within this long, without a redeploy. */
const CACHE_MS = 5 * 60_000;

export interface SecretsManagerSecretOptions {
  /** Name or ARN of the secret (a plain string secret, as `aws secretsmanager create-secret --secret-string` makes). */
  readonly secretId: string;
  readonly region: string;
  readonly clock: Clock;
}

/**
 * A secret's value read from Secrets Manager when first needed and cached for a few minutes, so
 * the value is in no template and no Lambda setting. The SDK client is imported on first use:
 * only webhook deliveries need it, and every other request's cold start skips its load time.
 */
export function secretsManagerSecret(options: SecretsManagerSecretOptions): () => Promise<string> {
  let client: SecretsManagerClient | undefined;
  let cached: { readonly value: string; readonly until: number } | undefined;
  return async () => {
    const now = options.clock.now().getTime();
    if (cached && now < cached.until) return cached.value;
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const secrets = (client ??= new SecretsManagerClient({ region: options.region }));
    const { SecretString } = await withAws('Secrets Manager', () => secrets.send(new GetSecretValueCommand({ SecretId: options.secretId })));
    if (!SecretString) throw new Error(`Secrets Manager secret "${options.secretId}" has no string value; store it as plain text (create-secret --secret-string)`);
    cached = { value: SecretString, until: now + CACHE_MS };
    return SecretString;
  };
}
