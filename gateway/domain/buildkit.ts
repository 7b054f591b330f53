import type { Dockerfile, Instruction } from 'dockerfile-ast';

/** One use of Dockerfile syntax that only BuildKit builds. */
export interface BuildkitFeature {
  readonly line: number;
  /** As written, e.g. `RUN --mount=type=cache`, `COPY --chmod`, `RUN <<EOF`. */
  readonly feature: string;
  /**
   * Not in the Dockerfile frontend that Docker 20.10 builds in (heredocs, `COPY --link`,
   * `ADD --checksum`, `--parents`, `--exclude`): the build needs a `# syntax=` frontend image.
   */
  readonly needsFrontend: boolean;
}

/** A `RUN --mount=type=secret` the build must be given. */
export interface SecretMount {
  readonly id: string;
  readonly required: boolean;
  readonly line: number;
}

export interface BuildkitUse {
  /** The `# syntax=` directive, e.g. `docker/dockerfile:1`; null without one. */
  readonly syntax: string | null;
  readonly features: readonly BuildkitFeature[];
  /** The classic builder refuses this file. A `# syntax=` line alone does not make it so. */
  readonly required: boolean;
  readonly secrets: readonly SecretMount[];
}

/** Flags of COPY/ADD that need BuildKit, and whether the engine's built-in frontend has them. */
const COPY_FLAGS: Readonly<Record<string, boolean>> = { chmod: false, link: true, parents: true, exclude: true, checksum: true, 'keep-git-dir': true };
const RUN_FLAGS: Readonly<Record<string, boolean>> = { mount: false, network: false, security: true };

interface Flagged {
  getFlags(): Array<{ getName(): string; getValue(): string | null }>;
}

function lineOf(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}

/** `type=secret,id=hf_token,required=true` → its fields; `type` defaults to bind, as in BuildKit. */
function mountFields(value: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    fields[(eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase()] = eq < 0 ? 'true' : part.slice(eq + 1).trim();
  }
  return fields;
}

export function buildkitUse(dockerfile: Dockerfile): BuildkitUse {
  const syntax = dockerfile.getDirectives().find((directive) => directive.getName().toLowerCase() === 'syntax')?.getValue() ?? null;
  const features: BuildkitFeature[] = [];
  const secrets: SecretMount[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword !== 'RUN' && keyword !== 'COPY' && keyword !== 'ADD') continue;
    const line = lineOf(instruction);
    const flags = 'getFlags' in instruction ? (instruction as unknown as Flagged).getFlags() : [];
    const known = keyword === 'RUN' ? RUN_FLAGS : COPY_FLAGS;
    for (const flag of flags) {
      const name = flag.getName().toLowerCase();
      if (!Object.hasOwn(known, name)) continue;
      if (name === 'mount') {
        const fields = mountFields(flag.getValue() ?? '');
        const type = fields['type'] ?? 'bind';
        features.push({ line, feature: `RUN --mount=type=${type}`, needsFrontend: false });
        if (type === 'secret') {
          const id = fields['id'] ?? (fields['target'] ?? fields['dst'] ?? fields['destination'] ?? '').split('/').pop() ?? '';
          secrets.push({ id, required: fields['required'] === 'true', line });
        }
      } else {
        features.push({ line, feature: `${keyword} --${name}`, needsFrontend: known[name]! });
      }
    }
    const heredoc = instruction.getArguments().map((argument) => argument.getValue()).find((word) => /^<<-?["']?[A-Za-z_]/.test(word));
    if (heredoc !== undefined) features.push({ line, feature: `${keyword} ${heredoc.replace(/["']/g, '')}`, needsFrontend: true });
  }
  return { syntax, features, required: features.length > 0, secrets };
}

/** `RUN --mount=type=cache (line 12), COPY --chmod (line 30)`; repeated features are named once, at their first line. */
export function describeBuildkit(use: BuildkitUse): string {
  const first = new Map<string, number>();
  for (const { feature, line } of use.features) if (!first.has(feature)) first.set(feature, line);
  return [...first].map(([feature, line]) => `${feature} (line ${line})`).join(', ');
}
