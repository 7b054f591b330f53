import type { RequestListener } from 'node:http';

const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

export interface PlainHttpDeps {
  /** The key authorization for an HTTP-01 token (undefined: unknown token, or no ACME). */
  readonly challengeAnswer: (token: string) => string | undefined;
  /** Whether a host has a certificate: then plain HTTP to it is redirected to HTTPS. */
  readonly secured: (host: string) => boolean;
  /** The HTTPS port clients reach (443 is left out of redirect URLs). */
  readonly httpsPort: () => number;
  /** Serves what is neither a challenge nor redirected: hosts without a certificate stay on plain HTTP. */
  readonly fallback: RequestListener;
}

/**
 * The plain-HTTP listener when TLS is on: answers ACME HTTP-01 challenges (for every host, also
 * those already secured, so renewals validate), redirects hosts that have a certificate to HTTPS
 * with 308 (method and body kept), and serves the rest as before, so a host whose certificate
 * could not be obtained still works.
 */
export function createPlainHttpListener(deps: PlainHttpDeps): RequestListener {
  return (req, res) => {
    const url = req.url ?? '';
    if (url.startsWith(CHALLENGE_PREFIX)) {
      const answer = deps.challengeAnswer(url.slice(CHALLENGE_PREFIX.length).split('?')[0]!);
      req.resume();
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      return void res.end(answer ?? 'no such ACME challenge\n');
    }
    const host = hostName(req.headers.host);
    if (host && url.startsWith('/') && deps.secured(host)) {
      const port = deps.httpsPort();
      req.resume();
      res.writeHead(308, { location: `https://${host}${port === 443 ? '' : `:${port}`}${url}`, 'content-length': 0, 'cache-control': 'no-store' });
      return void res.end();
    }
    deps.fallback(req, res);
  };
}

/** The lowercased name of a Host header without its port; undefined for IP literals in brackets or an empty header. */
export function hostName(host: string | undefined): string | undefined {
  if (!host || host.startsWith('[')) return undefined;
  const name = host.trim().toLowerCase().replace(/:\d*$/, '').replace(/\.$/, '');
  return /^[a-z0-9.-]+$/.test(name) ? name : undefined;
}
