/** Binary multipliers, as `docker run --memory` uses them: `4g` is 4 GiB. */
const UNIT_EXPONENT: Readonly<Record<string, number>> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

/**
 * Bytes in a memory size such as `4g`, `512m`, `2Gi`, `1.5GB` or `1024` (plain bytes), or
 * null when the text is not a positive size. Units are case-insensitive and always binary,
 * like Docker's: Kubernetes' decimal `4G` would otherwise give a demo less than it asked for.
 */
export function parseMemory(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(?:([kmgtp])i?b?|b)?$/i.exec(text.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const exponent = match[2] ? (UNIT_EXPONENT[match[2].toLowerCase()] ?? 0) : 0;
  const bytes = Math.round(amount * 1024 ** exponent);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}
