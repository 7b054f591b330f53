import { NODE_IMAGE } from '../support/node-demo.ts';

/**
 * A demo that describes its API the way FastAPI and Cog apps do, at /openapi.json (no servers
 * entry, as FastAPI writes it), and prints a line per request so its runtime log has something
 * to show. Plain `node:http` on the local `node:20-slim` image: nothing installed during the build.
 *   GET /openapi.json        the document
 *   GET /predict?text=…      {"echo": text}
 *   anything else            "echo demo\n"
 */
export function openApiDemo(): Record<string, string> {
  return { Dockerfile: `FROM ${NODE_IMAGE}\nWORKDIR /app\nCOPY server.mjs /app/server.mjs\nEXPOSE 8000\nCMD ["node", "server.mjs"]\n`, 'server.mjs': SERVER };
}

const SERVER = String.raw`import { createServer } from 'node:http';

const document = {
  openapi: '3.0.3',
  info: { title: 'Echo demo', version: '1.0.0' },
  paths: {
    '/predict': {
      get: {
        summary: 'Echo the text back',
        operationId: 'predict',
        parameters: [{ name: 'text', in: 'query', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'the echo', content: { 'application/json': { schema: { type: 'object', properties: { echo: { type: 'string' } } } } } } },
      },
    },
  },
};

createServer((req, res) => {
  const url = new URL(req.url, 'http://demo');
  console.log('request ' + req.method + ' ' + url.pathname);
  if (url.pathname === '/openapi.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify(document));
  }
  if (url.pathname === '/predict') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ echo: url.searchParams.get('text') }));
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('echo demo\n');
}).listen(Number(process.env.PORT || 8000), '0.0.0.0', () => console.log('echo demo listening'));
`;
