import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { PorticoError } from '../errors.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Guards every mutating call with `Authorization: Bearer <token>` when a token is configured.
 * Reads stay open so `portico ls` and the dashboard work without one; with no token at all
 * everything is open (the gateway then only binds loopback, see server.ts).
 */
export function requireToken(token: string | undefined, options: { readonly exempt: (path: string) => boolean }): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined || !MUTATING.has(c.req.method) || options.exempt(c.req.path)) return next();
    const header = c.req.header('authorization');
    if (header === undefined) throw unauthorized('this call needs the API token');
    const sent = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1];
    if (sent === undefined || !sameSecret(sent, token)) throw unauthorized('the API token sent is wrong');
    return next();
  };
}

/** Constant-time comparison of two strings of any length (hashing first makes the lengths equal). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function unauthorized(what: string): PorticoError {
  return new PorticoError('unauthorized', `${what}: send the header "Authorization: Bearer <token>" with the gateway's PORTICO_TOKEN (the CLI sends it when PORTICO_TOKEN is set)`);
}
