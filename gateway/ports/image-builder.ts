export interface BuildRequest {
  /** Directory holding the build context. */
  readonly contextDir: string;
  /** Dockerfile path relative to `contextDir`. */
  readonly dockerfile: string;
  /** Image reference to tag the result with, e.g. `portico/main-hello-acme:3f2a…`. */
  readonly tag: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Build secrets by id, for `RUN --mount=type=secret,id=NAME`; never written to a log or a layer. */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** What the built image's own configuration says, inherited from every base image: the facts that correct the pre-build guess. */
export interface ImageFacts {
  /** `ENV` of the image, e.g. `CUDA_VERSION`, `NVIDIA_REQUIRE_CUDA`, `NVIDIA_VISIBLE_DEVICES`, `PORT`. */
  readonly env: Readonly<Record<string, string>>;
  /** TCP ports the image EXPOSEs, in the engine's order. */
  readonly exposedPorts: readonly number[];
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface BuiltImage {
  readonly imageId: string;
  readonly tag: string;
  readonly facts: ImageFacts;
}

/**
 * Builds images. A failed build throws `PorticoError('build_failed')` whose message is the
 * failing step's error; no engine throws `engine_unavailable`. Never pulls base images on
 * its own initiative.
 */
export interface ImageBuilder {
  build(request: BuildRequest, onLog: (text: string) => void): Promise<BuiltImage>;
  /** Removes every image labelled with this project. Already gone is success. */
  removeProjectImages(projectId: string): Promise<void>;
  /**
   * Frees disk after a deploy: removes the project's images except those named in `keep` (the
   * caller knows which deployments are newest; image timestamps have only second resolution).
   * An image a container still uses is kept whatever `keep` says. Returns the images removed.
   */
  pruneProjectImages(projectId: string, options: { readonly keep: readonly string[] }): Promise<{ readonly removed: readonly string[] }>;
  /** A kept image's facts, or null when it is gone (pruned or removed), for a rollback. Absent: this builder cannot tell (rollback is refused). */
  inspectImage?(tag: string): Promise<ImageFacts | null>;
  /** Whether a kept image is still there, when that is cheaper to ask than its facts (a registry). Absent: `inspectImage` tells. */
  hasImage?(tag: string): Promise<boolean>;
  /** Which of a project's images are kept, for the message when a rollback's image is gone; absent: PORTICO_KEEP_IMAGES's rule. */
  readonly keptImages?: string;
}
