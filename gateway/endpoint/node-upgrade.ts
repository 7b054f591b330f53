import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseHost } from '../domain/host.ts';
import { messageOf } from '../errors.ts';
import type { EndpointDeps } from './node-listener.ts';
import { type Prefixed, parsePrefixed } from './path-prefix.ts';
import { forwardedRequest } from './raw-headers.ts';

/**
 * The server's `upgrade` listener: WebSocket (and any other Upgrade) requests to an endpoint
 * are relayed byte for byte to the demo after the same wake step as plain requests. The
 * demo's own `101 Switching Protocols` goes back to the client. On the gateway host only
 * `/p/{label}/…` has any.
 */
export function createUpgradeListener({ domain, routes, gate, metrics, trustForwarded }: Omit<EndpointDeps, 'proxy'>) {
  return (req: IncomingMessage, client: Duplex, head: Buffer): void => {
    client.on('error', () => client.destroy());
    if (!req.url?.startsWith('/')) return refuse(client, 400, 'Portico is not a forward proxy: request a path, not an absolute URL');
    const target = parseHost(req.headers.host, domain);
    const prefixed = target.kind === 'gateway' ? parsePrefixed(req.url) : null;
    if (target.kind === 'gateway' && !prefixed) return refuse(client, 404, 'no upgrades on the gateway host');
    const label = target.kind === 'endpoint' ? target.label : prefixed!.label;
    void relay(req, client, head, label, prefixed).catch((error: unknown) => refuse(client, 502, messageOf(error)));
  };

  async function relay(req: IncomingMessage, client: Duplex, head: Buffer, label: string, prefixed: Prefixed | null): Promise<void> {
    const resolved = await routes.resolve(label);
    if (resolved.kind === 'page') return refuse(client, resolved.page.status, resolved.page.message);
    const admission = await gate.admit(resolved);
    if (admission.kind !== 'go') {
      metrics.response(resolved.projectId, 503);
      return refuse(client, 503, admission.kind === 'failed' ? admission.reason : `${label} is waking up; retry shortly`);
    }
    const url = new URL(admission.upstream);
    const upstream: Socket = connect({ host: url.hostname, port: Number(url.port) });
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      admission.release();
      metrics.response(resolved.projectId, 101, upstream.bytesWritten, upstream.bytesRead);
    };
    upstream.once('connect', () => {
      const { headers } = forwardedRequest(req, { trusted: trustForwarded ?? false, prefix: prefixed && prefixed.prefix, upgrade: true });
      const lines = [`${req.method} ${prefixed ? prefixed.path : req.url} HTTP/1.1`];
      for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (error) => {
      if (upstream.bytesRead === 0) refuse(client, 502, `the demo is not answering (${error.message})`);
      else client.destroy();
      release();
    });
    upstream.on('close', () => {
      client.destroy();
      release();
    });
    client.on('close', () => {
      upstream.destroy();
      release();
    });
  }
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable' };

function refuse(client: Duplex, status: number, message: string): void {
  if (client.destroyed) return;
  const body = `${message}\n`;
  client.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
