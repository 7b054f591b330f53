import { DockerfileParser } from 'dockerfile-ast';
import type { Flag, Instruction } from 'dockerfile-ast';

/** Where generated files go inside the build context (the adapted Dockerfile and heredoc documents). */
export const GENERATED_DIR = '.portico-buildkit';

/** A file the adapted Dockerfile needs in the build context. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

export type CompatResult =
  | { readonly ok: true; readonly text: string; readonly files: readonly GeneratedFile[]; readonly notes: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** Flags the Dockerfile frontend built into Docker 20.10 knows (BuildKit 0.8's dockerfile 1.2 syntax). */
const KNOWN_FLAGS: Readonly<Record<string, readonly string[]>> = {
  RUN: ['mount'],
  COPY: ['from', 'chown', 'chmod'],
  ADD: ['chown', 'chmod'],
  FROM: ['platform'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'retries'],
};

/** The official Dockerfile frontend images a `# syntax=` directive names; anything else is a custom frontend. */
const OFFICIAL_SYNTAX = /^(?:docker\.io\/)?docker\/dockerfile(?:-upstream)?(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
const DEFAULT_SHELL = ['/bin/sh', '-c'];

class Refusal extends Error {}

/**
 * Adapts a Dockerfile written for a current BuildKit to the older Dockerfile frontend built into
 * Docker 20.10, where `# syntax=` images cannot be pulled: only rewrites whose result builds the
 * same image, else a refusal naming the line, the feature and the fix.
 *
 * - `# syntax=docker/dockerfile:…` → dropped (kept as a comment); the built-in frontend builds.
 * - `COPY --link` / `ADD --link` → without `--link` (the same files; only layer reuse differs).
 * - `RUN <<EOT … EOT` and `RUN cmd <<EOT … EOT` → the exec form BuildKit itself runs: the stage's
 *   shell with the script (a document starting with `#!` is mounted at /dev/pipes/NAME and run).
 * - `COPY <<EOF dest` → a generated file in the context, copied from there (mode 0644 as BuildKit).
 * Line numbers stay where they were, so the engine's errors still point at the user's lines.
 */
export function adaptForBuiltinFrontend(text: string, engine: string): CompatResult {
  try {
    return adapt(text, engine);
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, error: error.message };
    throw error;
  }
}

function adapt(text: string, engine: string): CompatResult {
  const lines = text.split('\n');
  const dockerfile = DockerfileParser.parse(text);
  const files: GeneratedFile[] = [];
  const notes: string[] = [];
  const newer = `use a Docker 23 or newer engine, whose built-in frontend has it`;
  const refuse = (line: number, what: string, fix: string): never => {
    throw new Refusal(`Dockerfile line ${line}: ${what}, which the Dockerfile frontend built into this engine (Docker ${engine}) does not have, and a newer frontend image cannot be pulled here; ${fix}, or ${newer}`);
  };

  for (const directive of dockerfile.getDirectives()) {
    if (directive.getName().toLowerCase() !== 'syntax') continue;
    const image = directive.getValue() ?? '';
    const line = directive.getRange().start.line;
    if (!OFFICIAL_SYNTAX.test(image)) {
      throw new Refusal(`Dockerfile line ${line + 1}: # syntax=${image} asks for a custom Dockerfile frontend image, which this engine (Docker ${engine}) would have to pull, and no registry is reachable; load that image into the engine, or remove the directive if the Dockerfile builds without it`);
    }
    lines[line] = `# (syntax=${image}: built with the engine's built-in frontend)`;
    notes.push(`Dockerfile line ${line + 1}: # syntax=${image} is not pulled; building with the Dockerfile frontend built into Docker ${engine}`);
  }

  const shells = new Map<string, string[]>(); // stage alias → its SHELL
  const escape = dockerfile.getEscapeCharacter();
  let shell = DEFAULT_SHELL;
  let stageAlias: string | null = null;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const start = instruction.getRange().start.line;
    const end = instruction.getRange().end.line;
    if (keyword === 'FROM') {
      const args = instruction.getArguments().map((arg) => arg.getValue());
      shell = shells.get(args[0]?.toLowerCase() ?? '') ?? DEFAULT_SHELL;
      if (args[1]?.toLowerCase() === 'as' && args[2]) shells.set(args[2].toLowerCase(), shell);
      stageAlias = args[1]?.toLowerCase() === 'as' && args[2] ? args[2].toLowerCase() : null;
    } else if (keyword === 'SHELL') {
      shell = jsonArray(instruction) ?? shell;
      if (stageAlias) shells.set(stageAlias, shell);
    }

    const flags = flagsOf(instruction);
    const known = KNOWN_FLAGS[keyword] ?? [];
    for (const flag of flags) {
      const name = flag.getName().toLowerCase();
      if (known.includes(name)) continue;
      if (name === 'link' && (keyword === 'COPY' || keyword === 'ADD')) continue; // dropped below
      refuse(start + 1, `${keyword} --${name} needs a newer Dockerfile syntax`, `remove --${name}`);
    }

    // The instruction's own line, continuation lines joined as the parser joins them; here-document bodies follow it.
    let last = start;
    while (last < end && endsWithEscape(lines[last]!, escape)) last++;
    const logical = lines.slice(start, last + 1).map((line, i, all) => (i < all.length - 1 ? withoutEscape(line, escape) : line)).join('');
    const heredocs = end > last ? [...logical.matchAll(HEREDOC)] : [];
    if (heredocs.length > 0 && keyword !== 'RUN' && keyword !== 'COPY' && keyword !== 'ADD') {
      refuse(start + 1, `a here-document in ${keyword}`, 'write its content to a file in the repository');
    }
    const dropLink = (line: string) => line.replace(/\s--link(?:=\w+)?(?=\s|$)/i, '');
    if (heredocs.length === 0) {
      if (!flags.some((flag) => flag.getName().toLowerCase() === 'link')) continue;
      for (let line = start; line <= last; line++) lines[line] = dropLink(lines[line]!);
      notes.push(`Dockerfile line ${start + 1}: ${keyword} --link built without --link (the same files; the built-in frontend has no linked layers)`);
      continue;
    }
    const first = dropLink(logical);

    const documents = readDocuments(lines, last, end, heredocs);
    const [flagText, command] = splitFlags(first, keyword);
    if (keyword === 'RUN') {
      lines[start] = `${flagText}${runCommand(command, documents, shell, start, files)}`;
    } else {
      lines[start] = `${flagText}${copySources(command, documents, start, files, refuse)}`;
    }
    for (let line = start + 1; line <= end; line++) lines[line] = '';
    notes.push(`Dockerfile line ${start + 1}: ${keyword} with a here-document rewritten for the built-in frontend (${documents.map((doc) => `<<${doc.name}`).join(' ')})`);
  }
  return { ok: true, text: lines.join('\n'), files, notes };
}

