import { parseArgs } from 'node:util';
import { UsageError } from './exit-codes.ts';

/** A command's options: `string` takes a value, `boolean` does not; `multiple` repeats. */
export type OptionSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean }>>;

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses a command's arguments. Node's parser runs non-strict and this function checks each
 * token itself, so every mistake comes back as a UsageError naming the command and the fix,
 * never as Node's raw `ERR_PARSE_ARGS_*` text.
 */
export function parseCommandArgs(command: string, args: readonly string[], options: OptionSpec): Parsed {
  const { values, positionals, tokens } = parseArgs({ args: [...args], options: { ...options }, allowPositionals: true, strict: false, tokens: true });
  const help = `see \`portico ${command} --help\``;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    const shown = token.rawName;
    if (!spec) throw new UsageError(`\`portico ${command}\` has no option ${shown}; ${help}`);
    if (spec.type === 'string' && token.value === undefined) throw new UsageError(`${shown} needs a value, e.g. ${shown} <value>; ${help}`);
    if (spec.type === 'string' && token.inlineValue !== true && token.value !== undefined && token.value.startsWith('-') && token.value.length > 1 && Object.hasOwn(options, token.value.replace(/^-+/, '').split('=')[0]!)) {
      throw new UsageError(`${shown} needs a value, e.g. ${shown} <value>; ${help}`);
    }
    if (spec.type === 'boolean' && token.value !== undefined) throw new UsageError(`${shown} takes no value; ${help}`);
  }
  return { values: values as Parsed['values'], positionals };
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function list(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

/** Exactly one positional argument, or a usage error that shows the expected form. */
export function one(positionals: readonly string[], usage: string): string {
  if (positionals.length === 0) throw new UsageError(`missing argument: portico ${usage}`);
  if (positionals.length > 1) throw new UsageError(`too many arguments (${positionals.slice(1).map((p) => `"${p}"`).join(', ')}): portico ${usage}`);
  return positionals[0]!;
}

/** `NAME=value` pairs; names as the API accepts them (letters, digits, `_`). */
export function assignments(items: readonly string[], what: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = eq <= 0 ? '' : item.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`${what} wants NAME=value (NAME of letters, digits and _), got "${item}"`);
    result[name] = item.slice(eq + 1);
  }
  return result;
}

/** A whole number within bounds, for flags such as `--idle 30`. */
export function wholeNumber(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, got "${text}"`);
  return Number(text);
}
