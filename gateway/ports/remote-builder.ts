import type { ResolvedSource } from '../domain/types.ts';

export interface RemoteBuildRequest {
  readonly projectId: string;
  readonly deploymentId: string;
  /** The repository pinned to the exact commit to build (never a branch: builds are reproducible). */
  readonly source: ResolvedSource;
  /** Dockerfile path and build context, relative to the repository root. */
  readonly dockerfile: string;
  readonly context: string;
  /** What the release step needs once the image exists; carried with the build so its completion event is self-contained. */
  readonly port: number;
  readonly memoryBytes: number;
  /** The Dockerfile's GPU guess, carried with the build so the release step can decide again from the image. */
  readonly guess?: BuildGuess;
  /** Build secrets by id, for `RUN --mount=type=secret,id=NAME`; never written to a log, the build's settings in clear, or a layer. */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** What the Dockerfile analysis guessed about the GPU before the build. */
export interface BuildGuess {
  readonly baseImage: string;
  readonly gpu: boolean;
  readonly cudaVersion: string | null;
  readonly gpuLabel: number | 'off' | null;
}

/** A build as the builder reports it, from a state-change event or from asking. */
export interface RemoteBuild {
  readonly buildId: string;
  readonly deploymentId: string;
  readonly status: 'building' | 'succeeded' | { readonly failed: string };
  /** Where the image is pushed, e.g. `…dkr.ecr.eu-west-1.amazonaws.com/portico/x:3f2a…`. */
  readonly image: string;
  readonly port: number;
  readonly memoryBytes: number;
  /** Where the builder wrote the build's output, when it says. */
  readonly output?: { readonly logGroup: string; readonly logStream: string } | undefined;
  /** The guess the build was started with; absent for builds started without one. */
  readonly guess?: BuildGuess | undefined;
  /** What the built image's configuration says (the GPU-related ENV and labels); absent until the builder reports it. */
  readonly imageFacts?: { readonly env: Readonly<Record<string, string>>; readonly labels: Readonly<Record<string, string>> } | undefined;
}

/**
 * Builds images somewhere else (CodeBuild) and does not wait: `start` returns once the build is
 * accepted, and the build's completion arrives later as an event (or from `recent`). Failures to
 * start throw `PorticoError('build_failed')`; no builder reachable throws `engine_unavailable`.
 */
export interface RemoteBuilder {
  start(request: RemoteBuildRequest): Promise<{ readonly buildId: string; readonly image: string }>;
  /** The most recent builds (newest first), for reconciling completions whose events were missed. */
  recent(): Promise<RemoteBuild[]>;
  /** The last `lines` lines of a build's output (to show why it failed); null when there is none to read. */
  outputTail(build: RemoteBuild, lines: number): Promise<string[] | null>;
  /** One build as the builder reports it now, with the image facts it exported; null when unknown. */
  describe?(buildId: string): Promise<RemoteBuild | null>;
}
