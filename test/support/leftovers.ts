import { existsSync, readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';

/** Where test/docker/faults/second-engine.ts keeps its dockerd's pid. */
export const SECOND_ENGINE_PIDFILE = '/run/portico-fault-docker.pid';

/** The second engine's pid while it runs, else null. */
export function secondEnginePid(pidfile = SECOND_ENGINE_PIDFILE): number | null {
  if (!existsSync(pidfile)) return null;
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** The ids of the containers and images the check looks at, as they are now: what a run finds here was not made by it. */
export async function engineObjectIds(docker: Dockerode): Promise<Set<string>> {
  const { containers, images } = await candidates(docker);
  return new Set([...containers.map((container) => container.Id), ...images.map((image) => image.Id)]);
}

async function candidates(docker: Dockerode): Promise<{ containers: Dockerode.ContainerInfo[]; images: Dockerode.ImageInfo[] }> {
  const containers = await docker.listContainers({ all: true, filters: { label: ['portico.project'] } });
  const images = [
    ...(await docker.listImages({ filters: { label: ['portico.project'] } })),
    ...(await docker.listImages({ filters: { label: ['portico.test-image'] } })),
    ...(await docker.listImages({ filters: { dangling: ['true'] } })),
  ];
  return { containers, images };
}

/**
 * What a test run made on the engine and left there: containers and images labelled
 * `portico.project` (every demo and image Portico makes), images labelled
 * `portico.test-image` (the offline base images), and dangling images, each absent from
 * `before` (the ids there when the run began). One line per object, with the command that removes it.
 */
export async function leftoversOnEngine(docker: Dockerode, before: ReadonlySet<string>): Promise<string[]> {
  const found: string[] = [];
  const { containers, images } = await candidates(docker);
  for (const container of containers) {
    if (before.has(container.Id)) continue;
    const name = container.Names[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12);
    found.push(`container ${name} (project ${container.Labels['portico.project']}, ${container.State}): docker rm -f ${container.Id.slice(0, 12)}`);
  }
  const seen = new Set<string>();
  for (const image of images) {
    if (before.has(image.Id) || seen.has(image.Id)) continue;
    seen.add(image.Id);
    const tags = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
    const what = image.Labels?.['portico.project'] ? `project ${image.Labels['portico.project']}` : image.Labels?.['portico.test-image'] ? `test image ${image.Labels['portico.test-image']}` : 'dangling';
    found.push(`image ${tags.join(', ') || image.Id.slice(7, 19)} (${what}): docker rmi -f ${image.Id.slice(7, 19)}`);
  }
  return found;
}
