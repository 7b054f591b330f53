/**
 * Minimal placeholder (branch `runtime`) for the `analysis` branch's module of the same path and
 * signature; the integrator takes theirs. Reads a Hugging Face Spaces README's YAML front matter.
 */
export interface DemoCard {
  readonly title: string | null;
  readonly emoji: string | null;
  readonly description: string | null;
  readonly sdk: string | null;
  readonly appPort: number | null;
}

export function parseDemoCard(readme: string): DemoCard | null {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(readme);
  if (!match) return null;
  const fields = new Map<string, string>();
  for (const line of match[1]!.split(/\r?\n/)) {
    const pair = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (pair) fields.set(pair[1]!, pair[2]!.trim().replace(/^(['"])(.*)\1$/, '$2'));
  }
  const text = (name: string) => (fields.get(name) ? fields.get(name)! : null);
  const port = Number(fields.get('app_port'));
  return {
    title: text('title'),
    emoji: text('emoji'),
    description: text('short_description'),
    sdk: text('sdk'),
    appPort: Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null,
  };
}
