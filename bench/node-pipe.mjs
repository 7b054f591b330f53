// The ceiling for a proxy on Node's http module: a keep-alive pipe to one upstream and nothing
// else Portico does (no routing, header policing, limits or metrics). Run by bench/node-pipe.ts:
// `node bench/node-pipe.mjs <port> <upstream host> <upstream port>`.
import { Agent, createServer, request } from 'node:http';

const [port, host, upstreamPort] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
createServer((req, res) => {
  const upstream = request({ agent, host, port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}).listen(Number(port), '127.0.0.1');
