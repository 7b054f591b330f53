/** What a request's Host header asks for. */
export type HostTarget = { readonly kind: 'gateway' } | { readonly kind: 'endpoint'; readonly label: string };

/**
 * `{label}.{domain}[:port]` is an endpoint; anything else is the gateway's own host (API,
 * dashboard). Case and a trailing dot are ignored, as DNS ignores them.
 */
export function parseHost(host: string | undefined, domain: string): HostTarget {
  if (!host) return { kind: 'gateway' };
  const name = stripPort(host.trim().toLowerCase()).replace(/\.$/, '');
  const suffix = `.${domain}`;
  if (!name.endsWith(suffix)) return { kind: 'gateway' };
  const label = name.slice(0, -suffix.length);
  return label === '' ? { kind: 'gateway' } : { kind: 'endpoint', label };
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1); // [::1]:8080
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** The public URL of an endpoint, e.g. `http://main-hello-acme.localhost:8080`. */
export function endpointUrl(label: string, options: { readonly domain: string; readonly port: number; readonly scheme?: 'http' | 'https' }): string {
  const scheme = options.scheme ?? 'http';
  const defaultPort = scheme === 'https' ? 443 : 80;
  const port = options.port === defaultPort ? '' : `:${options.port}`;
  return `${scheme}://${label}.${options.domain}${port}`;
}
