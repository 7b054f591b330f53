import { join } from 'node:path';

/** Where HAProxy's files live and what it must know to route; written once when Portico starts. */
export interface HaproxySettings {
  /** Directory for the config, the routes map, the admin socket and the error pages. */
  readonly dir: string;
  /** The public address HAProxy listens on. */
  readonly host: string;
  readonly port: number;
  /** Portico's own listener (API, dashboard, the activator for endpoints without a route). */
  readonly activatorPort: number;
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  /** `nbthread`; absent: 1 (HAProxy's own default is one thread per core, which the demos need). */
  readonly threads?: number;
  /**
   * HTTPS on `port`, with a PEM certificate and key (files: plain HTTP then only redirects to it), or
   * with the certificates Portico obtains by ACME, added and renewed at run time (plain HTTP to a
   * host with one redirects, the rest is served as is).
   */
  readonly tls?: { readonly port: number } & ({ readonly certFile: string; readonly keyFile: string } | { readonly acme: true });
}

export const haproxyFiles = (dir: string) => ({
  config: join(dir, 'haproxy.cfg'),
  routes: join(dir, 'routes.map'),
  socket: join(dir, 'admin.sock'),
  error504: join(dir, '504.http'),
  /** The running HAProxy's pid, so one left by a gateway that was killed is stopped at the next start. */
  pid: join(dir, 'haproxy.pid'),
  /** Certificate chain and key in one file, as HAProxy's `crt` takes them. */
  tlsPem: join(dir, 'tls.pem'),
  /** With ACME: the certificates HAProxy serves, one file per host, named in the crt-list its HTTPS bind loads. */
  certs: join(dir, 'certs'),
  crtList: join(dir, 'crt-list'),
  /** With ACME: the hosts that have a certificate, whose plain-HTTP requests are redirected to HTTPS. */
  secured: join(dir, 'secured.map'),
});

/** The header block Node accepts (its default `maxHeaderSize`); bigger gets 431, as from the Node proxy. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Keep idle client connections longer than load balancers in front do (an ALB: 60 s), as the Node listener does. */
const CLIENT_IDLE_MS = 65_000;
const CHALLENGE_PATH = '/.well-known/acme-challenge/';

/**
 * The whole HAProxy configuration. Routing never needs a reload: `Host` → `ip:port` comes from a
 * map changed over the admin socket, and a single `server clear 0.0.0.0:0` is pointed at it per
 * request (`set-dst`/`set-dst-port`); what that address refuses is sent on to Portico. A host
 * missing from the map (sleeping, paused, waking, unknown) and the gateway's own host go to Portico. A stick table keyed by host counts what the
 * direct route carries (`conn_cur` is the requests under way: tracked per request, not per connection).
 */
