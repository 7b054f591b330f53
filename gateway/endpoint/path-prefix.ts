/** A request under the gateway host's `/p/{label}` path prefix, for hosts without a wildcard domain. */
export interface Prefixed {
  readonly label: string;
  /** `/p/{label}`: stripped from the path, announced to the demo in `X-Forwarded-Prefix`. */
  readonly prefix: string;
  /** What the demo is asked for: the rest of the path and the query, e.g. `/predict?x=1`. */
  readonly path: string;
  /** `/p/{label}` itself, without its trailing slash: a GET is redirected to `/p/{label}/`. */
  readonly bare: boolean;
}

/**
 * `/p/{label}`, `/p/{label}/…` and `/p/{label}?…` → the label and the demo's path; anything else
 * (and a label in percent-encoding, left to the Hono route, which decodes it) → null.
 */
export function parsePrefixed(url: string): Prefixed | null {
  if (!url.startsWith('/p/')) return null;
  let end = 3;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end += 1;
  const label = url.slice(3, end);
  if (label === '' || label.includes('%')) return null;
  const rest = url.slice(end);
  const bare = rest === '' || rest[0] === '?';
  return { label, prefix: `/p/${label}`, path: bare ? `/${rest}` : rest, bare };
}
