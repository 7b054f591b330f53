import { describe, expect, it } from 'vitest';
import { createApp } from '../../gateway/app.ts';
import type { EndpointRequest } from '../../gateway/endpoint/fetch-endpoint.ts';
import { createMetrics } from '../../gateway/services/metrics.ts';
import type { ProjectService } from '../../gateway/services/project-service.ts';

/** The Hono app alone, as a Lambda would host it: which requests become endpoint requests, and how. */
function appRecordingEndpoints() {
  const seen: Omit<EndpointRequest, 'request'>[] = [];
  const app = createApp({
    projects: {} as ProjectService, // no API route is called here
    endpointUrl: (id) => `https://${id}.endpoint.example.com`,
    runtimeOf: () => ({ state: null, lastRequestAt: null, coldStarts: 0 }),
    metricsOf: (id) => createMetrics().snapshot(id),
    prometheus: () => '',
    endpoint: async ({ request: _request, ...rest }) => {
      seen.push(rest);
      return new Response('from the demo');
    },
    clientAddress: () => '203.0.113.9',
    domain: 'endpoint.example.com',
  });
  return { app, seen };
}

describe('the app as a Lambda hosts it', () => {
  it('serves {label}.{domain} as that endpoint, path and query intact', async () => {
    const { app, seen } = appRecordingEndpoints();
    const response = await app.request('https://main-gpt2-acme.endpoint.example.com/generate?n=3', { method: 'POST', headers: { host: 'main-gpt2-acme.endpoint.example.com' } });
    expect(await response.text()).toBe('from the demo');
    expect(seen).toEqual([{ label: 'main-gpt2-acme', path: '/generate?n=3', prefix: null, clientAddress: '203.0.113.9' }]);
  });

  it('serves /p/{label}/… as that endpoint with the prefix stripped', async () => {
    const { app, seen } = appRecordingEndpoints();
    await app.request('https://abc.lambda-url.aws/p/main-gpt2-acme/docs?x=1', { headers: { host: 'abc.lambda-url.aws' } });
    expect(seen).toEqual([{ label: 'main-gpt2-acme', path: '/docs?x=1', prefix: '/p/main-gpt2-acme', clientAddress: '203.0.113.9' }]);
  });

  it('keeps the gateway host for itself', async () => {
    const { app, seen } = appRecordingEndpoints();
    const response = await app.request('https://api.example.com/healthz', { headers: { host: 'api.example.com' } });
    expect(await response.json()).toEqual({ ok: true });
    expect(seen).toEqual([]);
  });
});
