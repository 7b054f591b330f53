// Language identification demo: GET / (a form), POST /predict (JSON), GET /openapi.json, GET /healthz.
// Plain node:http; the model loads before the port opens, so "answers" means "ready".
import { createServer } from 'node:http';
import { loadModel } from './model.js';
import { MAX_BODY_BYTES, openapi } from './openapi.js';
import { page } from './page.js';

const model = await loadModel();
const openapiJson = JSON.stringify(openapi);

function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) }).end(text);
}

/** The request's `text`, from a JSON or form body; throws a message for the client on anything else. */
function textOf(body, contentType) {
  let text;
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(body).get('text');
  } else {
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new Error('the body is not JSON; send {"text": "..."} with content-type application/json');
    }
    text = parsed?.text;
  }
  if (typeof text !== 'string' || text.trim() === '') throw new Error('"text" must be a non-empty string');
  return text;
}

function predict(req, res) {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) return chunks.push(chunk);
    req.pause(); // stop reading; the answer says why and closes the connection
    if (!res.headersSent) {
      res.setHeader('connection', 'close');
      send(res, 413, { error: `the body is over ${MAX_BODY_BYTES} bytes` });
    }
  });
  req.on('end', () => {
    if (res.headersSent) return;
    let text;
    try {
      text = textOf(Buffer.concat(chunks).toString('utf8'), req.headers['content-type'] ?? '');
    } catch (error) {
      return send(res, 400, { error: error.message });
    }
    send(res, 200, model.identify(text));
  });
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://demo').pathname;
  if (path === '/predict') {
    if (req.method === 'POST') return predict(req, res);
    res.setHeader('allow', 'POST');
    return send(res, 405, { error: 'use POST /predict with {"text": "..."}' });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: `${req.method} is not served here` });
  if (path === '/') return send(res, 200, page, 'text/html');
  if (path === '/openapi.json') return send(res, 200, openapiJson);
  if (path === '/healthz') return send(res, 200, 'ok', 'text/plain');
  send(res, 404, { error: `no ${path} here; see /openapi.json` });
});

const port = Number(process.env.PORT ?? 7860);
server.listen(port, '0.0.0.0', () => console.log(`language-id: CLD3 loaded, listening on ${port}`));

// PID 1 in a container gets no default SIGTERM handling: stop promptly when asked.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close();
    model.dispose();
    process.exit(0);
  });
}
