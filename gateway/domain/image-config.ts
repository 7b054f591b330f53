import type { ImageFacts } from '../ports/image-builder.ts';

/** The `config` of an image's configuration (Docker's and OCI's image spec), as an engine's inspect or a registry's config blob gives it. */
export interface ImageConfig {
  readonly Env?: readonly string[] | null | undefined;
  readonly ExposedPorts?: Readonly<Record<string, unknown>> | null | undefined;
  readonly Entrypoint?: unknown;
  readonly Cmd?: unknown;
  readonly Labels?: Readonly<Record<string, string>> | null | undefined;
}

/** The parts of an image's configuration that decide placement and the port. */
export function factsOf(config: ImageConfig | undefined): ImageFacts {
  const env = Object.fromEntries(
    (config?.Env ?? []).map((entry) => {
      const equals = entry.indexOf('=');
      return equals < 0 ? [entry, ''] : [entry.slice(0, equals), entry.slice(equals + 1)];
    }),
  );
  const exposedPorts = Object.keys(config?.ExposedPorts ?? {}).flatMap((key) => {
    const match = /^(\d+)(?:\/tcp)?$/.exec(key);
    return match ? [Number(match[1])] : [];
  });
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);
  return { env, exposedPorts, entrypoint: list(config?.Entrypoint), cmd: list(config?.Cmd), labels: { ...(config?.Labels ?? {}) } };
}
