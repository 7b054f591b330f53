import { DockerfileParser } from 'dockerfile-ast';
import type { Flag } from 'dockerfile-ast';

/** One `RUN --mount=type=secret,…` of a Dockerfile. */
export interface SecretMount {
  /** The secret's id: `id=`, else the file name of `target=` (BuildKit's default). */
  readonly id: string;
  /** `required` or `required=true`: the build must fail when the secret is not given. */
  readonly required: boolean;
  /** 1-based line of the RUN instruction. */
  readonly line: number;
}

/** The secret mounts of every RUN, in file order. */
export function secretMountsOf(dockerfileText: string): SecretMount[] {
  const mounts: SecretMount[] = [];
  for (const instruction of DockerfileParser.parse(dockerfileText).getInstructions()) {
    if (instruction.getKeyword() !== 'RUN') continue;
    const flags = (instruction as unknown as { getFlags?: () => Flag[] }).getFlags?.() ?? [];
    for (const flag of flags) {
      if (flag.getName() !== 'mount') continue;
      const options = new Map<string, string>();
      for (const part of (flag.getValue() ?? '').split(',')) {
        const equals = part.indexOf('=');
        options.set((equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase(), equals < 0 ? '' : part.slice(equals + 1).trim());
      }
      if (options.get('type') !== 'secret') continue;
      const target = options.get('target') ?? options.get('dst') ?? options.get('destination') ?? '';
      const id = options.get('id') || target.split('/').filter(Boolean).pop() || '';
      const required = options.has('required') && ['', 'true', '1'].includes(options.get('required')!.toLowerCase());
      mounts.push({ id, required, line: instruction.getRange().start.line + 1 });
    }
  }
  return mounts;
}
