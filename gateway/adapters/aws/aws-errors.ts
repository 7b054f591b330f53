import { PorticoError, messageOf } from '../../errors.ts';

/** SDK error names that mean "AWS could not be asked", not "AWS said no to this request". */
const UNAVAILABLE_NAMES = new Set([
  'CredentialsProviderError',
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'AccessDeniedException',
  'TimeoutError',
]);

/** Socket-level failures: no route to the AWS endpoint (no NAT, no VPC endpoint, no network). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** The SDK's exception name (`ServiceNotFoundException`, …), or undefined for non-SDK errors. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export function isAwsUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return UNAVAILABLE_NAMES.has(error.name) || (typeof code === 'string' && NETWORK_CODES.has(code));
}

/**
 * Runs one SDK call; credential, permission and network failures become `engine_unavailable`
 * naming the service and what to check, everything else passes through for the caller to map.
 */
export async function withAws<T>(where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isAwsUnavailable(error)) {
      throw new PorticoError(
        'engine_unavailable',
        `${where} could not be reached (${awsErrorName(error)}: ${messageOf(error)}); check the gateway's AWS credentials and IAM role, and that its network reaches the AWS endpoints (NAT gateway or VPC endpoints)`,
        { cause: error },
      );
    }
    throw error;
  }
}
