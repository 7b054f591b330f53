import type { z } from './zod.ts';
import { PorticoError } from '../errors.ts';

/** A failed schema check as the API reports it: 400 `invalid_input` naming the first field at fault and why. */
export function invalidInput(error: z.ZodError): PorticoError {
  const issue = error.issues[0];
  if (!issue) return new PorticoError('invalid_input', 'invalid request');
  const field = issue.path.join('.') || undefined;
  const message = field ? `${field}: ${issue.message}` : issue.message;
  return new PorticoError('invalid_input', message, field ? { field } : {});
}

/**
 * The `defaultHook` of every OpenAPI route: validation failures go to the one error mapper
 * (error-response.ts) like every other error, so their shape never differs.
 */
export function throwOnInvalid(result: { success: true } | { success: false; error: z.ZodError }): undefined {
  if (!result.success) throw invalidInput(result.error);
  return undefined;
}
