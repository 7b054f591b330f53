// A tiny "model": reverses and title-cases the text it is given. GET / shows a form; POST /predict answers JSON.
import { createServer } from 'node:http';

const page = `<!doctype html><meta charset="utf-8"><title>hello-cpu</title>
<h1>hello-cpu</h1><form method="post" action="/predict"><input name="text" value="portico"><button>predict</button></form>`;

function predict(text) {
  return text.split('').reverse().join('').replace(/\b\w/g, (c) => c.toUpperCase());
}

createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } else if (req.method === 'POST' && req.url === '/predict') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const text = new URLSearchParams(body).get('text') ?? (body.startsWith('{') ? JSON.parse(body).text : body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input: text, output: predict(String(text)) }));
    });
  } else if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
  } else {
    res.writeHead(404).end('not found');
  }
}).listen(Number(process.env.PORT ?? 3000), '0.0.0.0');
