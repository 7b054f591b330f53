import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { factsOf } from '../../domain/image-config.ts';
import { PorticoError, isPorticoError, messageOf } from '../../errors.ts';
import type { BuildRequest, BuiltImage, ImageBuilder, ImageFacts } from '../../ports/image-builder.ts';
import { startBuildKitBuild } from './buildkit/build-request.ts';
import { contextTar } from './buildkit/context-tar.ts';
import { buildFailure } from './buildkit/failure.ts';
import { type FrontendPlan, planFrontend } from './buildkit/frontend-plan.ts';
import { createProgressPrinter } from './buildkit/progress-printer.ts';
import { prepareBuildSecrets } from './buildkit/build-secrets.ts';
import type { BuildSession } from './buildkit/session.ts';
import { type BuildEvent, imageIdOf, traceOf } from './buildkit/trace.ts';
import { engineMessage, engineStatus, isConnectionError, withEngine } from './docker-client.ts';

/**
 * Builds images with the local engine's BuildKit (the build endpoint's `version=2`), as
 * `docker build` does on Docker 23+, and logs its progress as the CLI's plain progress. Never
 * asks for a pull: base images must already be in the engine (offline a pull could only fail slowly).
 */
export function createDockerBuilder(deps: { docker: Dockerode; where: string }): ImageBuilder {
  const { docker, where } = deps;

  async function build(request: BuildRequest, onLog: (text: string) => void): Promise<BuiltImage> {
    await requireDirectory(request.contextDir);
    const dockerfileText = await readFile(join(request.contextDir, request.dockerfile), 'utf8').catch(() => null); // missing: the engine says so
    const plan = planFrontend(await engineVersion(), request.dockerfile, dockerfileText, onLog);
    const session = dockerfileText === null ? null : await withEngine(where, () => prepareBuildSecrets(docker, where, dockerfileText, request.secrets ?? {}, onLog));
    try {
      return await buildWith(request, plan, session, onLog);
    } finally {
      session?.close();
    }
  }

  /** The engine's version, asked once: it decides whether the Dockerfile is adapted to an old built-in frontend. */
  let version: Promise<string> | null = null;
  function engineVersion(): Promise<string> {
    version ??= withEngine(where, () => docker.version()).then((info) => info.Version);
    version.catch(() => (version = null)); // asked again next build
    return version;
  }

  async function buildWith(request: BuildRequest, plan: FrontendPlan, session: BuildSession | null, onLog: (text: string) => void): Promise<BuiltImage> {
    const context = await contextTar(request.contextDir, request.dockerfile, plan.files);
    const stream = await withEngine(where, () =>
      startBuildKitBuild(docker, context, {
        t: request.tag,
        dockerfile: plan.dockerfile,
        labels: request.labels,
        buildargs: request.buildArgs,
        ...(session ? { session: session.id } : {}),
      }),
    ).catch((error: unknown) => {
      (context as unknown as { destroy(): void }).destroy();
      throw isPorticoError(error) ? error : new PorticoError('build_failed', `the engine refused the build: ${engineMessage(error)}`, { cause: error });
    });

    const printer = createProgressPrinter();
    let imageId: string | null = null;
    let failure: string | null = null;
    await withEngine(where, () =>
      follow(docker, stream, (event) => {
        const trace = traceOf(event);
        if (trace) {
          const text = printer.write(trace);
          if (text) onLog(text);
          return;
        }
        imageId = imageIdOf(event) ?? imageId;
        if (event.stream) onLog(event.stream);
        // A failing step arrives as an ordinary event, never as a stream error.
        if ((event.error || event.errorDetail) && failure === null) failure = event.errorDetail?.message ?? event.error ?? 'unknown error';
      }),
    );
    const ending = printer.end();
    if (ending) onLog(ending);

    if (failure !== null) {
      const error = buildFailure(printer.failure(), failure);
      if (!printer.failure()) onLog(`ERROR: ${error.message}\n`);
      throw error;
    }
    const image = await withEngine(where, () => docker.getImage(imageId ?? request.tag).inspect());
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
