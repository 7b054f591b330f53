import { Layout } from './layout.tsx';
import { ProjectTabs } from './project-tabs.tsx';

/** Where the API docs (gateway/api/docs.ts) serve Swagger UI's files from swagger-ui-dist: one copy for both pages. */
const SWAGGER_ASSETS = '/api/docs/assets';

/**
 * Fetches the demo's /openapi.json through its path-prefix endpoint (same origin, so it works on
 * any host) and renders it with Swagger UI. "Try it out" must reach the demo too: a document
 * without servers gets the prefix as its server, and relative server URLs are put under it.
 */
const API_SCRIPT = `(async () => {
  const root = document.getElementById('demo-api');
  const status = document.getElementById('api-status');
  const prefix = root.dataset.prefix;
  let spec;
  try {
    const response = await fetch(prefix + '/openapi.json', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error('GET /openapi.json answered ' + response.status);
    spec = await response.json().catch(() => null);
    if (!spec || (typeof spec.openapi !== 'string' && typeof spec.swagger !== 'string')) throw new Error('its /openapi.json is not an OpenAPI document');
  } catch (error) {
    status.textContent = 'This demo serves no OpenAPI document (' + error.message + '). FastAPI and Cog apps serve one at /openapi.json; other apps can too.';
    status.dataset.state = 'none';
    return;
  }
  if (typeof spec.swagger === 'string') {
    spec.host = location.host;
    spec.basePath = prefix + (spec.basePath || '');
  } else {
    const servers = Array.isArray(spec.servers) && spec.servers.length > 0 ? spec.servers : [{ url: '/' }];
    spec.servers = servers.map((server) => (typeof server.url === 'string' && server.url.startsWith('/') ? { ...server, url: prefix + server.url.replace(/\\/$/, '') } : server));
  }
  status.hidden = true;
  status.dataset.state = 'shown';
  window.demoApi = SwaggerUIBundle({ spec, domNode: document.getElementById('swagger-ui'), deepLinking: false });
})();`;

/** `/projects/:id/api`: the demo's own API in Swagger UI, like Ainize's API page. */
export function ApiPage({ projectId, endpoint }: { readonly projectId: string; readonly endpoint: string }) {
  const prefix = `/p/${encodeURIComponent(projectId)}`;
  return (
    <Layout title={`${projectId} API`} head={<link rel="stylesheet" href={`${SWAGGER_ASSETS}/swagger-ui.css`} />}>
      <h1>{projectId}</h1>
      <ProjectTabs projectId={projectId} current="api" />
      <p class="muted">
        {'The API the demo describes at '}
        <a href={`${endpoint.replace(/\/$/, '')}/openapi.json`}>/openapi.json</a>
        {'. "Try it out" sends requests to the demo (waking it if it sleeps).'}
      </p>
      <div id="demo-api" data-prefix={prefix}>
        <p id="api-status" class="muted" data-state="loading">
          Loading the demo's OpenAPI document…
        </p>
        <div id="swagger-ui" class="swagger-host"></div>
      </div>
      <script src={`${SWAGGER_ASSETS}/swagger-ui-bundle.js`}></script>
      <script dangerouslySetInnerHTML={{ __html: API_SCRIPT }} />
    </Layout>
  );
}
