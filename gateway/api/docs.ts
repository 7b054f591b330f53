import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env, Schema } from 'hono';
import { PorticoError } from '../errors.ts';
import { z } from './zod.ts';

/** Swagger UI's files Portico serves itself (from the swagger-ui-dist package): docs work with no internet. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const DOCUMENT_PATH = '/api/openapi.json';
const ASSET_PATH = '/api/docs/assets';

/** Starts Swagger UI on the document; a file rather than an inline script, so a strict CSP can allow it. */
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(DOCUMENT_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Portico API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="${ASSET_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${ASSET_PATH}/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="${ASSET_PATH}/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSET_PATH}/swagger-ui-bundle.js"></script>
  <script src="${ASSET_PATH}/swagger-ui-standalone-preset.js"></script>
  <script src="${ASSET_PATH}/init.js"></script>
</body>
</html>
`;

const html = { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' as const } } } } };

/**
 * Adds `GET /openapi.json`, `GET /docs` (Swagger UI) and its assets to the API app (which has the
 * `/api` base path). They are declared in the document too, so it lists every /api route.
 */
export function addApiDocs<E extends Env, S extends Schema, B extends string>(api: OpenAPIHono<E, S, B>): void {
  const registry = api.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearerToken', { type: 'http', scheme: 'bearer', description: 'the gateway\'s PORTICO_TOKEN; needed by mutating calls when it is set' });
  registry.registerPath({ method: 'get', path: '/openapi.json', tags: ['docs'], summary: 'This OpenAPI 3 document', responses: { 200: { description: 'the document', content: { 'application/json': { schema: { type: 'object' } } } } } });
  registry.registerPath({ method: 'get', path: '/docs', tags: ['docs'], summary: 'Swagger UI for this API', responses: html });
  registry.registerPath({
    method: 'get',
    path: '/docs/assets/{file}',
    tags: ['docs'],
    summary: "Swagger UI's scripts, styles and icons",
    request: { params: z.object({ file: z.enum(['init.js', ...Object.keys(ASSETS)]).openapi({ param: { name: 'file', in: 'path' } }) }) },
    responses: { 200: { description: 'the file' }, 404: { description: 'no such asset' } },
  });

  api.doc('/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'Portico API',
      version: '1',
      description: 'Deploy GitHub repositories with a Dockerfile as demos at `{label}.<domain>`. Errors are `{"error": {"code", "message", "field"?}}`.',
    },
  });
  api.get('/docs', (c) => c.html(PAGE));
  api.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file') ?? '';
    if (file === 'init.js') return c.body(INIT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' });
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new PorticoError('not_found', `no docs asset "${file}"; the Swagger UI page is at /api/docs`);
    return c.body(await readAsset(file), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
}

const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/** Read once from node_modules, then kept in memory (the bundle is about 1.5 MB). */
function readAsset(file: string): Promise<Uint8Array<ArrayBuffer>> {
  let bytes = cache.get(file);
  if (!bytes) {
    const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    bytes = readFile(join(dir, file)).then((buffer) => new Uint8Array(buffer));
    cache.set(file, bytes);
    bytes.catch(() => cache.delete(file));
  }
  return bytes;
}
