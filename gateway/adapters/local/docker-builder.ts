import { stat } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { PorticoError, isPorticoError, messageOf } from '../../errors.ts';
import type { BuildRequest, BuiltImage, ImageBuilder, ImageFacts } from '../../ports/image-builder.ts';
import { engineMessage, engineStatus, isConnectionError, withEngine } from './docker-client.ts';

/** One JSON object of the engine's build stream. */
interface BuildEvent {
  readonly stream?: string;
  readonly status?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/** Errors a registry pull ends with when no registry answers (DNS, refused, timeout). */
const UNREACHABLE = /no such host|lookup |dial tcp|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout|server misbehaving|Client\.Timeout/i;

/**
 * Builds images with the local engine's classic builder. Never asks for a pull: base images
 * must already be in the engine (on an offline machine a pull could only fail slowly).
 */
export function createDockerBuilder(deps: { docker: Dockerode; where: string }): ImageBuilder {
  const { docker, where } = deps;

  async function build(request: BuildRequest, onLog: (text: string) => void): Promise<BuiltImage> {
    await requireDirectory(request.contextDir);
    const context = pack(request.contextDir);
    const stream = await withEngine(where, () =>
      // tar-fs packs with streamx streams, which pipe like Node's but are typed apart.
      docker.buildImage(context as unknown as NodeJS.ReadableStream, {
        t: request.tag,
        dockerfile: request.dockerfile,
        labels: { ...request.labels },
        buildargs: { ...request.buildArgs },
        rm: true,
        forcerm: true,
      }),
    ).catch((error: unknown) => {
      context.destroy();
      throw isPorticoError(error) ? error : new PorticoError('build_failed', `the engine refused the build: ${engineMessage(error)}`, { cause: error });
    });

    let step = ''; // the "Step n/m : …" line being run, to name the step that failed
    let failure: string | null = null;
    await withEngine(where, () =>
      follow(docker, stream, (event) => {
        const text = event.stream ?? event.status;
        if (text) {
          onLog(text);
          const stepLine = /^Step \d+\/\d+ : .*/m.exec(text);
          if (stepLine) step = stepLine[0].trim();
        }
        // A failing step arrives as an ordinary event, never as a stream error.
        if ((event.error || event.errorDetail) && failure === null) {
          failure = event.errorDetail?.message ?? event.error ?? 'unknown error';
          onLog(`${failure}\n`);
        }
      }),
    );

    if (failure !== null) throw buildFailure(step, failure);
    const image = await withEngine(where, () => docker.getImage(request.tag).inspect());
    return { imageId: image.Id, tag: request.tag, facts: factsOf(image.Config) };
  }

  async function removeProjectImages(projectId: string): Promise<void> {
    const images = await withEngine(where, () => docker.listImages({ filters: { label: [`portico.project=${projectId}`] } }));
    for (const image of images) {
      try {
        await withEngine(where, () => docker.getImage(image.Id).remove({ force: true }));
      } catch (error) {
        if (engineStatus(error) === 404) continue; // already gone
        if (engineStatus(error) === 409) {
          throw new PorticoError('conflict', `image ${image.RepoTags?.[0] ?? image.Id} of project ${projectId} is still used by a running container (${engineMessage(error)}); remove the project's containers first`, { cause: error });
        }
        throw error;
      }
    }
  }

  async function pruneProjectImages(projectId: string, options: { readonly keep: readonly string[] }): Promise<{ readonly removed: readonly string[] }> {
    const images = await withEngine(where, () => docker.listImages({ filters: { label: [`portico.project=${projectId}`] } }));
    const removed: string[] = [];
    for (const image of images) {
      const tags = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
      if (tags.some((tag) => options.keep.includes(tag)) || options.keep.includes(image.Id)) continue;
      // Never forced: the engine refuses (409) to remove an image a container still uses, which is exactly what must stay.
      for (const ref of tags.length > 0 ? tags : [image.Id]) {
        try {
          await withEngine(where, () => docker.getImage(ref).remove());
          removed.push(ref);
        } catch (error) {
          if (engineStatus(error) !== 404 && engineStatus(error) !== 409) throw error;
        }
      }
    }
    return { removed };
  }

  async function inspectImage(tag: string): Promise<ImageFacts | null> {
    try {
      return factsOf((await withEngine(where, () => docker.getImage(tag).inspect())).Config);
    } catch (error) {
      if (engineStatus(error) === 404) return null;
      throw error;
    }
  }

  return { build, removeProjectImages, pruneProjectImages, inspectImage };
}

/** The parts of an image's configuration that decide placement and the port. */
export function factsOf(config: Partial<Dockerode.ImageInspectInfo['Config']> | undefined): ImageFacts {
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

/** A failed step, named: "Step 3/5 : RUN exit 3 failed: …", or the clear offline message for a base image that is not here. */
function buildFailure(step: string, message: string): PorticoError {
  const from = /^Step \d+\/\d+ : FROM\s+(?:--\S+\s+)*(\S+)/i.exec(step);
  if (from && UNREACHABLE.test(message)) {
    return new PorticoError(
      'build_failed',
      `${step} failed: base image ${from[1]} is not available locally and no registry is reachable; build or load it first (docker load / docker import). The engine said: ${message}`,
    );
  }
  return new PorticoError('build_failed', step ? `${step} failed: ${message}` : `the build failed: ${message}`);
}

async function requireDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) throw new PorticoError('build_failed', `build context ${path} is not a directory; check the project's "context" setting`);
}

/** Every event of a build stream in order; rejects only if the stream itself breaks. */
function follow(docker: Dockerode, stream: NodeJS.ReadableStream, onEvent: (event: BuildEvent) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        if (!error) resolve();
        else reject(isConnectionError(error) ? error : new PorticoError('build_failed', `the build stream broke: ${messageOf(error)}`, { cause: error }));
      },
      onEvent,
    );
  });
}
