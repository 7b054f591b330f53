import type { MiddlewareHandler } from 'hono';
import { PorticoError } from '../errors.ts';

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Parses a JSON body before the OpenAPI validator does, so malformed JSON gets Portico's own
 * message (400 `invalid_input`) instead of a generic one. Hono caches the body, so it is read once.
 */
export function parseJsonBody(options: { readonly exempt: (path: string) => boolean }): MiddlewareHandler {
  return async (c, next) => {
    if (!options.exempt(c.req.path) && JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      const text = await c.req.text();
      if (text.trim() !== '') parse(text);
    }
    return next();
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PorticoError('invalid_input', `request body is not valid JSON (${(error as Error).message}); send an object like {"repo": "owner/name"}`, { cause: error });
  }
}
