import type { IncomingMessage } from 'node:http';
import { HOP_BY_HOP, connectionTokens } from './hop-by-hop.ts';

/**
 * Headers as Node's flat `rawHeaders` lists them, `[name, value, name, value, …]`. The hot path
 * reads and sends these lists as they are: `request()` and `writeHead()` take them without
 * setting headers one by one on a header object, and Portico never asks for `req.headers` or a
 * response's `headers` (objects Node builds lazily, on first use).
 */
export type HeaderList = string[];

export interface ForwardOptions {
  /** Behind a proxy engine (HAProxy): the X-Forwarded-For/-Host/-Proto it set are kept as they are. */
  readonly trusted: boolean;
  /** `/p/{label}`, sent as `X-Forwarded-Prefix` (replacing the client's). */
  readonly prefix: string | null;
  /** An Upgrade request: its `Connection` and `Upgrade` headers go on to the demo. */
  readonly upgrade?: boolean;
}

export interface ForwardedRequest {
  readonly headers: HeaderList;
  /** The declared `Content-Length`, 0 without one. */
  readonly contentLength: number;
  readonly chunked: boolean;
}

/** The `Host` header, read without building `req.headers`. */
export function hostOf(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') return raw[i + 1];
  }
  return undefined;
}

/**
 * The request's end-to-end headers plus X-Forwarded-For/-Host/-Proto (and -Prefix). Behind a
 * proxy engine (`trusted`), those it set are kept as they are: it appended the client's address itself.
 */
export function forwardedRequest(req: IncomingMessage, { trusted, prefix, upgrade = false }: ForwardOptions): ForwardedRequest {
  const raw = req.rawHeaders;
  const headers: HeaderList = [];
  let host = '';
  let contentLength = 0;
  let chunked = false;
  let connection: string | null = null;
  let priorFor: string | null = null;
  let priorHost: string | null = null;
  let priorProto: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    switch (lower) {
      case 'host':
        host = value;
        break;
      case 'content-length':
        contentLength = Number(value);
        break;
      case 'transfer-encoding':
        chunked = true;
        continue;
      case 'connection':
        connection = connection === null ? value : `${connection}, ${value}`;
        break;
      case 'x-forwarded-for':
        priorFor = priorFor === null ? value : `${priorFor}, ${value}`;
        continue;
      case 'x-forwarded-host':
        priorHost = value;
        continue;
      case 'x-forwarded-proto':
        priorProto = value;
        continue;
      case 'x-forwarded-prefix':
        if (prefix !== null) continue;
        break;
    }
    if (HOP_BY_HOP.has(lower) && !(upgrade && (lower === 'connection' || lower === 'upgrade'))) continue;
    headers.push(name, value);
  }
  const list = connection === null ? headers : withoutNamed(headers, connection);
  if (trusted && priorFor !== null) {
    list.push('x-forwarded-for', priorFor);
    if (priorHost !== null) list.push('x-forwarded-host', priorHost);
    if (priorProto !== null) list.push('x-forwarded-proto', priorProto);
  } else {
    const peer = req.socket.remoteAddress ?? '';
    list.push('x-forwarded-for', priorFor ? `${priorFor}, ${peer}` : peer, 'x-forwarded-host', host, 'x-forwarded-proto', 'encrypted' in req.socket ? 'https' : 'http');
  }
  if (prefix !== null) list.push('x-forwarded-prefix', prefix);
  return { headers: list, contentLength, chunked };
}

/** A demo's response headers without the hop-by-hop ones, and its declared length (null without one). */
export function responseHeaders(raw: readonly string[]): { readonly headers: HeaderList; readonly contentLength: number | null } {
  const headers: HeaderList = [];
  let contentLength: number | null = null;
  let connection: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'content-length') contentLength = Number(value) || 0;
    else if (lower === 'connection') connection = connection === null ? value : `${connection}, ${value}`;
    if (HOP_BY_HOP.has(lower)) continue;
    headers.push(name, value);
  }
  return { headers: connection === null ? headers : withoutNamed(headers, connection), contentLength };
}

const USUAL_CONNECTION: ReadonlySet<string> = new Set(['keep-alive', 'close', 'Keep-Alive', 'Close']);

/** Drops the end-to-end headers a `Connection` header names (RFC 9110 §7.6.1). */
function withoutNamed(headers: HeaderList, connection: string): HeaderList {
  if (USUAL_CONNECTION.has(connection)) return headers;
  const named = connectionTokens(connection);
  for (const token of HOP_BY_HOP) named.delete(token); // gone already, or kept on purpose (an Upgrade's)
  if (named.size === 0) return headers; // `Connection: keep-alive`, the usual case
  const kept: HeaderList = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!named.has(headers[i]!.toLowerCase())) kept.push(headers[i]!, headers[i + 1]!);
  }
  return kept;
}
