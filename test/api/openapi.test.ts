import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';

describe('the OpenAPI document and Swagger UI', () => {
  let gateway: TestGateway;
  let document: any;

  beforeAll(async () => {
    gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
    const response = await fetch(`${gateway.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    document = await response.json();
  });

  afterAll(() => gateway.stop({ removeData: true }));

  it('validates as OpenAPI 3', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\./);
  });

  it('declares every /api route of the app', () => {
    const routes = gateway.gateway.app.routes.filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/'));
    expect(routes.length).toBeGreaterThan(8);
    for (const route of routes) {
      const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      expect(document.paths[path]?.[route.method.toLowerCase()], `${route.method} ${route.path} is not in the document`).toBeDefined();
    }
  });

  it('marks the mutating operations as needing the bearer token, and no read', () => {
    expect(document.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, operations] of Object.entries<Record<string, any>>(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const guarded = (operation.security ?? []).some((entry: object) => 'bearerToken' in entry);
        const expected = method !== 'get' && !path.startsWith('/api/webhooks/');
        expect(guarded, `${method} ${path}`).toBe(expected);
      }
    }
  });

  it('serves Swagger UI whose scripts and styles all come from Portico itself', async () => {
    const response = await fetch(`${gateway.url}/api/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    const urls = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((match) => new URL(match[1]!, `${gateway.url}/api/docs`));
    expect(urls.some((url) => url.pathname.endsWith('swagger-ui-bundle.js'))).toBe(true);
    expect(urls.some((url) => url.pathname.endsWith('swagger-ui.css'))).toBe(true);
    for (const url of urls) {
      expect(url.origin, `${url} is not same-origin`).toBe(new URL(gateway.url).origin);
      const asset = await fetch(url);
      expect(asset.status, `${url}`).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, `${url}`).toBeGreaterThan(0);
    }
    expect(html).toContain('/api/docs/assets/init.js');
    expect(await (await fetch(`${gateway.url}/api/docs/assets/init.js`)).text()).toContain('"/api/openapi.json"');
  });

  it('answers 404 for a file that is not one of the docs assets', async () => {
    for (const file of ['package.json', '..%2Fpackage.json', 'swagger-ui-bundle.js.map', 'toString']) {
      const response = await fetch(`${gateway.url}/api/docs/assets/${file}`);
      expect(response.status, file).toBe(404);
    }
  });
});

describe('validation through the OpenAPI routes', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
  });

  afterAll(() => gateway.stop({ removeData: true }));

  it('answers an invalid field with 400 {"error": {"code", "message", "field"}}', async () => {
    const response = await gateway.api('POST', '/api/projects', { repo: 'acme/hello', gpu: 'lots' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'invalid_input', message: expect.stringMatching(/^gpu: /), field: 'gpu' } });
  });

  it('names a missing required field', async () => {
    const response = await gateway.api('POST', '/api/projects', {});
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_input', field: 'repo' });
  });

  it('refuses unknown fields', async () => {
    const response = await gateway.api('POST', '/api/projects', { repo: 'acme/hello', colour: 'blue' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_input');
    expect(response.body.error.message).toContain('colour');
  });

  it('answers malformed JSON with Portico’s own message', async () => {
    const response = await gateway.raw('POST', '/api/projects', '{"repo": ', { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('not valid JSON') });
  });

  it('answers a body that is not JSON with 415 in the same error shape', async () => {
    const response = await gateway.raw('POST', '/api/projects', 'repo=acme/hello', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(415);
    expect(JSON.parse(response.text).error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('Content-Type: application/json') });
  });

  it('checks the log offset', async () => {
    const response = await gateway.api('GET', '/api/deployments/whatever/logs?offset=-1');
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_input', field: 'offset' });
  });
});