export function haproxyConfig(settings: HaproxySettings): string {
  const files = haproxyFiles(settings.dir);
  const address = (port: number) => (settings.host.includes(':') ? `[${settings.host}]:${port}` : `${settings.host}:${port}`);
  const tls = settings.tls;
  const httpsSuffix = tls && tls.port !== 443 ? `:${tls.port}` : '';
  const redirect = `http-request redirect location https://%[req.hdr(host),field(1,:)]${httpsSuffix}%[capture.req.uri] code 308 if !{ ssl_fc } !{ path_beg ${CHALLENGE_PATH} }`;
  const acme = tls !== undefined && 'acme' in tls;
  const tlsLines = !tls
    ? ''
    : acme
      ? `  # Certificates are added, renewed and removed at run time (crt-list and map changed over the admin
  # socket); strict-sni: a host without one gets no certificate rather than another host's.
  bind ${address(tls.port)} ssl crt-list ${files.crtList} strict-sni alpn h2,http/1.1
  # Plain HTTP to a host with a certificate redirects, except ACME's HTTP-01 challenge path; other hosts are served as they are.
  ${redirect} { req.hdr(host),field(1,:),lower,map(${files.secured}) -m found }
`
      : `  bind ${address(tls.port)} ssl crt ${files.tlsPem} alpn h2,http/1.1
  # Plain HTTP only redirects, except ACME's HTTP-01 challenge path.
  ${redirect}
`;
  // Portico answers ACME's HTTP-01 challenges for every host, also those routed straight to a container.
  const challengeLine = acme ? `  use_backend portico if !{ ssl_fc } { path_beg ${CHALLENGE_PATH} }\n` : '';
  return `# Written by Portico at start; routes change through the admin socket, never by editing this file.
global
  nbthread ${settings.threads ?? 1}
  stats socket ${files.socket} mode 600 level admin
  tune.bufsize 32768

defaults
  mode http
  timeout connect 5s
  timeout client ${CLIENT_IDLE_MS}ms
  timeout http-request ${CLIENT_IDLE_MS}ms
  timeout http-keep-alive ${CLIENT_IDLE_MS}ms
  timeout server ${settings.upstreamTimeoutMs}ms
  timeout tunnel 1h
  # A client that leaves (closes or half-closes) before its response is complete ends the request
  # at once: the demo's connection is closed even while it writes nothing, as the Node proxy does.
  # It must be here: HAProxy 2.6 reads it from the frontend's side, and a frontend cannot set it
  # (haproxy/haproxy#2344).
  option abortonclose
  errorfile 504 ${files.error504}

frontend public
  bind ${address(settings.port)}
${tlsLines}  # Only origin-form targets: an absolute URI or CONNECT is how open proxies are abused (HTTP/2
  # requests always carry a path; HAProxy shows them as absolute URIs built from :authority).
  http-request return status 400 content-type "text/plain; charset=utf-8" string "Portico is not a forward proxy: request a path, not an absolute URL." if METH_CONNECT || !{ req.ver 2.0 } !{ url_beg / }
  http-request return status 431 content-type "text/plain; charset=utf-8" string "Request header fields too large." if { req.hdrs,length gt ${MAX_HEADER_BYTES} }
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header X-Forwarded-Proto ${tls ? 'https if { ssl_fc }\n  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }' : 'http'}
  http-request set-var(txn.up) req.hdr(host),field(1,:),lower,map(${files.routes})
  # Left to Portico, which enforces them while streaming: bodies without a declared length or over
  # the limit (413), and extra hop-by-hop headers named in Connection.
  acl routed var(txn.up) -m found
  acl streamed_body req.hdr(transfer-encoding) -m found
  acl too_large req.hdr_val(content-length) gt ${settings.maxBodyBytes}
  acl extra_hop_by_hop req.hdr(connection) -m reg -i ^(?!(keep-alive|close|upgrade)$)
${challengeLine}  use_backend containers if routed !streamed_body !too_large !extra_hop_by_hop
  default_backend portico

backend containers
  stick-table type string len 255 size 100k expire 24h store conn_cur,http_req_cnt,http_fail_cnt,bytes_in_cnt,bytes_out_cnt
  http-request track-sc0 req.hdr(host),field(1,:),lower
  http-request del-header proxy-authorization
  http-request del-header proxy-connection
  http-request del-header keep-alive
  http-request del-header te
  http-request del-header trailer
  http-request set-dst var(txn.up),field(1,:)
  http-request set-dst-port var(txn.up),field(2,:)
  option forwardfor
  # Send each piece as the demo writes it (Server-Sent Events, token streams), not when a buffer fills.
  option http-no-delay
  http-reuse always
  # Every request goes to the address its host maps to. One the demo refuses (the engine restarted
  # it on a new address, or stopped it) goes to Portico at once instead of a 503: Portico asks the
  # engine, routes the host again and serves it, as the Node proxy does.
  use-server clear if TRUE
  option redispatch 1
  server clear 0.0.0.0:0
  server activator 127.0.0.1:${settings.activatorPort} pool-max-conn 8 pool-purge-delay 1s

backend portico
  option forwardfor
  # Streams Portico relays (a demo it just woke, bodies it polices) go on as written, as from a container.
  option http-no-delay
  # Few idle connections kept to Portico, and not for long: once its clients are gone it holds
  # no descriptors for them.
  server portico 127.0.0.1:${settings.activatorPort} pool-max-conn 8 pool-purge-delay 1s
`;
}

/** Error pages HAProxy sends itself, worded as Portico's own. */
export function haproxyErrorPages(settings: HaproxySettings): { readonly error504: string } {
  const page = (status: string, text: string) => `HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\ncache-control: no-store\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`;
  return {
    error504: page('504 Gateway Timeout', `the demo did not respond within ${settings.upstreamTimeoutMs} ms (PORTICO_UPSTREAM_TIMEOUT_MS)\n`),
  };
}
