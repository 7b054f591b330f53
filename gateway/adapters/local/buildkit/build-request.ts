import type Dockerode from 'dockerode';

/** Query parameters of the engine's `POST /build` in BuildKit mode (Docker Engine API 1.41). */
export interface BuildKitBuildOptions {
  readonly t: string;
  readonly dockerfile: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly buildargs: Readonly<Record<string, string>>;
  /** The id of a session opened with `POST /session` that serves build secrets. */
  readonly session?: string;
}

/**
 * Starts a BuildKit build (`version=2`) of a tar context and resolves with the engine's event stream.
 * Dialled directly rather than through dockerode's `buildImage`, which opens a session of its own
 * for every BuildKit build and puts that session's id over any given one.
 */
export function startBuildKitBuild(docker: Dockerode, context: NodeJS.ReadableStream, options: BuildKitBuildOptions): Promise<NodeJS.ReadableStream> {
  const query = {
    ...options,
    labels: JSON.stringify(options.labels),
    buildargs: JSON.stringify(options.buildargs),
    version: '2', // BuildKit: RUN --mount, COPY --chmod, and a cache that outlives builds
  };
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      { path: '/build?', method: 'POST', file: context, options: query, isStream: true, statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' } },
      (error: unknown, stream: unknown) => (error ? reject(error) : resolve(stream as NodeJS.ReadableStream)),
    );
  });
}
