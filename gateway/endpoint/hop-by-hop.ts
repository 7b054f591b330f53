/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The extra header names a `Connection` header marks as hop-by-hop. */
export function connectionTokens(header: string | readonly string[] | null | undefined): Set<string> {
  const text = Array.isArray(header) ? header.join(',') : ((header as string | null | undefined) ?? '');
  return new Set(text.split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
}
