import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { type ErrorCode, isPorticoError } from '../errors.ts';

/** The HTTP status of each error code (the dashboard's forms answer with the same). */
export const STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  invalid_input: 400,
  dockerfile_invalid: 400,
  placement_failed: 409,
  not_found: 404,
  conflict: 409,
  source_failed: 502,
  build_failed: 500,
  start_failed: 500,
  engine_unavailable: 503,
  unauthorized: 401,
  forbidden: 403,
  timeout: 504,
};

/** The one place where errors become HTTP responses: `{"error": {"code", "message", "field"?}}`. */
export function errorResponse(error: Error, c: Context): Response {
  if (isPorticoError(error)) {
    const body = { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
    return c.json(body, STATUS[error.code]);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    if (status === 415) return c.json({ error: { code: 'unsupported_media_type', message: 'send the request body as JSON with the header "Content-Type: application/json"' } }, status);
    // 400s Hono raises itself (e.g. a malformed body) are invalid input like any other.
    const code = status === 413 ? 'too_large' : status === 400 ? 'invalid_input' : 'http_error';
    return c.json({ error: { code, message: error.message || 'request refused' } }, status);
  }
  console.error('unhandled error', error);
  return c.json({ error: { code: 'internal', message: 'internal error; the gateway log has the details' } }, 500);
}
