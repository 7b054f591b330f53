/**
 * A demo with the traffic a real ML demo has (token streams, file uploads and downloads, slow
 * answers, WebSockets), built offline on the local `node:20-slim` image: plain `node:http`, no
 * packages, so nothing is installed during the build.
 */
export const NODE_IMAGE = 'node:20-slim';

/** Source tree of the demo: a Dockerfile and `server.mjs`. `greeting` is what `GET /` answers. */
export function nodeDemo(options: { port?: number; greeting?: string } = {}): Record<string, string> {
  const port = options.port ?? 8000;
  const dockerfile = [
    `FROM ${NODE_IMAGE}`,
    'WORKDIR /app',
    'COPY server.mjs /app/server.mjs',
    ...(options.greeting === undefined ? [] : [`ENV GREETING=${JSON.stringify(options.greeting)}`]),
    `EXPOSE ${port}`,
    'CMD ["node", "server.mjs"]',
  ];
  return { Dockerfile: dockerfile.join('\n') + '\n', 'server.mjs': SERVER };
}

/**
 * The app. Routes:
 *   GET  /                        GREETING or 'hello from node\n'
 *   GET  /sse?n=5&intervalMs=50   text/event-stream of n `data: token-i` events, one per interval
 *   POST /upload                  streams the body through sha256: {bytes, sha256}
 *   GET  /download?bytes=N        N bytes of the pattern 0,1,…,255,0,1,… in 64 KiB chunks
 *   GET  /slow?ms=N               answers after N ms
 *   GET  /hang                    headers and one chunk, then nothing until the client leaves
 *   GET  /open-streams            {open: /sse and /hang responses still open, websockets: open sockets}
 *   GET  /headers                 the request headers as JSON
 *   GET  /ws                      WebSocket echo (RFC 6455, hand-written: no `ws` package in here)
 */
const SERVER = String.raw`import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.PORT || 8000);
const greeting = process.env.GREETING === undefined ? 'hello from node\n' : process.env.GREETING + '\n';
let openStreams = 0;
let openSockets = 0;

/** Counts a long response as open until its connection closes, whoever closes it. */
function trackOpen(res) {
  openStreams += 1;
  res.once('close', () => (openStreams -= 1));
}

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sse(req, res, url) {
  const n = Number(url.searchParams.get('n') || 5);
  const intervalMs = Number(url.searchParams.get('intervalMs') || 50);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  trackOpen(res);
  let i = 0;
  const timer = setInterval(() => {
    res.write('data: token-' + i + '\n\n');
    i += 1;
    if (i >= n) {
      clearInterval(timer);
      res.end();
    }
  }, intervalMs);
  res.once('close', () => clearInterval(timer));
}

function upload(req, res) {
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (chunk) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  req.on('end', () => json(res, 200, { bytes, sha256: hash.digest('hex') }));
}

function download(req, res, url) {
  const total = Number(url.searchParams.get('bytes') || 0);
  const chunk = Buffer.alloc(65536);
  for (let i = 0; i < chunk.length; i += 1) chunk[i] = i % 256; // 65536 is a multiple of 256: chunks join seamlessly
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

function slow(req, res, url) {
  const timer = setTimeout(() => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('slow done\n');
  }, Number(url.searchParams.get('ms') || 1000));
  res.once('close', () => clearTimeout(timer));
}

function hang(req, res) {
  res.writeHead(200, { 'content-type': 'text/plain' });
  trackOpen(res);
  res.write('started\n');
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://demo');
  const route = req.method + ' ' + url.pathname;
  if (route === 'GET /') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end(greeting);
  }
  if (route === 'GET /sse') return sse(req, res, url);
  if (route === 'POST /upload') return upload(req, res);
  if (route === 'GET /download') return download(req, res, url);
  if (route === 'GET /slow') return slow(req, res, url);
  if (route === 'GET /hang') return hang(req, res);
  if (route === 'GET /open-streams') return json(res, 200, { open: openStreams, websockets: openSockets });
  if (route === 'GET /headers') return json(res, 200, req.headers);
  json(res, 404, { error: 'no route ' + route });
});

// WebSocket echo, RFC 6455: handshake, then masked client frames in, unmasked frames out.
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_FRAME_BYTES = 1 << 20;

function frame(opcode, payload) {
  const length = payload.length;
  const header = Buffer.alloc(length < 126 ? 2 : length < 65536 ? 4 : 10);
  header[0] = 0x80 | opcode; // FIN + opcode; server frames are never masked
  if (length < 126) {
    header[1] = length;
  } else if (length < 65536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** One complete frame from the front of buf, or null when more bytes are needed. */
function parseFrame(buf) {
  if (buf.length < 2) return null;
  let length = buf[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return null;
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return null;
    length = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (buf[1] & 0x80) !== 0;
  const mask = masked ? buf.subarray(offset, offset + 4) : null;
  if (masked) offset += 4;
  if (length > MAX_FRAME_BYTES) return { tooLarge: true };
  if (buf.length < offset + length) return null;
  const payload = Buffer.from(buf.subarray(offset, offset + length));
  if (mask) for (let i = 0; i < payload.length; i += 1) payload[i] ^= mask[i % 4];
  return { fin: (buf[0] & 0x80) !== 0, opcode: buf[0] & 0x0f, masked, payload, size: offset + length };
}

server.on('upgrade', (req, socket, head) => {
  const key = req.headers['sec-websocket-key'];
  if (new URL(req.url, 'http://demo').pathname !== '/ws' || String(req.headers.upgrade).toLowerCase() !== 'websocket' || !key) {
    return void socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  }
  const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  openSockets += 1;
  socket.once('close', () => (openSockets -= 1));
  socket.on('error', () => socket.destroy());

  let buffered = head;
  let message = []; // fragments of a message split over several frames
  let messageOpcode = 0;
  let closing = false;
  const close = (payload) => {
    closing = true;
    socket.end(frame(0x8, payload));
  };
  const closeWith = (code) => {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    close(payload);
  };
  socket.on('data', (chunk) => {
    if (closing) return;
    buffered = Buffer.concat([buffered, chunk]);
    for (let parsed = parseFrame(buffered); parsed; parsed = parseFrame(buffered)) {
      if (parsed.tooLarge) return closeWith(1009);
      if (!parsed.masked) return closeWith(1002); // clients must mask
      buffered = buffered.subarray(parsed.size);
      const { fin, opcode, payload } = parsed;
      if (opcode === 0x8) return close(payload.subarray(0, 2)); // echo the close code, then hang up
      if (opcode === 0x9) socket.write(frame(0xa, payload)); // ping → pong
      if (opcode === 0x1 || opcode === 0x2) messageOpcode = opcode;
      if (opcode <= 0x2) message.push(payload);
      if (opcode <= 0x2 && fin) {
        socket.write(frame(messageOpcode, Buffer.concat(message)));
        message = [];
      }
    }
  });
});

server.listen(port, '0.0.0.0', () => console.log('node demo listening on 0.0.0.0:' + port));
`;