interface Document {
  readonly name: string;
  readonly chomp: boolean;
  readonly expand: boolean;
  /** The lines between the marker line and the terminator, each with its newline, as BuildKit reads them. */
  readonly content: string;
}

/** The here-documents' bodies, from the line after the instruction's own (`after`) to its end. */
function readDocuments(lines: readonly string[], after: number, end: number, markers: RegExpMatchArray[]): Document[] {
  const documents: Document[] = [];
  let line = after + 1;
  for (const marker of markers) {
    const chomp = marker[1] === '-';
    const name = marker[3]!;
    let content = '';
    while (line <= end && (chomp ? lines[line]!.replace(/^\t+/, '') : lines[line]) !== name) content += `${lines[line++]}\n`;
    if (line > end) throw new Refusal(`Dockerfile line ${after + 1}: the here-document <<${name} has no closing ${name} line`);
    line++;
    documents.push({ name, chomp, expand: marker[2] === '', content });
  }
  return documents;
}

/** `RUN --mount=… ` and the rest of the line (the command BuildKit sees, heredoc markers included). */
function splitFlags(first: string, keyword: string): [string, string] {
  const match = new RegExp(`^(\\s*${keyword}\\s+(?:--\\S+\\s+)*)(.*)$`, 'i').exec(first);
  return match ? [match[1]!, match[2]!] : [`${keyword} `, first];
}

function runCommand(command: string, documents: readonly Document[], shell: readonly string[], start: number, files: GeneratedFile[]): string {
  const only = /^<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1\s*$/.exec(command);
  if (only && documents.length === 1) {
    // BuildKit's dispatchRun: a lone here-document is the script itself (chomped for <<-) …
    const document = documents[0]!;
    const data = document.chomp ? document.content.replace(/^\t+/gm, '') : document.content;
    if (data.startsWith('#!')) {
      // … or, with a shebang, a file mounted at /dev/pipes/NAME and run.
      const path = `${GENERATED_DIR}/${start + 1}/${document.name}`;
      files.push({ path, content: data, mode: 0o755 });
      return `--mount=type=bind,source=${path},target=/dev/pipes/${document.name} ${JSON.stringify([`/dev/pipes/${document.name}`])}`;
    }
    return JSON.stringify([...shell, data]);
  }
  // Anything else goes to the shell whole, which reads the here-documents itself.
  const script = `${command}${documents.map((document) => `\n${document.content}${document.name}`).join('')}`;
  return JSON.stringify([...shell, script]);
}

function copySources(
  command: string,
  documents: readonly Document[],
  start: number,
  files: GeneratedFile[],
  refuse: (line: number, what: string, fix: string) => never,
): string {
  const byName = new Map(documents.map((document) => [document.name, document]));
  return command.replace(HEREDOC, (_marker, _chomp: string, _quote: string, name: string) => {
    const document = byName.get(name)!;
    if (document.expand && document.content.includes('$')) {
      refuse(start + 1, `COPY <<${name} expands $variables in the document's content`, `quote the delimiter (<<'${name}') if the $ signs are literal`);
    }
    const path = `${GENERATED_DIR}/${start + 1}/${name}`;
    files.push({ path, content: document.chomp ? document.content.replace(/^\t+/gm, '') : document.content, mode: 0o644 });
    return path;
  });
}

function endsWithEscape(line: string, escape: string): boolean {
  return line.trimEnd().endsWith(escape) && !line.trimStart().startsWith('#');
}

function withoutEscape(line: string, escape: string): string {
  const trimmed = line.trimEnd();
  return trimmed.slice(0, trimmed.length - escape.length);
}

function flagsOf(instruction: Instruction): Flag[] {
  return (instruction as unknown as { getFlags?: () => Flag[] }).getFlags?.() ?? [];
}

function jsonArray(instruction: Instruction): string[] | null {
  try {
    const value: unknown = JSON.parse(instruction.getArgumentsContent() ?? '');
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
  } catch {
    return null;
  }
}
