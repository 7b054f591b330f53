import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { PorticoError } from '../errors.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Guards every mutating call with `Authorization: Bearer <token>` when a token is configured.
 * Reads stay open so `portico ls` and the dashboard work without one; with no token at all
 * everything is open (the gateway then only binds loopback, see server.ts).
 */
export function requireToken(expectedSha256: string | undefined, options: { readonly exempt: (path: string) => boolean }): MiddlewareHandler {
  const expected = expectedSha256 === undefined ? undefined : Buffer.from(expectedSha256, 'hex');
  return async (c, next) => {
    if (expected === undefined || !MUTATING.has(c.req.method) || options.exempt(c.req.path)) return next();
    const header = c.req.header('authorization');
    if (header === undefined) throw unauthorized('this call needs the API token');
    const sent = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1];
    if (sent === undefined || !timingSafeEqual(sha256(sent), expected)) throw unauthorized('the API token sent is wrong');
    return next();
  };
}

/** Whether `sent` is the token whose SHA-256 (hex) is `expectedSha256`, compared in constant time (the dashboard's forms send it as a field). */
export function tokenMatches(expectedSha256: string, sent: string): boolean {
  return timingSafeEqual(sha256(sent), Buffer.from(expectedSha256, 'hex'));
}

/** The SHA-256 (hex) the gateway compares tokens by: on AWS only this hash is deployed, never the token. */
export function tokenSha256(token: string): string {
  return sha256(token).toString('hex');
}

/** Hashing first also makes the comparison constant-time whatever the length sent. */
function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function unauthorized(what: string): PorticoError {
  return new PorticoError('unauthorized', `${what}: send the header "Authorization: Bearer <token>" with the gateway's PORTICO_TOKEN (the CLI sends it when PORTICO_TOKEN is set)`);
}
