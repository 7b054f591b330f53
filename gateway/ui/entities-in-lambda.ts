/**
 * What `entities` resolves to inside the Lambda bundles (esbuild `--alias:entities=`,
 * cdk/constructs/gateway.ts `bundling`). ansi-to-html (ui/ansi.ts) calls one function of it,
 * `encodeXML`, but requires the package's index, which carries every HTML entity name (42 KB).
 * This is that function as entities 2.2 defines it (lib/encode.js): the five XML entities by
 * name, every other non-ASCII character as `&#x…;`. test/ui/ansi.test.ts compares the two.
 */
const XML: Record<string, string> = { '&': '&amp;', "'": '&apos;', '>': '&gt;', '<': '&lt;', '"': '&quot;' };

/** entities' `reNonASCII` (lone surrogates included) after its XML replacer `[&'<>"]`, as one pattern. */
const ESCAPED = /[&'<>"]|(?:[\x80-\uD7FF\uE000-\uFFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF])/g;

function numeric(match: string): string {
  return `&#x${(match.length > 1 ? match.codePointAt(0)! : match.charCodeAt(0)).toString(16).toUpperCase()};`;
}

export function encodeXML(data: string): string {
  return data.replace(ESCAPED, (match) => XML[match] ?? numeric(match));
}
