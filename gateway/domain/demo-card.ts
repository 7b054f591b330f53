import { parse } from 'yaml';

/** What a Hugging Face Spaces README's YAML front matter says about a demo. */
export interface DemoCard {
  readonly title: string | null;
  readonly emoji: string | null;
  /** From `short_description`. */
  readonly description: string | null;
  /** `docker`, `gradio`, `streamlit`, `static`. */
  readonly sdk: string | null;
  /** From `app_port`; null when absent or not a port. */
  readonly appPort: number | null;
}

/** A `---` line opens the block (after blank lines at most); a `---` or `...` line closes it. */
const FRONT_MATTER = /^(?:[ \t]*\r?\n)*---[ \t]*\r?\n([\s\S]*?)\r?\n?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function port(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(number) && number >= 1 && number <= 65535 ? number : null;
}

/**
 * Reads the front matter at the top of a README, as Hugging Face Spaces do. Null when there is
 * none, or when it is not a YAML mapping; a field of the wrong kind (an `app_port` that is no
 * port) is left out, never thrown.
 */
export function parseDemoCard(readme: string): DemoCard | null {
  const match = FRONT_MATTER.exec(readme.replace(/^\uFEFF/, ''));
  if (!match) return null;
  let data: unknown;
  try {
    data = parse(match[1]!, { uniqueKeys: false, logLevel: 'error' });
  } catch {
    return null;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const fields = data as Record<string, unknown>;
  const sdk = text(fields['sdk']);
  return {
    title: text(fields['title']),
    emoji: text(fields['emoji']),
    description: text(fields['short_description']),
    sdk: sdk === null ? null : sdk.toLowerCase(),
    appPort: port(fields['app_port']),
  };
}
