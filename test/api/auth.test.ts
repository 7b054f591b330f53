import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../gateway/cli/api-client.ts';
import { type TestGateway, startTestGateway } from '../support/gateway.ts';

const TOKEN = 'test-token-4f1c9a';
const MUTATING = ['POST', 'PUT', 'PATCH', 'DELETE'];
/** Signed by GitHub instead of carrying the token. */
const SIGNED_INSTEAD = /^\/api\/webhooks\//;

describe('the API with PORTICO_TOKEN set', () => {
  let gateway: TestGateway;
  let mutating: { method: string; path: string }[];

  beforeAll(async () => {
    gateway = await startTestGateway({ token: TOKEN, dockerHost: 'unix:///tmp/portico-no-engine.sock' });
    // Every mutating /api route the app declares, with its path parameters filled in.
    const seen = new Set<string>();
    mutating = gateway.gateway.app.routes
      .filter((route) => MUTATING.includes(route.method) && route.path.startsWith('/api/') && !SIGNED_INSTEAD.test(route.path))
      .map((route) => ({ method: route.method, path: route.path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, 'no-such-thing') }))
      .filter((route) => !seen.has(`${route.method} ${route.path}`) && Boolean(seen.add(`${route.method} ${route.path}`)));
  });

  afterAll(() => gateway.stop({ removeData: true }));

  const call = (method: string, path: string, authorization?: string) =>
    fetch(`${gateway.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: method === 'GET' || method === 'DELETE' ? null : '{}' });

  it('finds the mutating routes in the route table', () => {
    expect(mutating.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /api/projects', 'DELETE /api/projects/no-such-thing', 'POST /api/projects/no-such-thing/deployments']));
  });

  it('answers 401 with a message saying how to send the token when none is sent', async () => {
    for (const { method, path } of mutating) {
      const response = await call(method, path);
      expect(response.status, `${method} ${path}`).toBe(401);
      const body = await response.json();
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toContain('Authorization: Bearer');
      expect(body.error.message).toContain('PORTICO_TOKEN');
    }
  });

  it('answers 401 to a wrong token, a token of another length and a non-bearer scheme', async () => {
    for (const { method, path } of mutating) {
      for (const header of [`Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}0`, `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`]) {
        expect((await call(method, path, header)).status, `${method} ${path} with ${header}`).toBe(401);
      }
    }
  });

  it('lets every mutating call through with the right token', async () => {
    for (const { method, path } of mutating) {
      const response = await call(method, path, `Bearer ${TOKEN}`);
      expect(response.status, `${method} ${path}`).not.toBe(401);
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
    }
  });

  it('keeps reads open without a token', async () => {
    expect((await call('GET', '/api/projects')).status).toBe(200);
  });

  it('is sent by the CLI client when it is given one', async () => {
    const withToken = createApiClient(gateway.url, { token: TOKEN });
    const without = createApiClient(gateway.url);
    await expect(without.json('DELETE', '/api/projects/no-such-thing')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    await expect(withToken.json('DELETE', '/api/projects/no-such-thing')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('the API with no PORTICO_TOKEN', () => {
  it('lets mutating calls through without a token', async () => {
    const gateway = await startTestGateway({ dockerHost: 'unix:///tmp/portico-no-engine.sock' });
    try {
      const response = await fetch(`${gateway.url}/api/projects/no-such-thing`, { method: 'DELETE' });
      expect(response.status).toBe(404);
    } finally {
      await gateway.stop({ removeData: true });
    }
  });
});
