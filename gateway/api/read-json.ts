import type { Context } from 'hono';
import type { z } from 'zod';
import { PorticoError } from '../errors.ts';

/** Parses and validates a JSON body; any problem is a 400 that names the field and why. */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new PorticoError('invalid_input', `request body is not valid JSON (${(error as Error).message}); send an object like {"repo": "owner/name"}`, { cause: error });
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || undefined;
    const message = field ? `${field}: ${issue.message}` : issue.message;
    throw new PorticoError('invalid_input', message, field ? { field } : {});
  }
  return result.data;
}
