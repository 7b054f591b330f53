import '@hono/zod-openapi'; // first: it adds `.openapi()` to ZodType before any schema here is made
import type * as zod from 'zod';
import { ZodError, ZodType, array, boolean, enum as enumOf, literal, number, object, record, strictObject, string, union } from 'zod';

/**
 * The part of zod the API's schemas use, as one object. Schemas import `z` from here, never from
 * `zod` or `@hono/zod-openapi`: a `z` namespace that reaches any function call keeps all of zod
 * (every locale too) in the Lambda bundle, and this object keeps only what is listed. A member
 * missing here fails the typecheck, not a request. `.openapi()` on these schemas comes from
 * `@hono/zod-openapi`, imported above.
 */
export const z = { ZodError, ZodType, array, boolean, enum: enumOf, literal, number, object, record, strictObject, string, union };

/** The types that go with the object, so `z.infer<…>` reads as in zod. */
export declare namespace z {
  type infer<T> = zod.infer<T>;
  type ZodType = zod.ZodType;
  type ZodError = zod.ZodError;
}
