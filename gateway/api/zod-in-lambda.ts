/**
 * What `zod` resolves to inside the Lambda bundles (esbuild `--alias:zod=`, cdk/constructs/gateway.ts
 * `bundling`). zod's own entry exports `z`, the namespace of everything, and `@hono/zod-openapi`
 * hands that namespace to `extendZodWithOpenApi(z)`, which makes a bundler keep all of zod,
 * 60-odd locales included (440 KB of a 762 KB bundle). Here every named export is zod's own,
 * so unused ones are dropped, and `z` holds only `ZodType`, the one member `extendZodWithOpenApi`
 * touches. Portico's schemas take `z` from gateway/api/zod.ts. Outside the bundles this file is
 * not used: Node and tsx load zod itself.
 */
export * from '../../node_modules/zod/v4/classic/external.js';
import { ZodType } from '../../node_modules/zod/v4/classic/external.js';

export const z = { ZodType };
