import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks GitHub's `X-Hub-Signature-256` header (`sha256=<hex HMAC of the raw body>`) in constant
 * time. The HMAC must be over the exact bytes received, so call this before parsing the body.
 */
export function verifyGithubSignature(secret: string, rawBody: Uint8Array, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'));
}

/** The header value GitHub would send for this body; for tests and tools that replay deliveries. */
export function githubSignature(secret: string, rawBody: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
