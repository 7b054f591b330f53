import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { createDockerClient } from '../../gateway/adapters/local/docker-client.ts';
import { messageOf } from '../../gateway/errors.ts';

/** The engine the Docker suites run against: DOCKER_HOST, else the local socket. */
export function testDocker(): { docker: Dockerode; where: string } {
  return createDockerClient(process.env.DOCKER_HOST);
}

/**
 * Fails loudly (never skips) when no engine answers, so a machine without Docker cannot pass
 * the Docker suites by running none of them.
 */
export async function requireDocker(docker: Dockerode, where: string): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`No Docker engine reachable at ${where} (${messageOf(error)}). Run \`bash scripts/ensure-docker.sh\` (as root it installs and starts one), then \`bash scripts/make-test-images.sh\`.`);
  }
}

/** A project id no other run or suite uses, so clean-up by label touches only this suite's objects. */
export function uniqueProjectId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Force-removes every container, then every image, labelled with one of these projects. */
export async function removeProjects(docker: Dockerode, projectIds: readonly string[]): Promise<void> {
  for (const id of projectIds) {
    const filters = { label: [`portico.project=${id}`] };
    for (const container of await docker.listContainers({ all: true, filters })) {
      await docker.getContainer(container.Id).remove({ force: true }).catch(unlessGone);
    }
    for (const image of await docker.listImages({ filters })) {
      await docker.getImage(image.Id).remove({ force: true }).catch(unlessGone);
    }
  }
}

/** Already gone is fine; any other failure to clean up should be seen, not leak objects silently. */
function unlessGone(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode !== 404) throw error;
}

/** A build context in a fresh temp dir, from relative path → content. */
export async function makeContext(files: Record<string, string>): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-context-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
